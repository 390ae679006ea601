"""The dbt project against a real DuckDB file: build, resolution, dedup, incremental runs.

One module-scoped build (dbt runs take 5-15 s here):
1. raw batch 1 -> `dbt build` (first run: everything);
2. raw batch 2 (later partitions) -> `dbt build` with the partition window set;
3. the extractor re-reads one old partition and moves an event that had been merged with
   another institution's report -> `dbt build` for that one partition;
4. a copy of that file -> `dbt build --full-refresh`; both must hold the same marts.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime, time

import duckdb
import pytest

from tests.integration.dbt_fixtures import (
    BATCH_1,
    BATCH_2,
    BATCH_2_WINDOW,
    R_ADVISORY,
    R_DE_BOLLE,
    R_EUROJUST,
    R_EUROPOL,
    R_EUROPOL_REEXTRACTED,
    R_LONE_RUTTE,
    R_NEWS,
    R_NEWS_DUMP_COPY,
    REEXTRACTION_WINDOW,
    RESOLUTION_CASES,
    RESOLUTION_WINDOW,
    load_releases,
    mart_rows,
    run_dbt,
)

MART_KEYS = {
    "fct_releases": "release_id",
    "fct_events": "event_id",
    "fct_event_releases": "event_mention_id",
    "fct_appearances": "appearance_id",
    "fct_person_mentions": "person_mention_id",
    "fct_location_mentions": "location_mention_id",
    "dim_people": "person_id",
    "dim_people_roles": "person_id, title, valid_from",
    "dim_locations": "location_id",
    "fct_release_sightings": "sighted_release_id",
}


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory):
    """(incremental_db, full_refresh_db, db_after_batch_1_snapshot)."""
    work = tmp_path_factory.mktemp("dbt")
    incremental_db = work / "incremental.duckdb"
    load_releases(incremental_db, BATCH_1)
    run_dbt(incremental_db, work, "build")
    after_batch_1 = work / "after_batch_1.duckdb"
    shutil.copy(incremental_db, after_batch_1)

    load_releases(incremental_db, BATCH_2)
    run_dbt(incremental_db, work, "build", window=BATCH_2_WINDOW)

    load_releases(incremental_db, [R_EUROPOL_REEXTRACTED])
    run_dbt(incremental_db, work, "build", window=REEXTRACTION_WINDOW)

    load_releases(incremental_db, RESOLUTION_CASES)
    run_dbt(incremental_db, work, "build", window=RESOLUTION_WINDOW)

    full_refresh_db = work / "full_refresh.duckdb"
    shutil.copy(incremental_db, full_refresh_db)
    run_dbt(full_refresh_db, work, "build", "--full-refresh")
    return incremental_db, full_refresh_db, after_batch_1


@pytest.fixture(scope="module")
def warehouse(warehouses):
    incremental_db, _, _ = warehouses
    conn = duckdb.connect(str(incremental_db), read_only=True)
    yield conn
    conn.close()


def people_by_name(conn) -> dict[str, tuple]:
    rows = conn.execute(
        "select full_name, person_id, name_variants, honorific, title, organisation,"
        " release_count, appearance_count from marts.dim_people").fetchall()
    return {row[0]: row for row in rows}


def test_schemas_are_exactly_staging_intermediate_marts(warehouse):
    schemas = {row[0] for row in warehouse.execute(
        "select distinct table_schema from information_schema.tables").fetchall()}
    assert {"staging", "intermediate", "marts"} <= schemas
    assert not {schema for schema in schemas if schema.startswith("main_")}


def test_mart_columns_follow_the_contract(warehouse):
    contract = {
        "fct_releases": ["release_id", "source", "source_name", "url", "title", "summary",
                         "body_text", "release_type", "language", "published_at",
                         "published_date", "is_truncated", "word_count", "content_hash",
                         "version_count", "fetched_at", "extractor_version"],
        "fct_events": ["event_id", "release_id", "event_type", "description", "start_date",
                       "end_date", "date_precision", "start_time", "timezone", "starts_at",
                       "location_id", "evidence_start", "evidence_end"],
        "fct_appearances": ["appearance_id", "event_id", "person_id", "release_id", "role",
                            "title_at_event", "evidence_start", "evidence_end"],
        "dim_people": ["person_id", "full_name", "name_variants", "honorific", "title",
                       "organisation", "first_seen_date", "last_seen_date", "release_count",
                       "appearance_count"],
        "dim_people_roles": ["person_id", "title", "organisation", "valid_from", "valid_to"],
        "dim_locations": ["location_id", "name", "kind", "country_code", "country_name",
                          "latitude", "longitude", "geonames_id", "parent_location_id"],
        "fct_person_mentions": ["release_id", "person_id", "mention_text", "start", "end"],
        "fct_location_mentions": ["release_id", "location_id", "mention_text", "start", "end"],
    }
    for table, columns in contract.items():
        actual = [row[0] for row in warehouse.execute(f"describe marts.{table}").fetchall()]
        missing = [column for column in columns if column not in actual]
        assert not missing, f"marts.{table} lacks {missing}"
    types = dict(warehouse.execute(
        "select table_name || '.' || column_name, data_type from information_schema.columns"
        " where table_schema = 'marts'").fetchall())
    assert types["fct_releases.published_at"] == "TIMESTAMP"
    assert types["fct_releases.published_date"] == "DATE"
    assert types["fct_events.starts_at"] == "TIMESTAMP"
    assert types["fct_events.start_date"] == "DATE"
    assert types["fct_events.start_time"] == "TIME"
    assert types["dim_people.name_variants"] == "VARCHAR[]"


def test_one_person_however_named(warehouse):
    people = people_by_name(warehouse)
    # "Ms Katalin Novák" (2023) and "Katalin Novak" (2024): one person, accented name shown
    assert "Katalin Novak" not in people
    novak = people["Katalin Novák"]
    assert novak[2] == ["Katalin Novak", "Katalin Novák", "Ms Katalin Novák"]
    assert novak[3] == "Ms"
    assert novak[6] == 2
    # "Mr Stoltenberg" and "Jens Stoltenberg"
    stoltenberg = people["Jens Stoltenberg"]
    assert stoltenberg[2] == ["Jens Stoltenberg", "Mr Stoltenberg"]
    assert (stoltenberg[4], stoltenberg[5]) == ("Secretary General", "NATO")
    assert sum(1 for name in people if "Stoltenberg" in name) == 1


def test_people_sharing_a_surname_stay_apart(warehouse):
    people = people_by_name(warehouse)
    assert people["Anna Schmidt"][1] != people["Peter Schmidt"][1]
    assert people["Anna Schmidt"][5] == "Germany"
    assert people["Peter Schmidt"][5] == "European Union"


def test_lone_surname_links_only_to_a_unique_full_name(warehouse):
    people = people_by_name(warehouse)
    # "Putin" has no full name anywhere: stays a person of its own
    assert people["Putin"][2] == ["Putin"]
    # "Rutte" (1 Nov 2024) links to the only Rutte with a full name, which arrived in a
    # later incremental run than the lone mention
    assert "Rutte" not in people
    assert "Rutte" in people["Mark Rutte"][2]
    lone = warehouse.execute(
        "select person_id from marts.fct_person_mentions where release_id = ?",
        [R_LONE_RUTTE.release_id]).fetchall()
    assert lone == [(people["Mark Rutte"][1],)]


def test_advisory_and_news_item_are_one_event_with_both_releases(warehouse):
    events = warehouse.execute(
        "select event_id, release_id, start_time, timezone, starts_at from marts.fct_events"
        " where event_type = 'press_conference' and start_date = date '2023-11-09'").fetchall()
    assert len(events) == 1
    event_id, release_id, start_time, timezone, starts_at = events[0]
    # the advisory (published first) represents the event and gives the time
    assert release_id == R_ADVISORY.release_id
    assert (start_time, timezone, starts_at) == (time(13, 30), "CET", datetime(2023, 11, 9, 12, 30))
    lineage = warehouse.execute(
        "select release_id, is_representative from marts.fct_event_releases"
        " where event_id = ? order by release_id", [event_id]).fetchall()
    assert lineage == [(R_ADVISORY.release_id, True), (R_NEWS.release_id, False)]
    appearances = warehouse.execute(
        "select people.full_name, appearances.role, appearances.release_id"
        " from marts.fct_appearances as appearances"
        " inner join marts.dim_people as people on appearances.person_id = people.person_id"
        " where appearances.event_id = ? order by people.full_name", [event_id]).fetchall()
    assert appearances == [("Jens Stoltenberg", "host", R_ADVISORY.release_id),
                           ("Olaf Scholz", "guest", R_ADVISORY.release_id)]


def test_title_at_event_follows_the_secretary_general_handover(warehouse):
    rows = warehouse.execute("""
        select people.full_name, events.start_date, appearances.title_at_event
        from marts.fct_appearances as appearances
        inner join marts.fct_events as events on appearances.event_id = events.event_id
        inner join marts.dim_people as people on appearances.person_id = people.person_id
        where people.full_name in ('Jens Stoltenberg', 'Mark Rutte')
        order by events.start_date, people.full_name
    """).fetchall()
    assert rows == [
        ("Jens Stoltenberg", date(2023, 11, 8), "Secretary General"),
        ("Jens Stoltenberg", date(2023, 11, 9), "Secretary General"),
        ("Jens Stoltenberg", date(2024, 5, 20), "Secretary General"),
        ("Mark Rutte", date(2024, 5, 20), "Prime Minister"),
        ("Mark Rutte", date(2024, 10, 16), "Secretary General"),
    ]
    roles = warehouse.execute("""
        select people.full_name, roles.valid_from, roles.valid_to
        from marts.dim_people_roles as roles
        inner join marts.dim_people as people on roles.person_id = people.person_id
        where roles.title = 'Secretary General' and roles.organisation = 'NATO'
        order by roles.valid_from
    """).fetchall()
    # the whole succession from seed known_offices: holders the fixture never names are
    # reference-only people
    assert roles == [("Jaap de Hoop Scheffer", date(2004, 1, 5), date(2009, 7, 31)),
                     ("Anders Fogh Rasmussen", date(2009, 8, 1), date(2014, 9, 30)),
                     ("Jens Stoltenberg", date(2014, 10, 1), date(2024, 9, 30)),
                     ("Mark Rutte", date(2024, 10, 1), None)]


def test_releases_keep_the_latest_version(warehouse):
    row = warehouse.execute(
        "select version_count, body_text, source_name, release_type, word_count,"
        " extractor_version from marts.fct_releases where release_id = ?",
        [R_ADVISORY.release_id]).fetchone()
    assert row[0] == 2
    assert row[1] == R_ADVISORY.body
    assert row[2:4] == ("NATO", "media_advisory")
    assert row[4] == len(R_ADVISORY.body.split())
    assert row[5] == "test-1.0"
    # 8 + 3 of the resolution cases; the fourth is a dump copy of a feed item (a sighting)
    assert warehouse.execute("select count(*) from marts.fct_releases").fetchone()[0] == 11


def test_location_chain_venue_city_country(warehouse):
    chain = warehouse.execute("""
        select venue.name, city.name, city.kind, country.name, country.kind,
               country.parent_location_id
        from marts.dim_locations as venue
        inner join marts.dim_locations as city on venue.parent_location_id = city.location_id
        inner join marts.dim_locations as country on city.parent_location_id = country.location_id
        where venue.kind = 'venue'
        order by venue.name
    """).fetchall()
    assert chain == [
        ("Europol headquarters", "The Hague", "city", "Netherlands", "country", None),
        ("NATO Headquarters", "Brussels", "city", "Belgium", "country", None),
    ]


def test_reextracted_event_splits_from_the_other_institutions_report(warehouse):
    operations = warehouse.execute("""
        select events.start_date, events.release_id,
               list(lineage.release_id order by lineage.release_id)
        from marts.fct_events as events
        inner join marts.fct_event_releases as lineage on events.event_id = lineage.event_id
        where events.event_type = 'operation'
        group by all
        order by events.start_date
    """).fetchall()
    assert operations == [
        (date(2023, 11, 6), R_EUROJUST.release_id, [R_EUROJUST.release_id]),
        (date(2023, 11, 7), R_EUROPOL.release_id, [R_EUROPOL.release_id]),
    ]


def test_first_run_before_the_later_batch(warehouses):
    _, _, after_batch_1 = warehouses
    conn = duckdb.connect(str(after_batch_1), read_only=True)
    try:
        names = {row[0] for row in
                 conn.execute("select full_name from marts.dim_people").fetchall()}
        assert "Rutte" in names  # no full name yet: the lone surname is a person of its own
        # Europol and Eurojust reported one operation: one event, two reports
        assert conn.execute(
            "select count(distinct event_id), count(*) from marts.fct_event_releases"
            " where event_mention_id like 'euro%'").fetchone() == (1, 2)
    finally:
        conn.close()


@pytest.mark.parametrize("table", sorted(MART_KEYS))
def test_incremental_run_equals_full_refresh(warehouses, table):
    incremental_db, full_refresh_db, _ = warehouses
    incremental = mart_rows(incremental_db, table, MART_KEYS[table])
    full_refresh = mart_rows(full_refresh_db, table, MART_KEYS[table])
    assert incremental, f"marts.{table} is empty"
    assert incremental == full_refresh


def test_a_release_seen_through_a_dump_and_the_feed_is_one_release(warehouse):
    # regression (#10): the dump copy of a feed item was a second fct_releases row
    assert warehouse.execute(
        "select count(*) from marts.fct_releases where release_id = ?",
        [R_NEWS_DUMP_COPY.release_id]).fetchone()[0] == 0
    assert warehouse.execute("""
        select sighted_release_id, release_id, is_canonical, match_basis
        from marts.fct_release_sightings where release_id = ? order by is_canonical desc
    """, [R_NEWS.release_id]).fetchall() == [
        (R_NEWS.release_id, R_NEWS.release_id, True, "self"),
        (R_NEWS_DUMP_COPY.release_id, R_NEWS.release_id, False, "same_text"),
    ]
    assert warehouse.execute(
        "select sighting_count from marts.fct_releases where release_id = ?",
        [R_NEWS.release_id]).fetchone()[0] == 2
    # the copy's mentions and events are not counted again
    for table in ("fct_person_mentions", "fct_event_releases", "fct_appearances"):
        assert warehouse.execute(
            f"select count(*) from marts.{table} where release_id = ?",
            [R_NEWS_DUMP_COPY.release_id]).fetchone()[0] == 0, table


def test_a_two_word_surname_is_the_one_person_with_it(warehouse):
    # regression (#10): "De Bolle" was a second person beside Catherine De Bolle
    people = people_by_name(warehouse)
    assert "De Bolle" not in people
    variants = warehouse.execute(
        "select name_variants from marts.dim_people where full_name = 'Catherine De Bolle'"
    ).fetchone()[0]
    assert "De Bolle" in variants
    assert warehouse.execute("""
        select people.full_name
        from marts.fct_person_mentions as mentions
        inner join marts.dim_people as people on mentions.person_id = people.person_id
        where mentions.release_id = ?
    """, [R_DE_BOLLE.release_id]).fetchall() == [("Catherine De Bolle",)]


def test_timed_items_of_one_agenda_are_never_one_event(warehouse):
    # regression (#10): an 08:30 doorstep, a 16:30 press conference and another
    # institution's press conference that day were one event
    rows = warehouse.execute("""
        select events.start_time, count(*) as reports
        from marts.fct_events as events
        inner join marts.fct_event_releases as lineage on events.event_id = lineage.event_id
        where events.start_date = date '2023-11-27' and events.event_type = 'press_conference'
        group by events.event_id, events.start_time
        order by events.start_time nulls last
    """).fetchall()
    assert rows == [(time(8, 30), 1), (time(16, 30), 1), (None, 1)]


def test_every_location_has_coordinates_and_a_precision(warehouse):
    rows = warehouse.execute(
        "select name, kind, precision, latitude, longitude from marts.dim_locations").fetchall()
    assert rows and all(lat is not None and lon is not None for *_, lat, lon in rows)
    by_name = {name: (kind, precision) for name, kind, precision, _, _ in rows}
    assert by_name["Spain"] == ("country", "country")
    assert by_name["NATO Headquarters"] == ("venue", "venue")
    # an event with no place of its own takes its release's dateline city, marked inferred
    assert warehouse.execute("""
        select events.is_location_inferred, locations.name, events.location_precision
        from marts.fct_events as events
        inner join marts.dim_locations as locations on events.location_id = locations.location_id
        where events.event_type = 'meeting' and events.start_date = date '2023-11-08'
    """).fetchall() == [(False, "NATO Headquarters", "venue")]
