"""The report's numbers, read from the published warehouse (read-only, confined)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from orchestration.warehouse.target import DuckLake

TOP_PEOPLE = 12
NETWORK_PEOPLE = 15

EVENTS_PER_WEEK = """
select
    cast(date_trunc('week', events.start_date) as date) as week,
    releases.source_name as source,
    events.event_type,
    count(*) as events
from marts.fct_events as events
inner join marts.fct_releases as releases
    on events.release_id = releases.release_id
group by all
order by week, source, events.event_type
"""

EVENT_PLACES = """
select
    places.name,
    places.kind,
    coalesce(places.country_name, '') as country,
    places.latitude,
    places.longitude,
    count(*) as events
from marts.fct_events as events
inner join marts.dim_locations as places
    on events.location_id = places.location_id
where places.latitude is not null and places.longitude is not null
group by all
order by events desc, places.name
"""

TOP_PEOPLE_SQL = """
select person_id, full_name, coalesce(title, '') as title, appearance_count
from marts.dim_people
where appearance_count > 0
order by appearance_count desc, full_name
limit ?
"""

APPEARANCES = """
select
    people.full_name,
    events.start_date,
    events.event_type,
    coalesce(appearances.title_at_event, '(no title)') as title_at_event,
    appearances.role
from marts.fct_appearances as appearances
inner join marts.fct_events as events
    on appearances.event_id = events.event_id
inner join marts.dim_people as people
    on appearances.person_id = people.person_id
where appearances.person_id in (select unnest(?))
"""

OFFICES = """
select
    people.full_name,
    roles.title || coalesce(' (' || roles.organisation || ')', '') as office,
    roles.valid_from,
    coalesce(roles.valid_to, ?) as valid_to
from marts.dim_people_roles as roles
inner join marts.dim_people as people
    on roles.person_id = people.person_id
where roles.person_id in (select unnest(?))
"""

MEETINGS = """
select
    first_person.full_name as person,
    second_person.full_name as met,
    count(distinct first_appearance.event_id) as events
from marts.fct_appearances as first_appearance
inner join marts.fct_appearances as second_appearance
    on first_appearance.event_id = second_appearance.event_id
    and first_appearance.person_id <> second_appearance.person_id
inner join marts.dim_people as first_person
    on first_appearance.person_id = first_person.person_id
inner join marts.dim_people as second_person
    on second_appearance.person_id = second_person.person_id
where first_appearance.person_id in (select unnest(?))
    and second_appearance.person_id in (select unnest(?))
group by all
"""

TIMED_EVENTS = """
select
    events.starts_at,
    events.event_type,
    events.description,
    coalesce(places.name, '') as place,
    releases.source_name as source
from marts.fct_events as events
inner join marts.fct_releases as releases
    on events.release_id = releases.release_id
left join marts.dim_locations as places
    on events.location_id = places.location_id
where events.starts_at is not null
"""


@dataclass(frozen=True)
class ReportData:
    """Every frame the page shows; empty frames are allowed (the page says so)."""

    events_per_week: pl.DataFrame
    places: pl.DataFrame
    people: pl.DataFrame
    appearances: pl.DataFrame
    offices: pl.DataFrame
    meetings: pl.DataFrame
    upcoming: pl.DataFrame
    latest_timed: pl.DataFrame
    releases_by_source: pl.DataFrame
    rejected: pl.DataFrame
    quarantined: int | None
    as_of: date
    last_day: date | None


def _table_exists(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return (
        conn.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ? and table_catalog = current_database()",
            [schema, table],
        ).fetchone()[0]
        > 0
    )


def load(published: Path | DuckLake, as_of: date) -> ReportData:
    """Read everything the report shows in one read-only, confined connection."""
    from orchestration.cli.query import connect_confined

    conn = connect_confined(published)
    try:
        people = conn.execute(TOP_PEOPLE_SQL, [TOP_PEOPLE]).pl()
        network = conn.execute(TOP_PEOPLE_SQL, [NETWORK_PEOPLE]).pl()["person_id"].to_list()
        ids = people["person_id"].to_list()
        last_day = conn.execute("select max(start_date) from marts.fct_events").fetchone()[0]
        timed = TIMED_EVENTS
        rejected = (
            conn.execute(
                "select source, reason, count(*) as items from raw.rejected_items "
                "group by all order by items desc, source, reason"
            ).pl()
            if _table_exists(conn, "raw", "rejected_items")
            else pl.DataFrame()
        )
        quarantined = (
            conn.execute("select count(*) from raw.quarantine").fetchone()[0]
            if _table_exists(conn, "raw", "quarantine")
            else None
        )
        return ReportData(
            events_per_week=conn.execute(EVENTS_PER_WEEK).pl(),
            places=conn.execute(EVENT_PLACES).pl(),
            people=people,
            appearances=conn.execute(APPEARANCES, [ids]).pl(),
            offices=conn.execute(OFFICES, [last_day or as_of, ids]).pl(),
            meetings=conn.execute(MEETINGS, [network, network]).pl(),
            upcoming=conn.execute(
                timed + " and events.starts_at >= ? order by events.starts_at limit 25", [as_of]
            ).pl(),
            latest_timed=conn.execute(timed + " order by events.starts_at desc limit 10").pl(),
            releases_by_source=conn.execute(
                "select source_name as source, count(*) as releases, max(fetched_at) as "
                "last_fetched_at from marts.fct_releases group by all order by source"
            ).pl(),
            rejected=rejected,
            quarantined=quarantined,
            as_of=as_of,
            last_day=last_day,
        )
    finally:
        conn.close()
