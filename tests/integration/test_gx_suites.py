"""GX suites on a real DuckDB file: each suite once with good data and once with bad.

Also: the committed JSON is exactly what scripts/author_expectations.py writes; an expectation
that errors counts as failed; the warn-only freshness and volume rules; a check that raises
is reported as failed.
"""

from __future__ import annotations

import importlib.util
import re
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.quality import frames
from orchestration.quality.gx_runner import SUITES_DIR, failing_rows, validate_frame
from orchestration.quality.signals import stale_sources, volume_dips
from orchestration.warehouse.schema import ensure_raw_schema

REPO = Path(__file__).resolve().parents[2]
DAY = date(2024, 3, 5)
WINDOW = (DAY, DAY + timedelta(days=1))
SOURCES = ["europol", "frontex", "nato"]
BODY = "NATO Secretary General Mark Rutte met Kaja Kallas in Brussels on 4 March 2024."

MARTS_DDL = """
create schema if not exists marts;
create table marts.fct_releases (release_id varchar, source varchar, title varchar,
    release_type varchar, word_count integer, version_count integer, published_at timestamp,
    published_date date, body_text varchar);
create table marts.dim_locations (location_id varchar, name varchar, kind varchar,
    country_code varchar, latitude double, longitude double, parent_location_id varchar);
create table marts.fct_events (event_id varchar, release_id varchar, event_type varchar,
    date_precision varchar, start_date date, end_date date, location_id varchar,
    evidence_start integer, evidence_end integer);
create table marts.dim_people (person_id varchar, full_name varchar, release_count integer,
    appearance_count integer, first_seen_date date, last_seen_date date);
create table marts.fct_appearances (appearance_id varchar, event_id varchar, person_id varchar,
    release_id varchar, role varchar);
"""


def _span(text: str) -> tuple[int, int]:
    start = BODY.index(text)
    return start, start + len(text)


