"""Extraction over the bundled sample, stored in DuckDB the way the Dagster asset stores it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from orchestration.settings import SAMPLE_SOURCES_FILE
from orchestration.sources.config import load_sources
from orchestration.sources.runner import collect_dumps, collect_sources, known_labels
from orchestration.warehouse.mentions import (
    extract_batches,
    latest_releases,
    replace_mentions,
)
from orchestration.warehouse.raw_store import store_collected
from orchestration.warehouse.releases import rebuild_releases
from orchestration.warehouse.schema import ensure_raw_schema

START, END = date(2023, 10, 1), date(2023, 12, 1)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    sources = load_sources(SAMPLE_SOURCES_FILE)
    path = Path(tmp_path_factory.mktemp("extract")) / "w.duckdb"
    conn = duckdb.connect(str(path))
    ensure_raw_schema(conn)
    for collected in [*collect_sources(sources, SAMPLE_SOURCES_FILE),
                      *collect_dumps(sources.dumps, SAMPLE_SOURCES_FILE, known_labels(sources))]:
        store_collected(conn, collected, "test")
    rebuild_releases(conn, {s.name: s for s in sources.sources}, START, END)
    replace_mentions(conn, START, END,
                     extract_batches(latest_releases(conn, START, END), processes=1))
    yield conn
    conn.close()


def test_every_release_is_annotated_with_a_type(warehouse: duckdb.DuckDBPyConnection) -> None:
    missing = warehouse.execute("""
        select count(*) from (select distinct release_id from raw.releases) as releases
        anti join raw.release_annotations using (release_id)""").fetchone()[0]
    assert missing == 0
    types = {row[0] for row in warehouse.execute(
        "select distinct release_type from raw.release_annotations").fetchall()}
    assert types <= {"media_advisory", "press_release", "statement", "news", "speech", "other"}
    assert "media_advisory" in types


def test_spans_point_at_their_surface_text(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = warehouse.execute("""
        with latest as (select release_id, body_text from raw.releases
                        qualify row_number() over (partition by release_id
                                                   order by version desc) = 1)
        select mention.surface_text, latest.body_text, mention.start, mention."end"
        from raw.person_mentions as mention inner join latest using (release_id)
        union all
        select mention.surface_text, latest.body_text, mention.start, mention."end"
        from raw.location_mentions as mention inner join latest using (release_id)""").fetchall()
    assert len(rows) > 200
    assert all(body[start:end] == surface for surface, body, start, end in rows)


def test_timed_advisory_lines_convert_to_utc_with_daylight_saving(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    rows = warehouse.execute("""
        select start_date, local_time, timezone_label, starts_at_utc from raw.event_mentions
        where timezone_label in ('CET', 'CEST') and local_time is not null""").fetchall()
    assert {row[2] for row in rows} == {"CET", "CEST"}
    brussels = ZoneInfo("Europe/Brussels")
    for day, local, label, utc in rows:
        hour, minute = map(int, local.split(":"))
        expected = datetime(day.year, day.month, day.day, hour, minute, tzinfo=brussels)
        offset = expected.utcoffset()
        assert offset == timedelta(hours=2 if label == "CEST" else 1), (day, label)
        assert utc == expected.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def test_changed_advisory_uses_the_latest_version(warehouse: duckdb.DuckDBPyConnection) -> None:
    times = {row[0] for row in warehouse.execute(
        "select local_time from raw.event_mentions where release_id = 'nato:news_220025' "
        "and local_time is not null").fetchall()}
    assert "14:00" in times
    assert "13:30" in times  # the meeting moved from 13:00 to 13:30; the conference to 14:00
    assert "13:00" not in times


def test_known_people_and_places(warehouse: duckdb.DuckDBPyConnection) -> None:
    people = {row[0]: row[1:] for row in warehouse.execute(
        "select full_name, title, organisation from raw.person_mentions").fetchall()}
    assert "Catherine De Bolle" in people
    assert "Jens Stoltenberg" in people
    places = {(row[0], row[1]) for row in warehouse.execute(
        "select place_name, country_code from raw.location_mentions").fetchall()}
    assert ("Mons", "BE") in places or ("SHAPE", "BE") in places
    assert ("Georgia", "GE") in places
    assert ("Georgia", "US") not in places


def test_every_participant_is_a_person_mentioned_in_the_body(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    # Regression: speakers named only in a transcript's title became participants with no
    # mention, and the marts' "appearance's person is mentioned in its release" test failed
    # (opinions_219446, opinions_219770 in the sample).
    orphans = warehouse.execute("""
        select participants.release_id, participants.full_name
        from raw.event_participants as participants
        anti join raw.person_mentions as mentions
          on mentions.release_id = participants.release_id
         and mentions.full_name = participants.full_name""").fetchall()
    assert orphans == []
