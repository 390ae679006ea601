"""Every step has a limit: a source whose server never answers, an extraction pool, a Great
Expectations suite and the publish copy are stopped at theirs with a message naming the
setting; what they stopped leaves nothing behind (other sources' items, the published copy,
no worker process)."""

from __future__ import annotations

import hashlib
import multiprocessing
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer

from orchestration.deadlines import StepTimeoutError, deadline
from orchestration.extract import ReleaseInput, extract_many
from orchestration.extract.pipeline import MIN_PARALLEL_BATCH
from orchestration.sources.collect import merge
from orchestration.sources.config import SourceConfig, SourcesFile
from orchestration.sources.http import HttpSettings
from orchestration.sources.http_transport import HttpTransport
from orchestration.sources.runner import collect_sources
from orchestration.warehouse.publish import publish

pytestmark = pytest.mark.timeout(120)

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"
NOW = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A server on 127.0.0.1 that accepts connections and never sends a byte."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def _source(name: str, port: int, feed: str) -> SourceConfig:
    return SourceConfig(
        name=name,
        display_name=name.title(),
        kind="rss",
        profile="generic",
        base_url=f"http://127.0.0.1:{port}",
        feed_url=feed,
        full_text={"method": "none"},
        # Each request alone would wait 30 s for a byte and 120 s in all: the source's limit
        # must stop it first.
        http={
            "retries": 0,
            "read_timeout_s": 30,
            "deadline_s": 120,
            "allowed_private_endpoints": [f"127.0.0.1:{port}"],
        },
    )


def test_a_source_whose_server_never_answers_is_stopped_alone(
    httpserver: HTTPServer, silent_server: int, tmp_path: Path
) -> None:
    feed = (HOSTILE / "good_feed.xml").read_bytes()
    httpserver.expect_request("/healthy.xml").respond_with_data(
        feed.replace(b"{BASE}", httpserver.url_for("/").rstrip("/").encode()),
        content_type="application/rss+xml",
    )
    sources = SourcesFile(
        sources=[
            _source("hung", silent_server, "/feed.xml"),
            _source("healthy", httpserver.port, "/healthy.xml"),
        ]
    )
    transport = HttpTransport(tmp_path / "http_cache.sqlite", HttpSettings(), environ={})
    started = time.monotonic()
    try:
        collected = merge(
            collect_sources(
                sources,
                tmp_path / "sources.yaml",
                live_transport=transport,
                now=NOW,
                source_timeout_s=2,
            )
        )
    finally:
        transport.close()
    assert time.monotonic() - started < 20
    rejections = [
        (rejection.source, rejection.reason, rejection.detail)
        for rejection, _, _ in collected.rejections
    ]
    assert [(source, reason) for source, reason, _ in rejections] == [("hung", "source_timeout")]
    assert "fetching source hung took longer than its limit of 2 s" in rejections[0][2]
    assert "PRESSROOM_TIMEOUT_FETCH_SOURCE_S" in rejections[0][2]
    assert {item.source for item in collected.items} == {"healthy"}


def _releases(count: int) -> list[ReleaseInput]:
    body = (
        "On Tuesday, 7 November 2023, the NATO Secretary General, Mr Jens Stoltenberg, met the "
        "Chancellor of Germany, Olaf Scholz, in Berlin. "
    ) * 20
    return [
        ReleaseInput(f"r{n}", "Secretary General visits Berlin", body, date(2023, 11, 8), "NATO")
        for n in range(count)
    ]


def test_an_extraction_pool_past_its_limit_is_stopped_and_its_workers_killed() -> None:
    # A first pool starts the fork server (it builds the gazetteer once), so that the limit
    # lands while this thread polls the second pool for results.
    assert len(list(extract_many(_releases(MIN_PARALLEL_BATCH), processes=2))) == MIN_PARALLEL_BATCH
    started = time.monotonic()
    done = 0
    limit = deadline("extraction", 5.0, "PRESSROOM_TIMEOUT_EXTRACTION_S")
    with pytest.raises(StepTimeoutError, match="PRESSROOM_TIMEOUT_EXTRACTION_S"), limit:
        for _ in extract_many(_releases(50_000), processes=2):
            done += 1
    assert time.monotonic() - started < 40
    assert done < 50_000
    # the pool's workers were terminated (the GX worker of earlier tests may live on)
    assert [child for child in multiprocessing.active_children()
            if child.name != "pressroom-gx"] == []


def test_a_great_expectations_suite_past_its_limit_fails_and_gx_still_works(
    tmp_path: Path,
) -> None:
    from orchestration.quality import frames
    from orchestration.quality.gx_runner import validate_frame
    from orchestration.warehouse.schema import ensure_raw_schema

    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    ensure_raw_schema(conn)
    frame = frames.raw_releases(conn, date(2023, 1, 1), date(2024, 1, 1), ["nato"])
    conn.close()
    assert validate_frame(frame.suite, frame.data, frame.parameters).passed  # imports GX
    with pytest.raises(StepTimeoutError, match="Great Expectations suite raw_releases"):
        validate_frame(frame.suite, frame.data, frame.parameters, timeout_s=0.05)
    assert validate_frame(frame.suite, frame.data, frame.parameters, timeout_s=600).passed


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_publish_copy_past_its_limit_leaves_the_published_copy_unchanged(
    tmp_path: Path,
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    published = tmp_path / "published" / "pressroom.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("create schema marts")
        conn.execute("create table marts.small as select 1 as n")
    publish(warehouse, published)
    before = _digest(published)
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("""create table marts.big as select range as n, md5(range::varchar) as h,
                        md5((range * 7)::varchar) as g from range(2000000)""")
    started = time.monotonic()
    with pytest.raises(StepTimeoutError, match="copying the warehouse to the published file"):
        publish(warehouse, published, timeout_s=0.05)
    assert time.monotonic() - started < 20
    assert _digest(published) == before
    with duckdb.connect(str(published), read_only=True) as reader:
        assert reader.execute("select count(*) from marts.small").fetchone() == (1,)
