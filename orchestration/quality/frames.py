"""The frame each GX suite validates, read from DuckDB, with its computed columns.

A suite only sees one table, so anything that needs another table (does the span match the
release text, does the fact's release exist, does the published date fall on the partition)
is computed here, in SQL or Python, as a boolean column the suite expects to be true, or as a
suite parameter (``{"$PARAMETER": name}``) such as a row count taken from raw.

Raw frames are scoped to the window ``[start, end)`` and capped at ``SAMPLE_ROWS`` rows (a
repeatable reservoir sample beyond that, so a twenty-year backfill validates a bounded
frame; the blocking SQL rules in ``rules.py`` still see every row). Span checks are
computed in SQL (DuckDB's ``substring`` counts code points, as Python's slices do), so no
release text is copied into a frame. Marts frames are capped the same way (a sample of the
whole table, without text columns); what must hold over every row is computed in SQL: the
table's row count as the ``table_rows`` column, keys and relationships by dbt's tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from orchestration.sources.dates import EARLIEST_PARTITION

SAMPLE_ROWS = 20_000
"""Rows a raw or marts suite validates at most. GX's cost and its pandas frame grow with the
rows (about 0.5 s and 100 MB a suite at 100,000); the blocking SQL rules see every row either
way."""
_LATEST_BODIES = """
    latest_versions as (
        select release_id, max(version) as version from raw.releases
        where partition_date >= $1 and partition_date < $2
          and release_id in (select release_id from base)
        group by release_id
    ),
    latest as (
        select releases.release_id, releases.body_text
        from raw.releases as releases
        inner join latest_versions using (release_id, version)
    )"""


def _span_sql(alias: str, start: str, end: str, surface: str | None, nullable: bool = False) -> str:
    """SQL columns span_inside_text (and span_matches_text): ``body_text[start:end]`` in
    Python terms, on the latest body joined as ``latest``."""
    lo, hi = f'{alias}."{start}"', f'{alias}."{end}"'
    inside = f"coalesce({lo} >= 0 and {lo} < {hi} and {hi} <= length(latest.body_text), false)"
    matches = (
        (
            f"coalesce({inside} and substring(latest.body_text, {lo} + 1, {hi} - {lo}) "
            f"= {alias}.{surface}, false)"
        )
        if surface
        else None
    )
    if nullable:
        missing = f"({lo} is null or {hi} is null)"
        inside = f"({missing} or {inside})"
    columns = f"{inside} as span_inside_text"
    return columns + (f", {matches} as span_matches_text" if matches else "")


def _base(conn: duckdb.DuckDBPyConnection, table: str, start: date, end: date, limit: int) -> str:
    """A ``base`` CTE: the window's rows of ``raw.<table>``, or a repeatable reservoir sample
    of ``limit`` of them when the window holds more. Sampled before any join, so checking a
    sample never reads the whole window's release texts."""
    rows = f"select * from raw.{table} where partition_date >= $1 and partition_date < $2"
    count = conn.execute(f"select count(*) from ({rows})", [start, end]).fetchone()[0]  # type: ignore[index]
    if count > limit:  # USING SAMPLE applies before WHERE: sample the filtered rows
        rows = f"select * from ({rows}) using sample reservoir({int(limit)} rows) repeatable (9)"
    return f"base as materialized ({rows})"


@dataclass(frozen=True)
class Frame:
    """A pandas dataframe for one suite, plus the values of the suite's parameters."""

    suite: str
    data: Any  # pandas.DataFrame
    parameters: dict[str, Any]


def raw_releases(
    conn: duckdb.DuckDBPyConnection,
    start: date,
    end: date,
    known_sources: list[str],
    limit: int = SAMPLE_ROWS,
) -> Frame:
    data = conn.execute(
        f"""
        with {_base(conn, "releases", start, end, limit)}
        select release_id, version, source, title, length(body_text) as body_length,
               published_at, partition_date, url,
               case when url is not null then source end as feed_source,
               published_at is null or cast(published_at as date) = partition_date
                   or (partition_date = $3 and published_at < $3)
                   as published_day_matches_partition,
               partition_date >= $1 and partition_date < $2 as partition_in_window
        from base
        """,
        [start, end, EARLIEST_PARTITION],
    ).df()
    # A source removed from the sources file keeps its releases (never deleted by a config
    # change): every source that was ever fetched is a known one.
    fetched = [
        row[0] for row in conn.execute("select distinct source from raw.fetched_items").fetchall()
    ]
    return Frame("raw_releases", data, {"known_sources": sorted({*known_sources, *fetched})})


