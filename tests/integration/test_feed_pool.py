"""Large feeds that need nothing else fetched are parsed in spawned workers while the next
feeds are downloaded: the same releases, rejections and payloads, in the same order, as when
every feed is parsed in the pressroom process. Real HTTP on 127.0.0.1, real parsers."""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer

from orchestration.sources import feed_pool
from orchestration.sources.collect import Collected
from orchestration.sources.config import SourcesFile
from orchestration.sources.feed_pool import FeedParsers, _polled
from orchestration.sources.http import HttpSettings
from orchestration.sources.http_transport import HttpTransport
from orchestration.sources.runner import collect_sources

pytestmark = pytest.mark.timeout(120)

NOW = datetime(2024, 1, 1, tzinfo=UTC)
MAINTENANCE = b"<!DOCTYPE html><html><body><h1>Back soon</h1></body></html>"


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)


def _atom(name: str, entries: int) -> bytes:
    body = "".join(
        f"<entry><title>{name} release {n}</title>"
        f'<link href="https://example.org/{name}/{n}" rel="alternate"/>'
        f"<id>https://example.org/{name}/{n}</id><published>2023-10-{1 + n % 28:02d}T12:00:00Z"
        f"</published><summary>Summary {n} of {name}.</summary>"
        f'<content type="html">&lt;p&gt;The minister met Ms Ana Silva in Lisbon on '
        f"{1 + n % 28} October 2023.&lt;/p&gt;&lt;p&gt;Paragraph two of {n}.&lt;/p&gt;</content>"
        "</entry>"
        for n in range(entries)
    )
    # an entry without a title: a rejection made in the worker
    body += '<entry><id>https://example.org/untitled</id><content type="html">x</content></entry>'
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{name}</title><id>urn:{name}</id><updated>2023-10-30T00:00:00Z</updated>"
        f"{body}</feed>"
    ).encode()


def _sources(server: HTTPServer) -> SourcesFile:
    base = server.url_for("/").rstrip("/")
    sources = [
        {
            "name": f"archive{n}",
            "display_name": f"Archive {n}",
            "kind": "atom",
            "base_url": base,
            "feed_url": f"/feeds/archive{n}.xml",
        }
        for n in range(3)
    ]
    sources.append(
        {
            "name": "down",
            "display_name": "Down",
            "kind": "atom",
            "base_url": base,
            "feed_url": "/feeds/down.xml",
            "http": {"retries": 0},
        }
    )
    for source in sources:
        source["rate_limit"] = {"min_interval_s": 0.2}
    return SourcesFile.model_validate({"sources": sources})


def _fetch(server: HTTPServer, sources: SourcesFile, processes: int) -> list[Collected]:
    settings = HttpSettings(allowed_private_endpoints=(f"127.0.0.1:{server.port}",))
    transport = HttpTransport(None, settings)
    try:
        return list(
            collect_sources(
                sources,
                server.url_for("/"),
                live_transport=transport,
                now=NOW,
                parse_processes=processes,
            )
        )
    finally:
        transport.close()


def _shape(collected: Collected) -> tuple:
    """What a fetch gave, without the moment it was fetched."""
    return (
        [
            (
                ref.source,
                ref.item_key,
                ref.release_id,
                ref.partition_date,
                ref.parser,
                ref.feed_payload_sha256,
                ref.release,
            )
            for ref in collected.items
        ],
        [(rejection, payload) for rejection, payload, _day in collected.rejections],
        sorted(
            (sha, source, response.body) for sha, (source, response) in collected.payloads.items()
        ),
    )


def test_workers_parse_the_large_feeds_and_give_the_same_results(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        httpserver.expect_request(f"/feeds/archive{n}.xml").respond_with_data(
            _atom(f"archive{n}", 40 + n), content_type="application/atom+xml"
        )
    httpserver.expect_request("/feeds/down.xml").respond_with_data(
        MAINTENANCE, content_type="application/atom+xml"
    )
    sources = _sources(httpserver)
    monkeypatch.setattr(feed_pool, "MIN_WORKER_FEED_BYTES", 1000)  # the test's feeds are small
    submitted = []
    submit = FeedParsers.submit

    def counted(self, source, feed, **kwargs):
        submitted.append(source.name)
        return submit(self, source, feed, **kwargs)

    monkeypatch.setattr(FeedParsers, "submit", counted)
    in_workers = _fetch(httpserver, sources, processes=2)
    assert submitted == ["archive0", "archive1", "archive2"]  # not the maintenance page
    here = _fetch(httpserver, sources, processes=0)
    assert submitted == ["archive0", "archive1", "archive2"]
    assert [_shape(c) for c in in_workers] == [_shape(c) for c in here]
    assert [len(c.items) for c in in_workers] == [40, 41, 42, 0]
    assert [[r.reason for r, _, _ in c.rejections] for c in in_workers] == [
        ["missing_title"],
        ["missing_title"],
        ["missing_title"],
        ["invalid_body"],
    ]


def test_small_feeds_are_parsed_here(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        httpserver.expect_request(f"/feeds/archive{n}.xml").respond_with_data(
            _atom(f"archive{n}", 3), content_type="application/atom+xml"
        )
    httpserver.expect_request("/feeds/down.xml").respond_with_data(
        MAINTENANCE, content_type="application/atom+xml"
    )
    started = []
    monkeypatch.setattr(FeedParsers, "submit", lambda *args, **kwargs: started.append(args))
    collected = _fetch(httpserver, _sources(httpserver), processes=2)
    assert started == []
    assert [len(c.items) for c in collected] == [3, 3, 3, 0]


class _DeadPool:
    """A pool whose workers could not start (what ProcessPoolExecutor raises then)."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def submit(self, *args, **kwargs):
        raise BrokenProcessPool("A child process terminated abruptly")

    def shutdown(self, **kwargs) -> None:
        pass


def test_feeds_are_parsed_here_when_the_workers_cannot_start(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        httpserver.expect_request(f"/feeds/archive{n}.xml").respond_with_data(
            _atom(f"archive{n}", 5), content_type="application/atom+xml"
        )
    httpserver.expect_request("/feeds/down.xml").respond_with_data(
        MAINTENANCE, content_type="application/atom+xml"
    )
    sources = _sources(httpserver)
    monkeypatch.setattr(feed_pool, "MIN_WORKER_FEED_BYTES", 1000)
    here = _fetch(httpserver, sources, processes=0)
    monkeypatch.setattr(feed_pool, "ProcessPoolExecutor", _DeadPool)
    fallen_back = _fetch(httpserver, sources, processes=2)
    assert [_shape(c) for c in fallen_back] == [_shape(c) for c in here]


def test_a_worker_that_died_leaves_its_feed_to_this_process() -> None:
    died: Future = Future()
    died.set_exception(BrokenProcessPool("A child process terminated abruptly"))
    assert _polled(died, lambda: "parsed here") == "parsed here"
    done: Future = Future()
    done.set_result("parsed in the worker")
    assert _polled(done, lambda: "parsed here") == "parsed in the worker"
