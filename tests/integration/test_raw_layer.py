"""The raw layer over a real DuckDB file: the bundled sample, idempotence, versions, crashes.

Expected numbers come from the sample's files (feeds, index.yaml, MANIFEST.md), not from a run:
- NATO: fetch 01 feed has 33 items; item 12 (news_219620) is dated "31 Feb. 2023" and item 13
  (news_219585) has an empty <title>, so 31 releases; fetch 02 adds news_220052 and news_220044
  (33 releases). news_220025's page changes in fetch 02 (version 2). news_219301's page is a
  404, so it keeps its feed teaser (truncated).
- Europol: 10 feed items in fetch 01 (releases 11-20) + releases 1-10 reached only through
  navigation.previous + release 21 in fetch 02 = 21. Release 17's node is a 404 (truncated,
  undated). Node 20 is re-served in fetch 02 with the same text (no new version).
- Frontex: 10 entries in fetch 01; fetch 02 is cut inside entry 9 (entries 11, 10 complete), so 11
  releases; entry 7 has no date. Fetch 02 gives malformed_feed + cut_off_item.
- Dump (as_of 2023-11-22): D1, D2, D3, D5 (truncated), D7 = Eurojust 2, Council of the EU 2, OSCE 1;
  D4 has no title (line 48), D6 has no body (line 62).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.sources.config import SourcesFile, load_sources
from orchestration.warehouse.connection import open_warehouse
from orchestration.warehouse.releases import rebuild_releases
from orchestration.warehouse.schema import ensure_raw_schema
from tests.integration.raw_replay import NOW, WIDE, rebuild_all, store_replays

pytestmark = pytest.mark.timeout(60)

SAMPLE = Path(__file__).resolve().parents[2] / "orchestration" / "sources" / "sample"
SAMPLE_CONFIG = SAMPLE / "sources.yaml"
FETCH_01 = datetime(2023, 11, 29, 6, 0)
FETCH_02 = datetime(2023, 11, 30, 6, 0)
EUROPOL_NEWS = "europol:news/"
FRONTEX_NEWS = "frontex:frontex.europa.eu/media-centre/news/news-release/"


def _rows(conn: duckdb.DuckDBPyConnection, sql: str, *params: object) -> list[tuple]:
    return conn.execute(sql, list(params)).fetchall()


def _table(conn: duckdb.DuckDBPyConnection, table: str, columns: str = "*") -> list[tuple]:
    return conn.execute(f"select {columns} from raw.{table} order by all").fetchall()


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with open_warehouse(tmp_path / "warehouse.duckdb") as conn:
        ensure_raw_schema(conn)
        yield conn


@pytest.fixture(scope="module")
def sample_file() -> SourcesFile:
    return load_sources(SAMPLE_CONFIG)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory,
           sample_file: SourcesFile) -> Iterator[duckdb.DuckDBPyConnection]:
    """The whole sample loaded once; tests using it must leave raw.releases as they found it."""
    with open_warehouse(tmp_path_factory.mktemp("sample") / "warehouse.duckdb") as conn:
        ensure_raw_schema(conn)
        store_replays(conn, SAMPLE_CONFIG, sample_file)
        rebuild_all(conn, sample_file)
        yield conn


@pytest.fixture
def loaded(warehouse: duckdb.DuckDBPyConnection,
           sample_file: SourcesFile) -> duckdb.DuckDBPyConnection:
    """The whole sample in a warehouse of the test's own (for tests that write)."""
    store_replays(warehouse, SAMPLE_CONFIG, sample_file)
    rebuild_all(warehouse, sample_file)
    return warehouse


# --- the bundled sample ---------------------------------------------------------------------

def test_release_and_version_counts_per_source(sample: duckdb.DuckDBPyConnection) -> None:
    counts = _rows(sample, """
        select source, count(distinct release_id), count(*),
               count(*) filter (where is_truncated)
        from raw.releases group by source order by source
    """)
    assert counts == [
        ("council_of_the_eu", 2, 2, 1),
        ("eurojust", 2, 2, 0),
        ("europol", 21, 21, 1),
        ("frontex", 11, 11, 0),
        ("nato", 33, 34, 1),
        ("osce", 1, 1, 0),
    ]


