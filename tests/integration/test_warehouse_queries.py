"""Every example query in docs/warehouse.md runs on a real warehouse and returns what it says.

The warehouse is built once per module by real `dbt build` from the fixture raw layer in
tests/integration/dbt_fixtures.py, and opened read-only as an analyst would.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import pytest

from tests.integration.dbt_fixtures import (
    ALL_RELEASES,
    R_ADVISORY,
    R_EUROJUST,
    R_EUROPOL,
    R_NEWS,
    R_NEWS_DUMP_COPY,
    load_releases,
    run_dbt,
)

WAREHOUSE_DOC = Path(__file__).resolve().parents[2] / "docs" / "warehouse.md"
QUERY_BLOCK = re.compile(r"^### (?P<heading>[^\n]+)\n+```sql\n(?P<sql>.*?)```", re.S | re.M)


def doc_queries() -> dict[str, str]:
    queries = {match["heading"].strip(): match["sql"] for match in
               QUERY_BLOCK.finditer(WAREHOUSE_DOC.read_text(encoding="utf-8"))}
    return queries


QUERIES = doc_queries()


def test_the_reference_has_a_dozen_queries_each_under_a_heading():
    all_blocks = re.findall(r"```sql\n", WAREHOUSE_DOC.read_text(encoding="utf-8"))
    assert len(QUERIES) >= 12
    assert len(all_blocks) == len(QUERIES), "every ```sql block needs its own ### heading"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    work = tmp_path_factory.mktemp("warehouse")
    db_path = work / "pressroom.duckdb"
    # the news item arrives a second time through a text dump: one release, two sightings
    load_releases(db_path, [*ALL_RELEASES, R_NEWS_DUMP_COPY])
    run_dbt(db_path, work, "build")
    conn = duckdb.connect(str(db_path), read_only=True)
    yield conn
    conn.close()


def run(conn, heading: str) -> list[tuple]:
    return conn.execute(QUERIES[heading]).fetchall()


@pytest.mark.parametrize("heading", sorted(QUERIES))
def test_every_documented_query_runs(published, heading):
    published.execute(QUERIES[heading]).fetchall()


def test_who_met_whom(published):
    rows = run(published, "Who met whom")
    pairs = {(min(a, b), max(a, b), kind, day) for a, b, kind, day in rows}
    assert ("Jens Stoltenberg", "Olaf Scholz", "press_conference", date(2023, 11, 9)) in pairs
    assert ("Jens Stoltenberg", "Katalin Novák", "meeting", date(2023, 11, 8)) in pairs
    assert ("Jens Stoltenberg", "Mark Rutte", "meeting", date(2024, 5, 20)) in pairs
    assert ("Katalin Novák", "Mark Rutte", "meeting", date(2024, 10, 16)) in pairs
    # the press conference reported twice counts once
    assert len(rows) == len(pairs)


def test_whom_the_secretary_general_met_in_2023(published):
    rows = run(published, "Whom NATO's Secretary General met in 2023, where, and how often")
    assert rows == [
        ("Jens Stoltenberg", "Anna Schmidt", 1, ["NATO Headquarters"]),
        ("Jens Stoltenberg", "Katalin Novák", 1, ["NATO Headquarters"]),
        ("Jens Stoltenberg", "Olaf Scholz", 1, ["Berlin"]),
        ("Jens Stoltenberg", "Peter Schmidt", 1, ["NATO Headquarters"]),
    ]


def test_events_by_country_and_month(published):
    rows = run(published, "Events by country and month")
    assert rows == [
        ("BE", "Belgium", date(2023, 11, 1), 1),
        ("DE", "Germany", date(2023, 11, 1), 1),
        ("ES", "Spain", date(2023, 11, 1), 1),
        ("BE", "Belgium", date(2024, 5, 1), 1),
        ("??", "unknown", date(2024, 10, 1), 1),
    ]


def test_upcoming_press_conferences_are_in_the_future_only(published):
    # the fixture's press conference (9 Nov 2023) is in the past
    assert run(published, "Upcoming press conferences, in UTC") == []


def test_press_conferences_in_utc(published):
    assert run(published, "Press conferences with a known start time, in UTC") == [
        (date(2023, 11, 9), time(13, 30), "CET", datetime(2023, 11, 9, 12, 30), "Berlin"),
    ]


def test_people_by_office(published):
    rows = run(published, "People by office over time")
    secretaries_general = [row for row in rows if row[1] == "Secretary General"]
    assert secretaries_general == [
        ("NATO", "Secretary General", "Jaap de Hoop Scheffer", date(2004, 1, 5), date(2009, 7, 31)),
        ("NATO", "Secretary General", "Anders Fogh Rasmussen", date(2009, 8, 1), date(2014, 9, 30)),
        ("NATO", "Secretary General", "Jens Stoltenberg", date(2014, 10, 1), date(2024, 9, 30)),
        ("NATO", "Secretary General", "Mark Rutte", date(2024, 10, 1), None),
    ]
    # NATO's other offices in seed known_offices come with their true tenure too
    assert ("NATO", "Deputy Secretary General", "Mircea Geoană", date(2019, 10, 17),
            date(2024, 9, 10)) in rows
    assert run(published, "Who held an office on a given day") == [
        ("Mark Rutte", "Secretary General", "NATO")]


def test_releases_per_source_per_week(published):
    rows = run(published, "Releases per source per week")
    by_key = {(source, week): (count, advisories) for source, week, count, advisories in rows}
    # 6-9 Nov 2023 is ISO week starting Monday 6 Nov
    assert by_key[("NATO", date(2023, 11, 6))] == (3, 2)
    assert by_key[("Europol", date(2023, 11, 6))] == (1, 0)
    assert by_key[("Eurojust", date(2023, 11, 6))] == (1, 0)
    assert sum(count for count, _ in by_key.values()) == len(ALL_RELEASES)


def test_europol_operations_by_country(published):
    assert run(published, "Europol operations by country") == [
        ("ES", "Spain", date(2023, 11, 1), 1)]


def test_events_reported_by_more_than_one_release(published):
    rows = run(published, "Events reported by more than one release")
    assert [(row[1], row[2], row[3]) for row in rows] == [
        ("operation", date(2023, 11, 6), 2),
        ("press_conference", date(2023, 11, 9), 2),
    ]
    assert rows[0][4] == [f"Europol: {R_EUROPOL.title}", f"Eurojust: {R_EUROJUST.title}"]
    assert rows[1][4] == [f"NATO: {R_ADVISORY.title}", f"NATO: {R_NEWS.title}"]


def test_people_named_in_more_than_one_way(published):
    rows = {row[0]: row[1] for row in run(published, "People named in more than one way")}
    assert rows["Katalin Novák"] == ["Katalin Novak", "Katalin Novák", "Ms Katalin Novák"]
    assert rows["Jens Stoltenberg"] == ["Jens Stoltenberg", "Mr Stoltenberg"]
    assert rows["Mark Rutte"] == ["Mark Rutte", "Rutte"]


def test_person_timeline_with_title_at_event(published):
    assert run(published, "A person's timeline, with the title held at each event") == [
        (date(2024, 5, 20), "meeting", "guest", "Prime Minister", "NATO Headquarters"),
        (date(2024, 10, 16), "meeting", "host", "Secretary General", None),
    ]


def test_venues_with_city_and_country(published):
    assert run(published, "Venues with their city and country") == [
        ("Europol headquarters", "The Hague", "Netherlands"),
        ("NATO Headquarters", "Brussels", "Belgium"),
    ]


def test_evidence_is_the_text_it_cites(published):
    rows = run(published, "The evidence for an appearance")
    assert len(rows) == 10
    variants = dict(published.execute(
        "select full_name, name_variants from marts.dim_people").fetchall())
    for full_name, _, evidence in rows:
        assert evidence in variants[full_name]


def test_releases_updated_after_publication(published):
    rows = run(published, "Releases updated after publication")
    assert [(row[0], row[3]) for row in rows] == [(R_ADVISORY.release_id, 2)]


def test_every_copy_of_a_release(published):
    assert run(published, "Every copy of a release, and where it came from") == [
        (R_NEWS.title, R_NEWS.release_id, "nato", f"https://example.org/{R_NEWS.release_id[5:]}",
         "self", True),
        (R_NEWS.title, R_NEWS_DUMP_COPY.release_id, "nato",
         f"https://example.org/{R_NEWS_DUMP_COPY.release_id[5:]}", "same_text", False),
    ]


def test_events_on_the_map(published):
    rows = run(published, "Events on the map, with how precisely they are placed")
    assert (date(2023, 11, 9), "press_conference", "Berlin", "city", False, 52.52437,
            13.41053) in rows
    assert all(row[5] is not None and row[6] is not None for row in rows)