def raw_release_annotations(
    conn: duckdb.DuckDBPyConnection, start: date, end: date, limit: int = SAMPLE_ROWS
) -> Frame:
    data = conn.execute(
        f"""
        with {_base(conn, "release_annotations", start, end, limit)}
        select annotations.release_id, annotations.version, annotations.release_type,
               annotations.reference_date,
               exists (select 1 from raw.releases
                       where releases.release_id = annotations.release_id
                         and releases.version = annotations.version) as release_exists
        from base as annotations
        """,
        [start, end],
    ).df()
    return Frame("raw_release_annotations", data, {})


def raw_person_mentions(
    conn: duckdb.DuckDBPyConnection, start: date, end: date, limit: int = SAMPLE_ROWS
) -> Frame:
    data = conn.execute(
        f"""
        with {_base(conn, "person_mentions", start, end, limit)}, {_LATEST_BODIES}
        select mentions.mention_id, mentions.release_id, mentions.start, mentions."end",
               mentions.surface_text, mentions.full_name,
               {_span_sql("mentions", "start", "end", "surface_text")}
        from base as mentions
        left join latest on latest.release_id = mentions.release_id
        """,
        [start, end],
    ).df()
    return Frame("raw_person_mentions", data, {})


def raw_location_mentions(
    conn: duckdb.DuckDBPyConnection, start: date, end: date, limit: int = SAMPLE_ROWS
) -> Frame:
    data = conn.execute(
        f"""
        with {_base(conn, "location_mentions", start, end, limit)}, {_LATEST_BODIES}
        select mentions.mention_id, mentions.release_id, mentions.start, mentions."end",
               mentions.surface_text, mentions.place_id, mentions.place_kind,
               mentions.country_code, mentions.latitude, mentions.longitude,
               {_span_sql("mentions", "start", "end", "surface_text")}
        from base as mentions
        left join latest on latest.release_id = mentions.release_id
        """,
        [start, end],
    ).df()
    return Frame("raw_location_mentions", data, {})


def raw_event_mentions(
    conn: duckdb.DuckDBPyConnection, start: date, end: date, limit: int = SAMPLE_ROWS
) -> Frame:
    data = conn.execute(
        f"""
        with {_base(conn, "event_mentions", start, end, limit)}, {_LATEST_BODIES}
        select events.event_mention_id, events.release_id, events.event_type,
               events.date_precision, events.local_time,
               year(events.start_date) as start_year, year(events.end_date) as end_year,
               events.end_date is null or events.end_date >= events.start_date
                   as end_not_before_start,
               events.evidence_start, events.evidence_end,
               {_span_sql("events", "evidence_start", "evidence_end", None)}
        from base as events
        left join latest on latest.release_id = events.release_id
        """,
        [start, end],
    ).df()
    return Frame("raw_event_mentions", data, {})


def raw_event_participants(
    conn: duckdb.DuckDBPyConnection, start: date, end: date, limit: int = SAMPLE_ROWS
) -> Frame:
    data = conn.execute(
        f"""
        with {_base(conn, "event_participants", start, end, limit)}, {_LATEST_BODIES}
        select participants.event_mention_id, participants.release_id, participants.full_name,
               participants.role, participants.evidence_start, participants.evidence_end,
               exists (select 1 from raw.event_mentions as events
                       where events.event_mention_id = participants.event_mention_id)
                   as event_exists,
               {_span_sql("participants", "evidence_start", "evidence_end", None, nullable=True)}
        from base as participants
        left join latest on latest.release_id = participants.release_id
        """,
        [start, end],
    ).df()
    return Frame("raw_event_participants", data, {})


