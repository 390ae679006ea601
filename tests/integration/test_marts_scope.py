"""Marts suites on a windowed run: the window's rows (every row holding one of its keys) plus a
sample of one slice of the other releases; an unscoped run samples the whole table.

A real DuckDB file with 3,000 releases over 300 days (one event and one appearance each); the
window is the last day. Each scope is shown once passing and once failing on a bad row.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.automation import transform_run_config
from orchestration.defs.quality.checks import _validate as run_check
from orchestration.defs.transform.dbt import TransformWindow
from orchestration.quality import frames
from orchestration.quality.gx_runner import validate_frame
from orchestration.warehouse.schema import ensure_raw_schema
from orchestration.window import Window

FIRST = date(2024, 1, 1)
RELEASES, PER_DAY = 3000, 10
LAST = FIRST + timedelta(days=RELEASES // PER_DAY - 1)
WINDOW = Window.of_days(LAST, LAST)  # releases r:2990 .. r:2999
BODY = "NATO Secretary General Mark Rutte met Kaja Kallas in Brussels."
SLICE = 100  # stored rows of marts.fct_releases per slice in these tests
OLD = "r:5"  # an old release whose event a window release reports again (so dbt rebuilt it)

MARTS_DDL = """
create schema if not exists marts;
create table marts.fct_releases (release_id varchar, source varchar, title varchar,
    release_type varchar, word_count integer, version_count integer, published_at timestamp,
    published_date date, body_text varchar);
create table marts.fct_events (event_id varchar, release_id varchar, event_type varchar,
    date_precision varchar, start_date date, end_date date, location_id varchar,
    evidence_start integer, evidence_end integer);
create table marts.fct_event_releases (event_mention_id varchar, event_id varchar,
    release_id varchar, event_group_key varchar);
create table marts.fct_appearances (appearance_id varchar, event_id varchar, person_id varchar,
    release_id varchar, role varchar);
create table marts.dim_people (person_id varchar, full_name varchar, release_count integer,
    appearance_count integer, first_seen_date date, last_seen_date date);
create table marts.dim_locations (location_id varchar, name varchar, kind varchar,
    country_code varchar, latitude double, longitude double, parent_location_id varchar);