def test_rejected_items_and_reasons(sample: duckdb.DuckDBPyConnection) -> None:
    reasons = _rows(sample, "select distinct source, reason from raw.rejected_items order by all")
    assert reasons == [
        ("eurojust", "missing_title"),
        ("frontex", "cut_off_item"),
        ("frontex", "malformed_feed"),
        ("nato", "impossible_date"),
        ("nato", "missing_title"),
        ("osce", "empty_body"),
    ]
    details = dict(_rows(sample, """
        select reason || ':' || source, any_value(detail) from raw.rejected_items group by all
    """))
    assert "'31 Feb. 2023 12:00:00 GMT'" in details["impossible_date:nato"]
    assert "news_219585.htm" in details["missing_title:nato"]
    assert "Drugs and weapons seized at Greek-Turkish border during action days" in \
        details["cut_off_item:frontex"]
    assert "kept the 3 entries" in details["malformed_feed:frontex"]
    assert "OSCE Secretary General concludes visit to Skopje" in details["empty_body:osce"]
    dump_rows = _rows(sample, """
        select reason, locator, partition_date from raw.rejected_items
        where locator like 'syndication_%' order by all
    """)
    assert dump_rows == [
        ("empty_body", "syndication_2023-11-22.txt:62", date(2023, 11, 22)),
        ("missing_title", "syndication_2023-11-22.txt:48", date(2023, 11, 22)),
    ]
    rejected_ids = {"nato:news_219620", "nato:news_219585"}
    assert _rows(sample, "select count(*) from raw.releases where release_id in (?, ?)",
                 *rejected_ids) == [(0,)]


def test_changed_nato_page_is_version_2_of_the_same_release(
        sample: duckdb.DuckDBPyConnection) -> None:
    versions = _rows(sample, """
        select version, fetched_at, published_at, partition_date, is_truncated,
               body_text like '%13:00 (CET)    Meeting between%',
               body_text like '%Please note the new time of the joint press conference.%',
               json_extract_string(metadata_json, '$.last_updated')
        from raw.releases where release_id = 'nato:news_220025' order by version
    """)
    assert versions == [
        (1, FETCH_01, datetime(2023, 11, 28, 12), date(2023, 11, 28), False, True, False,
         "28 Nov. 2023 16:20"),
        (2, FETCH_02, datetime(2023, 11, 28, 12), date(2023, 11, 28), False, False, True,
         "29 Nov. 2023 18:10"),
    ]
    assert _rows(sample, "select count(*) from raw.releases where version > 1") == [(1,)]


def test_nato_page_404_keeps_the_feed_teaser(sample: duckdb.DuckDBPyConnection) -> None:
    row = _rows(sample, """
        select is_truncated, published_at, body_text,
               json_extract_string(metadata_json, '$.full_text_error')
        from raw.releases where release_id = 'nato:news_219301'
    """)
    assert len(row) == 1
    truncated, published, body, error = row[0]
    assert (truncated, published) == (True, datetime(2023, 10, 19, 12))
    assert body.startswith("NATO Deputy Secretary General Mircea Geoană met senior officials")
    assert error == "HTTP 404 for https://www.nato.int/cps/en/natohq/news_219301.htm"


def test_nato_full_text_and_metadata_from_pages(sample: duckdb.DuckDBPyConnection) -> None:
    row = _rows(sample, """
        select title, release_type_hint, body_text,
               json_extract_string(metadata_json, '$.issued_on'), url
        from raw.releases where release_id = 'nato:official_texts_220012'
    """)
    title, hint, body, issued_on, url = row[0]
    assert title == ("Declaration by NATO Ministers of Foreign Affairs on security in the Black "
                     "Sea region")
    assert hint == "Press Release (2023) 178"
    assert body.startswith("1. We, the Ministers of Foreign Affairs of the North Atlantic Alliance")
    assert body.count("\n\n") == 5
    assert issued_on == "28 Nov. 2023"
    assert url == "https://www.nato.int/cps/en/natohq/official_texts_220012.htm"
    locale = _rows(sample, "select url from raw.releases where release_id = 'nato:news_219137'")
    assert locale == [("https://www.nato.int/cps/en/natohq/news_219137.htm?selectedLocale=en",)]


