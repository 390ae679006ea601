"""Real writing through the pipeline's own raw path, without Dagster: the project's labelled
real set served as RSS feeds on 127.0.0.1, fetched by the live HTTP transport, stored and
rebuilt into raw.releases of a DuckDB file, extracted by ``warehouse.mentions`` (the raw step's
code, with its reference-date rule) and scored from the extraction rows. The whole ``pressroom
run`` over the same feeds is tests/e2e/test_realset_feeds.py (slow)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer

from benchmarks import score_extraction as sc
from orchestration.sources.collect import collect_source
from orchestration.sources.config import SourceConfig
from orchestration.sources.http import HttpSettings
from orchestration.sources.http_transport import HttpTransport
from orchestration.warehouse.connection import open_warehouse
from orchestration.warehouse.mentions import extract_batches, latest_releases
from orchestration.warehouse.raw_store import store_collected
from orchestration.warehouse.releases import rebuild_releases
from orchestration.warehouse.schema import ensure_raw_schema
from tests.realset_feeds import REALSET, realset_releases, serve_realset

pytestmark = pytest.mark.timeout(300)

WIDE = (date(2000, 1, 1), date(2100, 1, 1))
# Floors under the in-process scores of extractor 1.5.0 (people 98.8, places 96.9, events
# 91.6, appearances 94.9, release type 90.7), so a regression on real writing fails here.
FLOORS = {"people": 0.95, "places": 0.92, "events": 0.85, "appearances": 0.75}
RELEASE_TYPE_FLOOR = 0.90


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """Serve on 127.0.0.1 (not "localhost", which also resolves to ::1)."""
    return ("127.0.0.1", 0)


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with open_warehouse(tmp_path / "warehouse.duckdb") as conn:
        ensure_raw_schema(conn)
        yield conn


def _found(conn: duckdb.DuckDBPyConnection) -> dict[str, sc.FoundRelease]:
    """{title: found} from the extraction rows of every release in raw.releases."""
    titles = dict(conn.execute("select release_id, title from raw.releases").fetchall())
    per_release: dict[str, dict[str, list[dict]]] = {}
    for tables in extract_batches(latest_releases(conn, *WIDE)):
        for table, rows in tables.items():
            for row in rows:
                per_release.setdefault(row["release_id"], {}).setdefault(table, []).append(row)
    return {titles[rid]: sc.found_from_rows(rows) for rid, rows in per_release.items()}


def test_realset_through_feeds_and_the_raw_path(
    httpserver: HTTPServer, tmp_path: Path, warehouse: duckdb.DuckDBPyConnection
) -> None:
    releases = realset_releases()
    sources = [SourceConfig(**entry) for entry in serve_realset(httpserver, releases)]
    transport = HttpTransport(tmp_path / "http.sqlite", base=HttpSettings())
    try:
        for number, source in enumerate(sources):
            collected = collect_source(source, transport.for_source(source))
            assert collected.rejections == [], collected.rejections
            store_collected(warehouse, collected, f"realset-{number}")
    finally:
        transport.close()
    rebuild_releases(warehouse, {source.name: source for source in sources}, *WIDE)
    undated = warehouse.execute(
        "select count(*) from raw.releases where published_at is null"
    ).fetchone()
    assert undated == (sum(1 for r in releases if r["published"] is None),)

    expected = sc.load_expected((REALSET / "expected.yaml").read_text(encoding="utf-8"))
    scores = sc.score(expected, _found(warehouse))
    table = sc.format_table(scores, f"realset through feeds and the raw path ({len(releases)})")
    print(table)
    assert not scores.missing_releases, table
    for kind, floor in FLOORS.items():
        assert (scores.kinds[kind].f1 or 0) >= floor, table
    assert (scores.release_type.value or 0) >= RELEASE_TYPE_FLOOR, table