@pytest.fixture
def warehouse(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """A small, consistent warehouse: two releases (a feed item and a dump item) and marts."""
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    ensure_raw_schema(conn)
    conn.execute(
        """insert into raw.releases (release_id, version, source, source_name, native_id, url,
               title, body_text, published_at, partition_date, is_truncated, content_hash,
               fetched_at)
           values ('nato:1', 1, 'nato', 'NATO', '1', 'https://www.nato.int/1', 'Rutte meets',
                   'old text', '2024-03-05 09:00', '2024-03-05', false, 'h1', '2024-03-05 10:00'),
                  ('nato:1', 2, 'nato', 'NATO', '1', 'https://www.nato.int/1', 'Rutte meets',
                   ?, '2024-03-05 09:00', '2024-03-05', false, 'h2', '2024-03-05 11:00'),
                  ('osce:x', 1, 'osce', 'OSCE', 'x', null, 'OSCE item', 'Some body text.',
                   null, '2024-03-05', false, 'h3', '2024-03-05 10:00')""", [BODY])
    conn.execute("""insert into raw.release_annotations values
        ('nato:1', 2, 'news', '2024-03-05', '2024-03-05', 'x1'),
        ('osce:x', 1, 'other', '2024-03-05', '2024-03-05', 'x1')""")
    rutte, brussels = _span("Mark Rutte"), _span("Brussels")
    evidence = (0, len(BODY))
    conn.execute("insert into raw.person_mentions values ('nato:1#p1', 'nato:1', ?, ?, "
                 "'Mark Rutte', 'Mark Rutte', null, 'Secretary General', 'NATO', "
                 "'2024-03-05', 'x1')", list(rutte))
    conn.execute("insert into raw.location_mentions values ('nato:1#l1', 'nato:1', ?, ?, "
                 "'Brussels', 'geonames:2800866', 'Brussels', 'city', 'BE', 50.85, 4.35, "
                 "2800866, 'country:BE', 'Belgium', 'country', '2024-03-05', 'x1')",
                 list(brussels))
    conn.execute("insert into raw.event_mentions values ('nato:1#e1', 'nato:1', 'meeting', "
                 "'met Kaja Kallas', '2024-03-04', null, 'day', '10:30', 'CET', "
                 "'Europe/Brussels', '2024-03-04 09:30', 'geonames:2800866', ?, ?, "
                 "'2024-03-05', 'x1')", list(evidence))
    conn.execute("insert into raw.event_participants values ('nato:1#e1', 'nato:1', "
                 "'nato:1#p1', 'Mark Rutte', 'host', ?, ?, '2024-03-05', 'x1')", list(rutte))
    conn.execute(MARTS_DDL)
    conn.execute("""insert into marts.fct_releases values
        ('nato:1', 'nato', 'Rutte meets', 'news', 14, 2, '2024-03-05 09:00', '2024-03-05', ?),
        ('osce:x', 'osce', 'OSCE item', 'other', 3, 1, null, null, 'Some body text.')""",
                 [BODY])
    conn.execute("""insert into marts.dim_locations values
        ('country:BE', 'Belgium', 'country', 'BE', 50.5, 4.5, null),
        ('geonames:2800866', 'Brussels', 'city', 'BE', 50.85, 4.35, 'country:BE'),
        ('region:eu', 'European Union', 'region', null, null, null, null)""")
    conn.execute("insert into marts.fct_events values ('e1', 'nato:1', 'meeting', 'day', "
                 "'2024-03-04', null, 'geonames:2800866', 0, ?)", [len(BODY)])
    conn.execute("insert into marts.dim_people values ('p1', 'Mark Rutte', 1, 1, "
                 "'2024-03-05', '2024-03-05')")
    conn.execute("insert into marts.fct_appearances values ('a1', 'e1', 'p1', 'nato:1', 'host')")
    yield conn
    conn.close()


def _frame(conn: duckdb.DuckDBPyConnection, suite: str) -> frames.Frame:
    if suite == "raw_releases":
        return frames.raw_releases(conn, *WINDOW, SOURCES)
    if suite.startswith("raw_"):
        return frames.RAW_FRAMES[suite.removeprefix("raw_")](conn, *WINDOW)
    return frames.MART_FRAMES[suite.removeprefix("marts_")](conn)


def _validate(conn: duckdb.DuckDBPyConnection, suite: str):
    frame = _frame(conn, suite)
    return validate_frame(frame.suite, frame.data, frame.parameters)


ALL_SUITES = sorted(path.stem for path in SUITES_DIR.glob("*.json"))


def test_every_gated_table_has_a_suite():
    assert sorted(
        ["raw_releases", *(f"raw_{table}" for table in frames.RAW_FRAMES),
         *(f"marts_{model}" for model in frames.MART_FRAMES)]) == ALL_SUITES


@pytest.mark.parametrize("suite", ALL_SUITES)
def test_suite_passes_on_good_data(warehouse, suite):
    summary = _validate(warehouse, suite)
    assert summary.passed, summary.describe()
    assert summary.evaluated == summary.successful > 0


# Each bad case: SQL that corrupts the good warehouse, and the (expectation, column) it trips.
BAD_CASES = {
    "raw_releases": (
        "update raw.releases set source = 'unknown_feed' where release_id = 'nato:1'",
        ("expect_column_values_to_be_in_set", "feed_source")),
    "raw_release_annotations": (
        "update raw.release_annotations set release_type = 'blog' where release_id = 'nato:1'",
        ("expect_column_values_to_be_in_set", "release_type")),
    "raw_person_mentions": (
        "update raw.person_mentions set start = start + 1",
        ("expect_column_values_to_be_in_set", "span_matches_text")),
    "raw_location_mentions": (
        "update raw.location_mentions set country_code = 'UK', latitude = 95",
        ("expect_column_values_to_be_in_set", "country_code")),
    "raw_event_mentions": (
        "update raw.event_mentions set start_date = '0900-01-01', date_precision = 'week'",
        ("expect_column_values_to_be_between", "start_year")),
    "raw_event_participants": (
        "update raw.event_participants set role = 'spectator', evidence_end = 10000",
        ("expect_column_values_to_be_in_set", "role")),
    "marts_fct_releases": (
        "delete from marts.fct_releases where release_id = 'osce:x'",
        ("expect_column_values_to_be_between", "table_rows")),
    "marts_fct_events": (
        "update marts.fct_events set release_id = 'nato:missing'",
        ("expect_column_values_to_be_in_set", "release_exists")),
    "marts_fct_appearances": (
        "insert into marts.fct_appearances values ('a1', 'e9', 'p1', 'nato:1', 'host')",
        ("expect_column_values_to_be_unique", "appearance_id")),
    "marts_dim_people": (
        "update marts.dim_people set full_name = '   '",
        ("expect_column_values_to_match_regex", "full_name")),
    "marts_dim_locations": (
        "update marts.dim_locations set kind = 'planet', longitude = 200 "
        "where location_id = 'country:BE'",
        ("expect_column_values_to_be_in_set", "kind")),
}


@pytest.mark.parametrize("suite", ALL_SUITES)
def test_suite_fails_on_bad_data(warehouse, suite):
    sql, (expectation, column) = BAD_CASES[suite]
    warehouse.execute(sql)
    frame = _frame(warehouse, suite)
    summary = validate_frame(frame.suite, frame.data, frame.parameters)
    assert not summary.passed
    assert (expectation, column) in {(f["expectation"], f["column"]) for f in summary.failures}
    text = summary.describe() + failing_rows(frame.data, summary)
    assert not re.search(r"</?(?:span|div|table|td|strong|p)\b", text)  # never GX's HTML


def test_raw_releases_duplicate_version_fails(warehouse):
    """A duplicate version reaching the GX frame fails the suite too (the SQL rule is
    what refuses it first: test_release_key)."""
    import pandas as pd

    frame = _frame(warehouse, "raw_releases")
    doubled = pd.concat([frame.data, frame.data.iloc[[0]]], ignore_index=True)
    summary = validate_frame("raw_releases", doubled, frame.parameters)
    assert ("expect_compound_columns_to_be_unique", "release_id,version") in {
        (f["expectation"], f["column"]) for f in summary.failures}


def test_raw_releases_published_outside_partition_fails(warehouse):
    warehouse.execute("update raw.releases set published_at = '2024-03-06 01:00' "
                      "where release_id = 'nato:1'")
    summary = _validate(warehouse, "raw_releases")
    failed = {f["column"] for f in summary.failures}
    assert "published_day_matches_partition" in failed
    assert "failing" not in failed


def test_mentions_of_other_partitions_are_not_validated(warehouse):
    warehouse.execute("update raw.person_mentions set start = start + 1, "
                      "partition_date = '2024-03-04'")
    assert _validate(warehouse, "raw_person_mentions").passed


def test_a_marts_frame_is_a_bounded_sample_that_keeps_the_whole_table_count(warehouse):
    warehouse.execute("""insert into marts.fct_releases
        select 'bulk:' || i, 'nato', 'Title', 'news', 10, 1, null, null, 'Text'
        from range(50) as t(i)""")
    frame = frames.marts_fct_releases(warehouse, limit=20)
    assert len(frame.data) == 20
    assert set(frame.data["table_rows"]) == {52}
    # the count is the whole table's, so a sample cannot hide rows missing from it
    summary = validate_frame(frame.suite, frame.data, frame.parameters)
    assert ("expect_column_values_to_be_between", "table_rows") in {
        (f["expectation"], f["column"]) for f in summary.failures}


def test_a_marts_frame_sample_is_repeatable(warehouse):
    warehouse.execute("""insert into marts.fct_events
        select 'bulk:' || i, 'nato:1', 'meeting', 'day', date '2024-03-04', null, null,
               0, 10 from range(500) as t(i)""")
    first = frames.marts_fct_events(warehouse, limit=50).data["event_id"].tolist()
    assert first == frames.marts_fct_events(warehouse, limit=50).data["event_id"].tolist()
    assert len(first) == 50


def test_failing_rows_are_plain_text_and_truncated(warehouse):
    warehouse.execute("update raw.person_mentions set surface_text = ? ", ["<b>" + "x" * 500])
    frame = _frame(warehouse, "raw_person_mentions")
    summary = validate_frame(frame.suite, frame.data, frame.parameters)
    rows = failing_rows(frame.data, summary)
    assert "nato:1#p1" in rows and len(rows) <= 1500
    assert all(len(line) <= 300 for line in rows.splitlines())


# --- an expectation that errors counts as failed (a crash in GX must not pass) --------------------

def test_expectation_that_errors_counts_as_failed(warehouse):
    frame = _frame(warehouse, "raw_person_mentions")
    broken = frame.data.drop(columns=["span_matches_text"])
    summary = validate_frame(frame.suite, broken, frame.parameters)
    assert not summary.passed
    errored = [f for f in summary.failures if f["column"] == "span_matches_text"]
    assert errored and all(f.get("error") for f in errored)


def test_metric_that_raises_counts_as_failed(warehouse):
    """A value the metric cannot compare makes GX record an exception, not a verdict."""
    frame = _frame(warehouse, "raw_event_mentions")
    frame.data["start_year"] = [{"year": 2024}] * len(frame.data)
    summary = validate_frame(frame.suite, frame.data, frame.parameters)
    assert not summary.passed
    errored = [f for f in summary.failures if f.get("error")]
    assert any(f["column"] == "start_year" for f in errored), summary.failures


def test_missing_suite_parameter_raises_and_the_check_fails(warehouse):
    from great_expectations.exceptions import SuiteParameterError

    from orchestration.defs.quality.checks import _validate as run_check

    frame = _frame(warehouse, "raw_releases")
    with pytest.raises(SuiteParameterError):
        validate_frame(frame.suite, frame.data, {})
    unparameterised = frames.Frame(frame.suite, frame.data, {})
    assert run_check(lambda: unparameterised, "window").passed is False


# --- authoring ---------------------------------------------------------------------------------

def _author_module():
    spec = importlib.util.spec_from_file_location("author_expectations",
                                                  REPO / "scripts" / "author_expectations.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_committed_suites_equal_the_authoring_script_output():
    rendered = _author_module().rendered_suites()
    committed = {path.name: path.read_text(encoding="utf-8")
                 for path in SUITES_DIR.glob("*.json")}
    assert committed == rendered, "run scripts/author_expectations.py and commit the JSON"


def test_authoring_check_mode_detects_a_stale_suite(tmp_path, monkeypatch):
    module = _author_module()
    monkeypatch.setattr(module, "SUITES_DIR", tmp_path)
    assert module.main([]) == 0 and module.main(["--check"]) == 0
    (tmp_path / "raw_releases.json").write_text("{}", encoding="utf-8")
    assert module.main(["--check"]) == 1


# --- warn-only signals ---------------------------------------------------------------------------

def _daily(conn: duckdb.DuckDBPyConnection, source: str, days: list[date], per_day: int = 1):
    for day in days:
        for n in range(per_day):
            conn.execute(
                "insert into raw.releases (release_id, version, source, source_name, native_id,"
                " title, body_text, partition_date, is_truncated, content_hash, fetched_at) "
                "values (?, 1, ?, ?, ?, 't', 'b', ?, false, 'h', now())",
                [f"{source}:{day}:{n}", source, source, f"{day}:{n}", day])


def test_fresh_sources_pass_and_a_stale_source_warns(warehouse):
    end = DAY + timedelta(days=1)
    _daily(warehouse, "europol", [DAY - timedelta(days=6)])
    assert stale_sources(warehouse, {"nato": 3, "europol": 7}, DAY, end) == []
    findings = stale_sources(warehouse, {"nato": 3, "europol": 3, "frontex": 14}, DAY, end)
    assert [finding.subject for finding in findings] == ["europol", "frontex"]
    assert "6 days before 2024-03-05" in findings[0].message


def test_normal_volume_passes_and_a_dip_warns(tmp_path):
    conn = duckdb.connect(str(tmp_path / "volume.duckdb"))
    ensure_raw_schema(conn)
    history = [DAY - timedelta(days=n) for n in range(1, 29)]
    _daily(conn, "nato", history, per_day=8)
    _daily(conn, "nato", [DAY], per_day=6)
    assert volume_dips(conn, DAY, DAY + timedelta(days=1)) == []
    conn.execute("delete from raw.releases where partition_date = ? and native_id > ?",
                 [DAY, f"{DAY}:0"])
    findings = volume_dips(conn, DAY, DAY + timedelta(days=1))
    assert [finding.subject for finding in findings] == [DAY.isoformat()]
    conn.close()


def test_quiet_history_does_not_warn(warehouse):
    """Sparse sources (median below 4 a day) are not judged by volume."""
    assert volume_dips(warehouse, DAY + timedelta(days=1), DAY + timedelta(days=3)) == []


# --- the Dagster wrapper: a check that raises is failed ----------------------------------------

def test_check_that_raises_is_reported_failed():
    import dagster as dg

    from orchestration.defs.quality.checks import _validate as run_check

    def boom():
        raise RuntimeError("warehouse unreadable")

    result = run_check(boom, "2024-03-05..2024-03-06")
    assert result.passed is False and result.severity == dg.AssetCheckSeverity.ERROR
    assert "warehouse unreadable" in result.metadata["failed"].value