def test_europol_node_404_item_is_truncated_and_undated(
        sample: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(sample, """
        select version, is_truncated, published_at, partition_date, body_text like '%…'
        from raw.releases
        where release_id = ?
    """, EUROPOL_NEWS + "synthetic-drug-production-site-shut-down-in-the-netherlands")
    # never "now": undated, partitioned on the day of the latest fetch that saw it
    assert rows == [(1, True, None, date(2023, 11, 30), True)]


def test_frontex_entry_without_date_stays_undated(sample: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(sample, """
        select published_at, partition_date, is_truncated from raw.releases where release_id = ?
    """, FRONTEX_NEWS + "frontex-and-albania-train-document-experts-in-tirana-Nq7rBm")
    assert rows == [(None, date(2023, 11, 29), False)]
    assert _rows(sample, """
        select count(*) from raw.releases where published_at is null and source = 'frontex'
    """) == [(1,)]


def test_frontex_entry_cut_off_in_fetch_02_keeps_its_fetch_01_text(
        sample: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(sample, """
        select version, fetched_at, published_at, length(body_text) > 500 from raw.releases
        where release_id like ?
    """, FRONTEX_NEWS + "drugs-and-weapons-seized-at-greek-turkish-border%")
    assert rows == [(1, FETCH_01, datetime(2023, 11, 21, 10, 40), True)]


def test_europol_backfill_through_navigation_previous(sample: duckdb.DuckDBPyConnection) -> None:
    expected = {
        "smuggling-network-moving-migrants-along-balkan-route-taken-down":
            datetime(2023, 10, 2, 9, 40),
        "europol-and-euaa-step-up-cooperation-against-smuggling-networks":
            datetime(2023, 10, 4, 12, 15),
        "fuel-fraud-network-dismantled-in-greece-and-bulgaria": datetime(2023, 10, 17, 9, 0),
        "cybercrime-conference-looks-at-ai-and-encryption": datetime(2023, 10, 31, 10, 20),
        "global-airport-action-days-target-airline-ticket-fraud": datetime(2023, 11, 29, 9, 10),
    }
    rows = dict(_rows(sample, """
        select release_id, published_at from raw.releases where source = 'europol'
    """))
    for slug, published in expected.items():
        assert rows[EUROPOL_NEWS + slug] == published
    # fetch 01 walks from release 11 (the oldest feed item) down to release 1; fetch 02 walks
    # from release 12 to release 11, which is already known, and stops there
    walked = _rows(sample, """
        select fetched_at, count(distinct release_id) from raw.fetched_items
        where source = 'europol' and feed_payload_sha256 is null group by all order by all
    """)
    assert walked == [(FETCH_01, 10), (FETCH_02, 1)]
    node_only = _rows(sample, """
        select count(*) from raw.releases
        where source = 'europol' and not is_truncated and published_at < '2023-11-01'
    """)
    assert node_only == [(10,)]


def test_europol_renewed_node_with_same_text_is_not_a_new_version(
        sample: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(sample, "select version, fetched_at from raw.releases where release_id = ?",
                 EUROPOL_NEWS + "high-risk-criminal-network-importing-cocaine-hit-in-belgium-"
                 "and-the-netherlands")
    assert rows == [(1, FETCH_01)]


def test_dump_releases(sample: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(sample, """
        select source, title, is_truncated, published_at, partition_date, url
        from raw.releases where native_id like 'dump-%' order by source, title
    """)
    assert [(r[0], r[1][:40], r[2]) for r in rows] == [
        ("council_of_the_eu", "Council approves conclusions on protecti", True),
        ("council_of_the_eu", "Media advisory – Justice and Home Affair", False),
        ("eurojust", "Eurojust coordinates action against payr", False),
        ("eurojust", "Eurojust helps dismantle network launder", False),
        ("osce", "OSCE trains border officers in Central A", False),
    ]
    assert {(r[3], r[4], r[5]) for r in rows} == {(None, date(2023, 11, 22), None)}
    osce_body = _rows(sample, "select body_text from raw.releases where source = 'osce'")[0][0]
    assert osce_body.split("\n\n")[-1].startswith(
        "The participants also visited a road checkpoint on the route to the Afghan border")
    advisory = _rows(sample,
                     "select body_text from raw.releases where title like 'Media advisory%'")
    assert "08:30 (CET)      Arrivals and doorstep" in advisory[0][0]


def test_every_version_points_at_a_kept_payload(sample: duckdb.DuckDBPyConnection) -> None:
    assert _rows(sample, """
        select count(*) from raw.releases
        where payload_sha256 not in (select payload_sha256 from raw.http_responses)
    """) == [(0,)]
    assert _rows(sample, "select count(*) from raw.releases where published_at > ?",
                 datetime(2023, 11, 30, 6)) == [(0,)]


# --- idempotence ----------------------------------------------------------------------------

def test_same_partition_twice_gives_identical_rows(
        warehouse: duckdb.DuckDBPyConnection, sample_file: SourcesFile) -> None:
    store_replays(warehouse, SAMPLE_CONFIG, sample_file)
    rebuild_all(warehouse, sample_file)
    first = {table: _table(warehouse, table)
             for table in ("releases", "fetched_items", "http_responses")}
    first_rejections = _table(warehouse, "rejected_items", "* exclude (rejected_at)")

    stats = rebuild_all(warehouse, sample_file)
    assert _table(warehouse, "releases") == first["releases"]
    assert (stats.new, stats.changed, stats.unchanged) == (0, 0, 70)

    store_replays(warehouse, SAMPLE_CONFIG, sample_file)
    rebuild_all(warehouse, sample_file)
    for table, rows in first.items():
        assert _table(warehouse, table) == rows, table
    assert _table(warehouse, "rejected_items", "* exclude (rejected_at)") == first_rejections


def test_rebuilding_one_partition_leaves_the_others_alone(
        loaded: duckdb.DuckDBPyConnection, sample_file: SourcesFile) -> None:
    sample = loaded
    before = _table(sample, "releases")
    stats = rebuild_releases(sample, {s.name: s for s in sample_file.sources},
                             date(2023, 11, 28), date(2023, 11, 29), now=NOW)
    assert stats.releases == 3  # news_220025, official_texts_220012, Europol release 20
    assert _table(sample, "releases") == before


# --- versions from a tiny replay directory ---------------------------------------------------

def _rss(items: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f"<item><title>{title}</title><link>https://feeds.example.org/news/{guid}</link>"
        f"<guid isPermaLink=\"false\">{guid}</guid><description>{text}</description>"
        f"<pubDate>Mon, 20 Nov 2023 10:00:00 GMT</pubDate></item>"
        for guid, title, text in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
            f"{entries}</channel></rss>")


def _write_fetch(root: Path, number: int, fetched_at: str,
                 responses: list[tuple[str, str, str, int, str]]) -> None:
    """responses: (url, file name, body, status, content type)."""
    folder = root / "fetches" / f"{number:02d}"
    (folder / "agency").mkdir(parents=True)
    (folder / "fetch.yaml").write_text(f'fetched_at: "{fetched_at}"\n', encoding="utf-8")
    index = ["responses:"]
    for url, name, body, status, content_type in responses:
        (folder / "agency" / name).write_text(body, encoding="utf-8")
        index += [f'  - url: "{url}"', f'    file: "{name}"', f"    status: {status}",
                  f'    content_type: "{content_type}"']
    (folder / "agency" / "index.yaml").write_text("\n".join(index) + "\n", encoding="utf-8")


def _write_config(root: Path, full_text: str) -> Path:
    config = root / "sources.yaml"
    config.write_text(textwrap.dedent(f"""\
        replay_dir: fetches
        sources:
          - name: agency
            display_name: Agency
            kind: rss
            base_url: https://feeds.example.org
            feed_url: /rss.xml
            full_text: {{method: {full_text}}}
        """), encoding="utf-8")
    return config


FEED_URL = "https://feeds.example.org/rss.xml"
RSS_TYPE = "application/rss+xml"


def test_changed_item_becomes_a_new_version_with_the_same_id(
        warehouse: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    root = tmp_path / "replay"
    _write_fetch(root, 1, "2023-11-20T12:00:00Z", [(FEED_URL, "rss.xml", _rss([
        ("a-1", "First release", "Original text of the first release."),
        ("b-2", "Second release", "Text of the second release."),
    ]), 200, RSS_TYPE)])
    _write_fetch(root, 2, "2023-11-21T12:00:00Z", [(FEED_URL, "rss.xml", _rss([
        ("a-1", "First release", "Corrected text of the first release."),
        ("b-2", "Second release", "Text of the second release."),
    ]), 200, RSS_TYPE)])
    config = _write_config(root, "none")
    sources_file = load_sources(config)
    store_replays(warehouse, config, sources_file)
    stats = rebuild_all(warehouse, sources_file)
    rows = _rows(warehouse, """
        select release_id, version, body_text, fetched_at, published_at from raw.releases
        order by release_id, version
    """)
    assert rows == [
        ("agency:a-1", 1, "Original text of the first release.", datetime(2023, 11, 20, 12),
         datetime(2023, 11, 20, 10)),
        ("agency:a-1", 2, "Corrected text of the first release.", datetime(2023, 11, 21, 12),
         datetime(2023, 11, 20, 10)),
        ("agency:b-2", 1, "Text of the second release.", datetime(2023, 11, 20, 12),
         datetime(2023, 11, 20, 10)),
    ]
    assert (stats.releases, stats.versions_written) == (2, 3)


def test_truncated_reobservation_does_not_supersede_full_text(
        warehouse: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    root = tmp_path / "replay"
    page_url = "https://feeds.example.org/news/a-1"
    page = ("<html><body><h1>First release</h1><section class=\"content\">"
            "<p>Full paragraph one.</p><p>Full paragraph two.</p></section></body></html>")
    feed = _rss([("a-1", "First release", "Teaser only.")])
    _write_fetch(root, 1, "2023-11-20T12:00:00Z", [
        (FEED_URL, "rss.xml", feed, 200, RSS_TYPE),
        (page_url, "a-1.htm", page, 200, "text/html"),
    ])
    _write_fetch(root, 2, "2023-11-21T12:00:00Z", [
        (FEED_URL, "rss.xml", feed, 200, RSS_TYPE),
        (page_url, "a-1.404.htm", "<html><body>Not found</body></html>", 404, "text/html"),
    ])
    config = _write_config(root, "html")
    sources_file = load_sources(config)
    store_replays(warehouse, config, sources_file)
    rebuild_all(warehouse, sources_file)
    observed = _rows(warehouse, "select detail_status from raw.fetched_items order by fetched_at")
    assert observed == [(200,), (404,)]
    assert _rows(warehouse, "select version, body_text, is_truncated from raw.releases") == [
        (1, "Full paragraph one.\n\nFull paragraph two.", False)]


# --- crash mid-write -------------------------------------------------------------------------

class _CrashAfterDelete:
    """A connection that fails when the rebuilt rows are about to be inserted."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self._conn = conn
        self.deleted = False

    def execute(self, sql: str, *args: object):
        statement = " ".join(sql.split())
        if "delete from raw.releases" in statement:
            self.deleted = True
        if statement.startswith("insert into raw.releases"):
            raise RuntimeError("simulated crash between delete and insert")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._conn, name)


def test_crash_mid_write_leaves_the_previous_state(
        loaded: duckdb.DuckDBPyConnection, sample_file: SourcesFile) -> None:
    sample = loaded
    before = _table(sample, "releases")
    assert len(before) == 71
    crashing = _CrashAfterDelete(sample)
    with pytest.raises(RuntimeError, match="simulated crash"):
        rebuild_releases(crashing, {s.name: s for s in sample_file.sources}, *WIDE, now=NOW)
    assert crashing.deleted
    assert _table(sample, "releases") == before
    # the connection is usable afterwards and a normal rebuild gives the same rows
    rebuild_all(sample, sample_file)
    assert _table(sample, "releases") == before


def test_releases_survive_reopening_the_file(tmp_path: Path, sample_file: SourcesFile) -> None:
    path = tmp_path / "w.duckdb"
    with open_warehouse(path) as conn:
        ensure_raw_schema(conn)
        store_replays(conn, SAMPLE_CONFIG, sample_file)
        rebuild_all(conn, sample_file)
        before = _table(conn, "releases")
    with open_warehouse(path, read_only=True) as conn:
        assert _table(conn, "releases") == before
        metadata = json.loads(conn.execute(
            "select metadata_json from raw.releases where release_id = 'nato:events_219940'"
        ).fetchone()[0])
    assert metadata["event_start"] == "28 Nov. 2023"
    assert metadata["event_end"] == "29 Nov. 2023"