"""


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> duckdb.DuckDBPyConnection:
    """Release r:i published on day i // 10; event e:i reported by it in block b:<day>; the
    old event e:old (release r:5) is reported again by window release r:2995."""
    monkeypatch.setattr(frames, "SLICE_RELEASES", SLICE)
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    ensure_raw_schema(conn)
    conn.execute(MARTS_DDL)
    day = "$first::date + cast(i // $per_day as integer)"
    params = {"first": FIRST, "per_day": PER_DAY, "n": RELEASES}
    conn.execute(
        f"""insert into raw.releases by name
            select 'r:' || i as release_id, 1 as version, 'nato' as source,
                   'NATO' as source_name, cast(i as varchar) as native_id,
                   'Title' as title, $body as body_text,
                   {day} as published_at, {day} as partition_date, false as is_truncated,
                   'h' || i as content_hash, now() as fetched_at
            from range($n) as r(i)""",
        {**params, "body": BODY},
    )
    conn.execute(
        f"""insert into marts.fct_releases
            select 'r:' || i, 'nato', 'Title', 'news', 9, 1, {day}, {day}, $body
            from range($n) as r(i)""",
        {**params, "body": BODY},
    )
    conn.execute(
        f"""insert into marts.fct_events
            select 'e:' || i, 'r:' || i, 'meeting', 'day', {day}, null, null, 0, $length
            from range($n) as r(i)""",
        {**params, "length": len(BODY)},
    )
    conn.execute(
        f"""insert into marts.fct_event_releases
            select 'r:' || i || '#e1', 'e:' || i, 'r:' || i, 'b:' || ({day})
            from range($n) as r(i)""",
        params,
    )
    conn.execute(
        """insert into marts.fct_appearances
           select 'a:' || i, 'e:' || i, 'p1', 'r:' || i, 'host' from range($n) as r(i)""",
        {"n": RELEASES},
    )
    conn.execute(
        "insert into marts.fct_events values ('e:old', ?, 'meeting', 'day', ?, null, null, 0, 5)",
        [OLD, FIRST],
    )
    conn.execute(
        "insert into marts.fct_event_releases values "
        f"('{OLD}#e2', 'e:old', '{OLD}', 'b:old'), ('r:2995#e2', 'e:old', 'r:2995', "
        "'b:old')"
    )
    conn.execute(
        """insert into raw.event_mentions by name
           select event_mention_id, release_id, 'meeting' as event_type,
                  current_date as start_date, 'day' as date_precision, 0 as evidence_start,
                  1 as evidence_end, current_date as partition_date, 'x' as extractor_version
           from marts.fct_event_releases"""
    )
    conn.execute(
        """insert into raw.event_participants by name
           select 'r:' || i || '#e1' as event_mention_id, 'r:' || i as release_id,
                  'Mark Rutte' as full_name, 'host' as role, current_date as partition_date,
                  'x' as extractor_version
           from range($n) as r(i)""",
        {"n": RELEASES},
    )
    conn.execute("insert into marts.dim_people values ('p1', 'Mark Rutte', 1, 1, null, null)")
    conn.execute(
        "insert into marts.dim_locations values "
        "('country:BE', 'Belgium', 'country', 'BE', 50.5, 4.5, null)"
    )
    yield conn
    conn.close()


def _ids(frame: frames.Frame, key: str, in_window: bool) -> set[str]:
    rows = frame.data[frame.data["in_window"] == in_window]
    return set(rows[key])


def _stored_row(conn: duckdb.DuckDBPyConnection, release_id: str) -> int:
    return conn.execute(
        "select rowid from marts.fct_releases where release_id = ?", [release_id]
    ).fetchone()[0]


def _slice(conn: duckdb.DuckDBPyConnection, window: Window) -> range:
    start = frames._Scope.of(conn, window, frames.SAMPLE_ROWS, frames.REST_ROWS).slice_start
    return range(start, start + SLICE)


def test_a_windowed_frame_is_the_window_plus_a_sample_of_one_slice(warehouse):
    frame = frames.marts_fct_events(warehouse, window=WINDOW, rest=40)
    # the window's events, and e:old: reported by a window release, so rebuilt by the run
    assert _ids(frame, "event_id", True) == {f"e:{i}" for i in range(2990, 3000)} | {"e:old"}
    rest = frame.data[~frame.data["in_window"]]
    assert len(rest) == 40
    stored = _slice(warehouse, WINDOW)
    assert all(_stored_row(warehouse, release) in stored for release in rest["release_id"])
    assert frame.counts == {"window_rows": 11, "rest_rows": 40}
    assert frame.scope.startswith(f"marts.fct_events: 11 rows of the window {WINDOW} + 40 rows")
    assert validate_frame(frame.suite, frame.data, frame.parameters).passed


def test_the_slice_moves_with_the_day_and_repeats_for_the_same_window(warehouse):
    next_day = Window(WINDOW.start + timedelta(days=1), WINDOW.end + timedelta(days=1))
    assert _slice(warehouse, WINDOW) != _slice(warehouse, next_day)
    first = frames.marts_fct_releases(warehouse, window=WINDOW, rest=40)
    again = frames.marts_fct_releases(warehouse, window=WINDOW, rest=40)
    assert first.data["release_id"].tolist() == again.data["release_id"].tolist()


BAD_ROWS = {
    "fct_releases": "update marts.fct_releases set release_type = 'bogus' where release_id = ?",
    "fct_events": "update marts.fct_events set evidence_end = 500 where release_id = ?",
    "fct_appearances": "update marts.fct_appearances set role = 'bogus' where release_id = ?",
}


@pytest.mark.parametrize("table", sorted(BAD_ROWS))
def test_a_bad_row_inside_the_window_fails_the_windowed_suite(warehouse, table):
    build = frames.MART_FRAMES[table]
    assert validate_frame(*_run(build(warehouse, window=WINDOW))).passed
    warehouse.execute(BAD_ROWS[table], ["r:2993"])
    summary = validate_frame(*_run(build(warehouse, window=WINDOW)))
    assert not summary.passed, table


@pytest.mark.parametrize("table", sorted(BAD_ROWS))
def test_an_unscoped_run_samples_the_whole_table(warehouse, table):
    """A bad old row outside the window and its slice is left to a run without a window,
    which validates a sample of the whole table (here: every row)."""
    build = frames.MART_FRAMES[table]
    stored = _slice(warehouse, WINDOW)
    old = next(f"r:{i}" for i in range(RELEASES) if i not in stored and f"r:{i}" != OLD)
    warehouse.execute(BAD_ROWS[table], [old])
    assert validate_frame(*_run(build(warehouse, window=WINDOW))).passed
    whole = build(warehouse)
    assert "in_window" not in whole.data.columns and len(whole.data) >= RELEASES
    assert not validate_frame(*_run(whole)).passed


def test_evidence_of_a_window_event_is_checked_against_its_old_release_text(warehouse):
    """e:old's release is outside the window and (here) outside the slice: its text is still
    the one its evidence is checked against."""
    assert _stored_row(warehouse, OLD) not in _slice(warehouse, WINDOW)
    warehouse.execute(
        "update marts.fct_releases set body_text = 'tiny' where release_id = ?", [OLD]
    )
    summary = validate_frame(*_run(frames.marts_fct_events(warehouse, window=WINDOW)))
    assert [f["column"] for f in summary.failures] == ["evidence_inside_text"]


def test_a_stale_copy_of_a_window_key_fails_uniqueness(warehouse):
    """A copy of a rebuilt row left elsewhere in the table (an incremental delete that
    missed it) is in the frame beside the new row, whatever its release."""
    warehouse.execute(
        "insert into marts.fct_events select * replace ('r:7' as release_id) "
        "from marts.fct_events where event_id = 'e:2993'"
    )
    summary = validate_frame(*_run(frames.marts_fct_events(warehouse, window=WINDOW)))
    assert ("expect_column_values_to_be_unique", "event_id") in {
        (f["expectation"], f["column"]) for f in summary.failures
    }


def test_dimensions_are_validated_whole_on_a_windowed_run(warehouse):
    frame = frames.marts_dim_locations(warehouse, window=WINDOW)
    assert frame.scope == "marts.dim_locations: all 1 of its 1 rows"
    assert validate_frame(*_run(frame)).passed


def test_the_check_reads_the_runs_window_and_reports_the_scope(warehouse):
    assert TransformWindow.of_run(transform_run_config(WINDOW)) == WINDOW
    assert TransformWindow.of_run(transform_run_config(None)) is None
    assert TransformWindow.of_run({}) is None
    result = run_check(
        lambda: frames.marts_fct_releases(warehouse, window=WINDOW, rest=40), "marts.fct_releases"
    )
    assert result.passed
    metadata = {key: value.value for key, value in result.metadata.items()}
    assert metadata["window_rows"] == 10 and metadata["rest_rows"] == 40
    assert metadata["rows"] == 50
    assert metadata["scope"].startswith(f"marts.fct_releases: 10 rows of the window {WINDOW}")


def _run(frame: frames.Frame) -> tuple:
    return frame.suite, frame.data, frame.parameters
