"""A hostile publisher, over real HTTP on 127.0.0.1: one bad item never costs another item or
another source; bad bodies are refused and never cached; markup and control characters never
reach clean text; external entities are never fetched. Fixtures: tests/fixtures/hostile/."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer

from orchestration.sources.collect import Collected, collect_source, merge
from orchestration.sources.config import SourceConfig, SourcesFile
from orchestration.sources.http import HttpSettings
from orchestration.sources.http_transport import HttpTransport
from orchestration.sources.runner import collect_sources
from orchestration.warehouse.raw_store import store_collected
from orchestration.warehouse.releases import rebuild_releases
from orchestration.warehouse.schema import ensure_raw_schema

pytestmark = pytest.mark.timeout(60)

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"
NOW = datetime(2024, 1, 1, tzinfo=UTC)
FAST_HTTP = {
    "retries": 0,
    "backoff_s": 0,
    "connect_timeout_s": 2,
    "read_timeout_s": 2,
    "deadline_s": 10,
}
EVERY_DAY = (datetime(1900, 1, 1).date(), datetime(2200, 1, 1).date())


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)


def _base(server: HTTPServer) -> str:
    return server.url_for("/").rstrip("/")


def _fixture(name: str, server: HTTPServer, **more: str) -> bytes:
    text = (HOSTILE / name).read_bytes().replace(b"{BASE}", _base(server).encode())
    for key, value in more.items():
        text = text.replace(f"{{{key}}}".encode(), value.encode())
    return text


def _source(server: HTTPServer, name: str, feed: str, **overrides: object) -> SourceConfig:
    fields: dict = {
        "name": name,
        "display_name": name.title(),
        "kind": "rss",
        "profile": "europol",
        "base_url": _base(server),
        "feed_url": feed,
        "timezone": "Europe/Amsterdam",
        "full_text": {"method": "json-api", "url_template": "/cms/api/node?url={path}"},
        "http": {**FAST_HTTP, "allowed_private_endpoints": [f"127.0.0.1:{server.port}"]},
        "rate_limit": {"min_interval_s": 0.2},
    }
    fields.update(overrides)
    return SourceConfig(**fields)


def _serve_nodes(server: HTTPServer) -> None:
    nodes = {
        "/newsroom/news/good-item": (HOSTILE / "node_good.json").read_bytes(),
        "/newsroom/news/wrong-types": (HOSTILE / "node_wrong_types.json").read_bytes(),
        "/newsroom/news/markup": (HOSTILE / "node_nonstring_body.json").read_bytes(),
        "/newsroom/news/deep": b"[" * 200_000 + b"]" * 200_000,
        "/newsroom/news/treaty": (HOSTILE / "node_good.json").read_bytes(),
    }
    for path, body in nodes.items():
        server.expect_request("/cms/api/node", query_string=f"url={path}").respond_with_data(
            body, content_type="application/json"
        )
    server.expect_request("/cms/api/node").respond_with_data(b"{}", status=404)


@pytest.fixture
def transport(tmp_path: Path) -> Iterator[HttpTransport]:
    live = HttpTransport(tmp_path / "http_cache.sqlite", HttpSettings(), environ={})
    yield live
    live.close()


def _store_and_rebuild(
    tmp_path: Path, collected: Collected, sources: list[SourceConfig]
) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    ensure_raw_schema(conn)
    store_collected(conn, collected, "run-1")
    rebuild_releases(conn, {s.name: s for s in sources}, *EVERY_DAY, now=NOW)
    return conn


def test_one_bad_item_never_costs_other_items_or_sources(
    httpserver: HTTPServer, transport: HttpTransport, tmp_path: Path
) -> None:
    # Regression: a non-string JSON body, very deep JSON, a year-1 date or an unparseable link
    # in one source aborted the whole fetch and lost every other source's items.
    httpserver.expect_request("/hostile.xml").respond_with_data(
        _fixture("mixed_feed.xml", httpserver), content_type="application/rss+xml"
    )
    httpserver.expect_request("/healthy.xml").respond_with_data(
        _fixture("good_feed.xml", httpserver), content_type="application/rss+xml"
    )
    _serve_nodes(httpserver)
    hostile = _source(httpserver, "hostile", "/hostile.xml")
    healthy = _source(
        httpserver, "healthy", "/healthy.xml", profile="generic", full_text={"method": "none"}
    )
    sources_file = SourcesFile(sources=[hostile, healthy])
    collected = merge(
        collect_sources(sources_file, tmp_path / "sources.yaml", live_transport=transport, now=NOW)
    )
    reasons = sorted(
        (rejection.source, rejection.reason) for rejection, _, _ in collected.rejections
    )
    assert ("hostile", "implausible_date") in reasons  # year 1, refused as one item
    assert ("hostile", "parse_error") in reasons  # the unparseable link, as one item
    assert not any(reason == "source_failed" for _, reason in reasons)
    conn = _store_and_rebuild(tmp_path, collected, [hostile, healthy])
    titles = dict(conn.execute("select title, source from raw.releases").fetchall())
    assert titles["Healthy release one"] == "healthy"
    assert titles["Healthy release two"] == "healthy"
    for kept in (
        "Good item about the Council meeting",
        "Deep node",
        "Wrong types",
        "Historic text: the North Atlantic Treaty",
    ):
        assert titles[kept] == "hostile", kept
    # The deep node is refused before caching (it does not parse) and the mistyped one cannot
    # be read: both fall back to the feed teaser instead of failing.
    deep = conn.execute(
        "select body_text, is_truncated from raw.releases where title = 'Deep node'"
    ).fetchone()
    assert deep == ("Its node is nested too deeply.", True)
    assert any(
        rejection.reason == "invalid_body" and "does not parse" in rejection.detail
        for rejection, _, _ in collected.rejections
    )
    wrong = conn.execute(
        "select body_text from raw.releases where title = 'Wrong types'"
    ).fetchone()
    assert wrong == ("Text is fine.",)


def test_historic_release_is_loaded_under_the_first_partition(
    httpserver: HTTPServer, transport: HttpTransport, tmp_path: Path
) -> None:
    # Regression: releases dated before the partition start crashed the raw step, and a 1949
    # treaty was refused as implausible.
    from orchestration.quality.audit import audit_raw

    httpserver.expect_request("/hostile.xml").respond_with_data(
        _fixture("mixed_feed.xml", httpserver), content_type="application/rss+xml"
    )
    _serve_nodes(httpserver)
    hostile = _source(httpserver, "hostile", "/hostile.xml")
    conn = _store_and_rebuild(
        tmp_path, collect_source(hostile, transport.for_source(hostile), now=NOW), [hostile]
    )
    row = conn.execute(
        "select published_at, partition_date from raw.releases where title like 'Historic text%'"
    ).fetchone()
    assert str(row[0]) == "1949-04-04 12:00:00" and str(row[1]) == "2010-01-01"
    assert audit_raw(conn, ["hostile"]) == []  # rules and GX suites accept it


def test_markup_and_control_characters_never_reach_clean_text(
    httpserver: HTTPServer, transport: HttpTransport, tmp_path: Path
) -> None:
    # Regression: double-escaped markup became live <script>/<img onerror> in fct_releases and
    # ESC/BEL/NUL were stored and echoed to the terminal.
    httpserver.expect_request("/hostile.xml").respond_with_data(
        _fixture("mixed_feed.xml", httpserver), content_type="application/rss+xml"
    )
    httpserver.expect_request("/controls.xml").respond_with_data(
        _fixture("controls_feed.xml", httpserver), content_type="application/rss+xml"
    )
    _serve_nodes(httpserver)
    hostile = _source(httpserver, "hostile", "/hostile.xml")
    controls = _source(
        httpserver, "controls", "/controls.xml", profile="generic", full_text={"method": "none"}
    )
    collected = merge(
        [
            collect_source(hostile, transport.for_source(hostile), now=NOW),
            collect_source(controls, transport.for_source(controls), now=NOW),
        ]
    )
    conn = _store_and_rebuild(tmp_path, collected, [hostile, controls])
    rows = conn.execute(
        "select title, coalesce(summary, ''), body_text from raw.releases"
    ).fetchall()
    assert len(rows) >= 7
    for value in (text for row in rows for text in row):
        lowered = value.lower()
        assert "<script" not in lowered and "<img" not in lowered and "<svg" not in lowered
        assert "onerror=" not in lowered or "<" not in lowered
        assert not any(ord(char) < 32 and char not in "\n\t" for char in value), repr(value)
        assert not any(
            0x7F <= ord(char) <= 0x9F or 0x202A <= ord(char) <= 0x202E for char in value
        ), repr(value)
    assert ("Bell escape [2J and nul in a title",) in conn.execute(
        "select title from raw.releases where source = 'controls'"
    ).fetchall()


@pytest.mark.parametrize("page", ["maintenance_xhtml.xml", "maintenance_comment.html"])
def test_maintenance_pages_are_refused_and_never_cached(
    httpserver: HTTPServer, transport: HttpTransport, tmp_path: Path, page: str
) -> None:
    # Regression: XHTML with an XML declaration and HTML after a comment passed the prefix
    # sniff and were cached and stored.
    httpserver.expect_ordered_request("/feed.xml").respond_with_data(
        _fixture(page, httpserver), content_type="text/xml"
    )
    httpserver.expect_ordered_request("/feed.xml").respond_with_data(
        _fixture("good_feed.xml", httpserver), content_type="application/rss+xml"
    )
    source = _source(
        httpserver, "flaky", "/feed.xml", profile="generic", full_text={"method": "none"}
    )
    first = collect_source(source, transport.for_source(source), now=NOW)
    assert [r.reason for r, _, _ in first.rejections] == ["invalid_body"]
    assert not first.payloads and not first.items
    assert transport.client.cache.responses.count() == 0
    second = collect_source(source, transport.for_source(source), now=NOW)
    assert len(second.items) == 2 and len(httpserver.log) == 2  # origin asked again


def test_truncated_feed_is_read_for_complete_items_but_never_cached(
    httpserver: HTTPServer, transport: HttpTransport
) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(
        _fixture("truncated_feed.xml", httpserver), content_type="application/rss+xml"
    )
    source = _source(
        httpserver, "cut", "/feed.xml", profile="generic", full_text={"method": "none"}
    )
    collected = collect_source(source, transport.for_source(source), now=NOW)
    assert sorted(r.reason for r, _, _ in collected.rejections) == [
        "cut_off_item",
        "malformed_feed",
    ]
    assert len(collected.items) == 2
    assert transport.client.cache.responses.count() == 0


def test_external_entities_are_never_fetched_nor_read(
    httpserver: HTTPServer, transport: HttpTransport, tmp_path: Path
) -> None:
    canary_file = tmp_path / "canary.txt"
    canary_file.write_text("CANARY-6f1d2a", encoding="utf-8")
    httpserver.expect_request("/xxe.xml").respond_with_data(
        _fixture("xxe_feed.xml", httpserver, CANARY_FILE=str(canary_file)),
        content_type="application/rss+xml",
    )
    httpserver.expect_request("/laughs.xml").respond_with_data(
        _fixture("billion_laughs.xml", httpserver), content_type="application/rss+xml"
    )
    httpserver.expect_request("/evil.dtd").respond_with_data(b'<!ENTITY leak "LEAKED">')
    sources = [
        _source(httpserver, "xxe", "/xxe.xml", profile="generic", full_text={"method": "none"}),
        _source(
            httpserver, "laughs", "/laughs.xml", profile="generic", full_text={"method": "none"}
        ),
    ]
    started = datetime.now(UTC)
    collected = merge(
        collect_source(source, transport.for_source(source), now=NOW) for source in sources
    )
    assert (datetime.now(UTC) - started).total_seconds() < 5
    conn = _store_and_rebuild(tmp_path, collected, sources)
    dump = json.dumps(conn.execute("select * from raw.releases").fetchall(), default=str)
    dump += json.dumps([r.__dict__ for r, _, _ in collected.rejections])
    assert "CANARY-6f1d2a" not in dump and "LEAKED" not in dump
    assert "lollollol" not in dump
    assert [entry[0].path for entry in httpserver.log].count("/evil.dtd") == 0


def test_a_source_whose_secret_header_is_missing_fails_alone(
    httpserver: HTTPServer, transport: HttpTransport, tmp_path: Path
) -> None:
    httpserver.expect_request("/healthy.xml").respond_with_data(
        _fixture("good_feed.xml", httpserver), content_type="application/rss+xml"
    )
    locked = _source(
        httpserver,
        "locked",
        "/locked.xml",
        profile="generic",
        full_text={"method": "none"},
        http={
            **FAST_HTTP,
            "headers_from_env": {"X-Api-Key": "PRESSROOM_TEST_KEY"},
            "allowed_private_endpoints": [f"127.0.0.1:{httpserver.port}"],
        },
    )
    healthy = _source(
        httpserver, "healthy", "/healthy.xml", profile="generic", full_text={"method": "none"}
    )
    collected = merge(
        collect_sources(
            SourcesFile(sources=[locked, healthy]),
            tmp_path / "sources.yaml",
            live_transport=transport,
            now=NOW,
        )
    )
    assert [(r.source, r.reason) for r, _, _ in collected.rejections] == [
        ("locked", "source_failed")
    ]
    assert "PRESSROOM_TEST_KEY" in collected.rejections[0][0].detail
    assert {ref.source for ref in collected.items} == {"healthy"}