def _count(conn: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(conn.execute(sql).fetchone()[0])  # type: ignore[index]


def _mart_base(table: str, limit: int) -> str:
    """A ``base`` CTE: a repeatable reservoir sample of ``limit`` rows of ``marts.<table>``
    (every row when it holds fewer). Whole-table facts come from SQL over every row: the
    row count here (``table_rows``), keys and relationships in dbt's tests."""
    return (
        f"base as materialized (select * from marts.{table} "
        f"using sample reservoir({int(limit)} rows) repeatable (9))"
    )


def _table_rows(conn: duckdb.DuckDBPyConnection, table: str) -> int:
    return _count(conn, f"select count(*) from marts.{table}")


def marts_fct_releases(conn: duckdb.DuckDBPyConnection, limit: int = SAMPLE_ROWS) -> Frame:
    data = conn.execute(
        f"""
        with {_mart_base("fct_releases", limit)}
        select release_id, source, title, release_type, word_count, version_count,
               published_at, published_date,
               published_at is null or cast(published_at as date) = published_date
                   as published_date_matches,
               $1::bigint as table_rows
        from base
        """,
        [_table_rows(conn, "fct_releases")],
    ).df()
    raw = _count(conn, "select count(distinct release_id) from raw.releases")
    return Frame("marts_fct_releases", data, {"raw_release_count": raw})


def marts_fct_events(conn: duckdb.DuckDBPyConnection, limit: int = SAMPLE_ROWS) -> Frame:
    data = conn.execute(
        f"""
        with {_mart_base("fct_events", limit)}
        select events.event_id, events.release_id, events.event_type, events.date_precision,
               year(events.start_date) as start_year,
               events.end_date is null or events.end_date >= events.start_date
                   as end_not_before_start,
               releases.release_id is not null as release_exists,
               events.location_id is null or exists (
                   select 1 from marts.dim_locations as locations
                   where locations.location_id = events.location_id) as location_exists,
               coalesce(events.evidence_start >= 0
                        and events.evidence_end > events.evidence_start
                        and events.evidence_end <= length(releases.body_text), false)
                   as evidence_inside_text,
               $1::bigint as table_rows
        from base as events
        left join marts.fct_releases as releases on releases.release_id = events.release_id
        """,
        [_table_rows(conn, "fct_events")],
    ).df()
    raw = _count(conn, "select count(*) from raw.event_mentions")
    return Frame("marts_fct_events", data, {"raw_event_mention_count": raw})


def marts_fct_appearances(conn: duckdb.DuckDBPyConnection, limit: int = SAMPLE_ROWS) -> Frame:
    data = conn.execute(
        f"""
        with {_mart_base("fct_appearances", limit)}
        select appearances.appearance_id, appearances.event_id, appearances.person_id,
               appearances.release_id, appearances.role,
               exists (select 1 from marts.fct_events as events
                       where events.event_id = appearances.event_id) as event_exists,
               exists (select 1 from marts.dim_people as people
                       where people.person_id = appearances.person_id) as person_exists,
               exists (select 1 from marts.fct_releases as releases
                       where releases.release_id = appearances.release_id) as release_exists,
               $1::bigint as table_rows
        from base as appearances
        """,
        [_table_rows(conn, "fct_appearances")],
    ).df()
    raw = _count(conn, "select count(*) from raw.event_participants")
    return Frame("marts_fct_appearances", data, {"raw_event_participant_count": raw})


def marts_dim_people(conn: duckdb.DuckDBPyConnection, limit: int = SAMPLE_ROWS) -> Frame:
    data = conn.execute(
        f"""
        with {_mart_base("dim_people", limit)}
        select person_id, full_name, release_count, appearance_count,
               first_seen_date is null or last_seen_date is null
                   or first_seen_date <= last_seen_date as seen_dates_ordered
        from base
        """
    ).df()
    return Frame("marts_dim_people", data, {})


def marts_dim_locations(conn: duckdb.DuckDBPyConnection, limit: int = SAMPLE_ROWS) -> Frame:
    data = conn.execute(
        f"""
        with {_mart_base("dim_locations", limit)}
        select locations.location_id, locations.name, locations.kind, locations.country_code,
               locations.latitude, locations.longitude,
               locations.parent_location_id is null or exists (
                   select 1 from marts.dim_locations as parents
                   where parents.location_id = locations.parent_location_id) as parent_exists
        from base as locations
        """
    ).df()
    return Frame("marts_dim_locations", data, {})


RAW_FRAMES: dict[str, Callable[[duckdb.DuckDBPyConnection, date, date], Frame]] = {
    "release_annotations": raw_release_annotations,
    "person_mentions": raw_person_mentions,
    "location_mentions": raw_location_mentions,
    "event_mentions": raw_event_mentions,
    "event_participants": raw_event_participants,
}
MART_FRAMES: dict[str, Callable[[duckdb.DuckDBPyConnection], Frame]] = {
    "fct_releases": marts_fct_releases,
    "fct_events": marts_fct_events,
    "fct_appearances": marts_fct_appearances,
    "dim_people": marts_dim_people,
    "dim_locations": marts_dim_locations,
}
