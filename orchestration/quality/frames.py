"""The frame each GX suite validates, read from DuckDB, with its computed columns.

A suite only sees one table, so anything that needs another table (does the span match the
release text, does the fact's release exist, does the published date fall on the partition)
is computed here, in SQL or Python, as a boolean column the suite expects to be true, or as a
suite parameter (``{"$PARAMETER": name}``) such as a row count taken from raw.

Raw frames are scoped to the window ``[start, end)`` and capped at ``SAMPLE_ROWS`` rows (a
repeatable reservoir sample beyond that, so a twenty-year backfill validates a bounded
frame; the blocking SQL rules in ``rules.py`` still see every row). Span checks are
computed in SQL (DuckDB's ``substring`` counts code points, as Python's slices do), so no
release text is copied into a frame. Marts frames are capped the same way, without text
columns. Without a window (a full build, a check run alone) a marts frame is a sample of the
whole table. With the window a transform run rebuilt (a new day), a fact mart's frame is the
window's rows (every row holding a key the run rebuilt) plus a small sample of the rest, from
one slice of the stored releases that moves on every day (`_Scope`); the dimensions, rebuilt
whole by every run, stay whole-table samples. What must hold over every row is computed in
SQL either way: the table's row count as the ``table_rows`` column, each row's relationships
as boolean columns looked up in the whole target table, keys and relationships by dbt's
tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from orchestration.sources.dates import EARLIEST_PARTITION
from orchestration.window import Window

SAMPLE_ROWS = 20_000
"""Rows a raw or marts suite validates at most (a windowed marts frame: of the window, plus
``REST_ROWS``). GX's cost and its pandas frame grow with the rows (about 0.5 s and 100 MB a
suite at 100,000); the blocking SQL rules see every row either way."""
REST_ROWS = 1_000
"""Rows outside the window a fact mart's suite validates at most on a windowed run."""
SLICE_RELEASES = 2_048
"""Consecutive stored rows of marts.fct_releases whose releases' rows are the rest a windowed
run samples from (one DuckDB vector: their texts are read in a few blocks, where as many
random releases read the whole text column)."""
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
    scope: str = ""
    """What the rows are, for the check's metadata (marts; a raw check names its window)."""
    counts: dict[str, int] = field(default_factory=dict)
    """Rows by part of the scope (a windowed marts frame: ``window_rows``, ``rest_rows``)."""


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


_IN_WINDOW = {
    "fct_releases": "rows.release_id in (select release_id from window_releases)",
    "fct_events": "rows.event_id in (select event_id from window_events)",
    "fct_appearances": "(rows.event_id in (select event_id from window_events) "
    "or rows.release_id in (select release_id from window_releases))",
}
"""A row of the window, by its key: every row holding a key the run rebuilt is validated,
so a stale copy left beside a rebuilt row fails the suite's uniqueness expectation."""


@dataclass(frozen=True)
class _Scope:
    """The rows of a fact mart a windowed run's suite validates: the window's (``_IN_WINDOW``:
    what the run rebuilt for the window's releases, every row holding one of its keys; a
    sample of ``limit`` beyond that) and a sample of ``rest`` rows of the releases stored in
    one slice of ``marts.fct_releases`` (rows ``slice_start`` to ``slice_end``, exclusive;
    consecutive stored rows, so reading their release texts reads a few blocks, where the
    same number of random releases reads the whole column). The slice moves on by one every
    day: the days cycle through the table. dbt's work set can hold a few rows more than the
    window's (releases whose people were relinked, re-arrived copies, the blocks a
    re-extracted release left); those are validated when a slice or an unscoped run reaches
    them."""

    window: Window
    slice_start: int
    slice_end: int
    limit: int
    rest: int

    @classmethod
    def of(cls, conn: duckdb.DuckDBPyConnection, window: Window, limit: int, rest: int) -> _Scope:
        stored = _count(conn, "select coalesce(max(rowid) + 1, 0) from marts.fct_releases")
        slices = max(1, -(-stored // SLICE_RELEASES))
        start = window.start.toordinal() % slices * SLICE_RELEASES
        return cls(window, start, start + SLICE_RELEASES, limit, rest)

    @property
    def parameters(self) -> dict[str, Any]:
        return {
            "window_start": self.window.start,
            "window_end": self.window.end,
            "slice_start": self.slice_start,
            "slice_end": self.slice_end,
        }

    def ctes(self, table: str, in_window: str) -> str:
        """``window_releases``, ``window_events`` (the events in the de-duplication blocks
        the window's releases report: what dbt rebuilt), ``slice_releases`` and ``base``
        (the window's rows, then the slice's others; ``in_window`` says which)."""
        return f"""
        window_releases as materialized (
            select distinct release_id from raw.releases
            where partition_date >= $window_start and partition_date < $window_end
        ),
        window_events as materialized (
            select distinct event_id from marts.fct_event_releases
            where event_group_key in (
                select event_group_key from marts.fct_event_releases
                where release_id in (select release_id from window_releases))
        ),
        slice_releases as materialized (
            select release_id from marts.fct_releases
            where rowid >= $slice_start and rowid < $slice_end
        ),
        window_rows as materialized (
            select * from (select * from marts.{table} as rows where {in_window})
            using sample reservoir({int(self.limit)} rows) repeatable (9)
        ),
        rest_rows as materialized (
            select * from (
                select * from marts.{table} as rows
                where rows.release_id in (select release_id from slice_releases)
                  and not ({in_window})
            ) using sample reservoir({int(self.rest)} rows) repeatable (9)
        ),
        base as materialized (
            select *, true as in_window from window_rows
            union all
            select *, false as in_window from rest_rows
        )"""

    def describe(self, table: str, data: Any) -> tuple[str, dict[str, int]]:
        """The check's ``scope`` text and rows by part."""
        inside = int(data["in_window"].sum())
        counts = {"window_rows": inside, "rest_rows": len(data) - inside}
        sampled = "a sample of " if inside >= self.limit else ""
        return (
            f"marts.{table}: {sampled}{inside} rows of the window {self.window} + "
            f"{counts['rest_rows']} rows of the releases stored in rows "
            f"{self.slice_start}..{self.slice_end - 1} of marts.fct_releases"
        ), counts


def _window_flag(scope: _Scope | None, alias: str) -> str:
    """The frame's ``in_window`` column (a windowed run's: is the row one of the window's)."""
    return f", {alias}.in_window" if scope else ""


def _whole(table: str, data: Any, table_rows: int) -> tuple[str, dict[str, int]]:
    sampled = f"a sample of {len(data)}" if len(data) < table_rows else f"all {len(data)}"
    return f"marts.{table}: {sampled} of its {table_rows} rows", {}


def _frame(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    sql: str,
    scope: _Scope | None,
    table_rows: int,
    suite_parameters: dict[str, Any] | None = None,
) -> Frame:
    """Suite ``marts_<table>``'s frame from ``sql`` (which may use ``$table_rows`` and, with a
    scope, the scope's parameters), described for the check's metadata."""
    parameters = {"table_rows": table_rows} if "$table_rows" in sql else {}
    data = conn.execute(sql, {**parameters, **(scope.parameters if scope else {})}).df()
    described, counts = scope.describe(table, data) if scope else _whole(table, data, table_rows)
    return Frame(f"marts_{table}", data, suite_parameters or {}, described, counts)


def _fact_base(
    conn: duckdb.DuckDBPyConnection, table: str, window: Window | None, limit: int, rest: int
) -> tuple[str, _Scope | None]:
    """The CTEs ending in ``base``: the window's rows and a slice's on a windowed run, else a
    sample of the whole table."""
    if window is None:
        return _mart_base(table, limit), None
    scope = _Scope.of(conn, window, limit, rest)
    return scope.ctes(table, _IN_WINDOW[table]), scope


def marts_fct_releases(
    conn: duckdb.DuckDBPyConnection,
    limit: int = SAMPLE_ROWS,
    window: Window | None = None,
    rest: int = REST_ROWS,
) -> Frame:
    base, scope = _fact_base(conn, "fct_releases", window, limit, rest)
    table_rows = _table_rows(conn, "fct_releases")
    raw = _count(conn, "select count(distinct release_id) from raw.releases")
    return _frame(
        conn,
        "fct_releases",
        f"""
        with {base}
        select release_id, source, title, release_type, word_count, version_count,
               published_at, published_date,
               published_at is null or cast(published_at as date) = published_date
                   as published_date_matches,
               $table_rows::bigint as table_rows{_window_flag(scope, "base")}
        from base
        """,
        scope,
        table_rows,
        {"raw_release_count": raw},
    )


def marts_fct_events(
    conn: duckdb.DuckDBPyConnection,
    limit: int = SAMPLE_ROWS,
    window: Window | None = None,
    rest: int = REST_ROWS,
) -> Frame:
    """Evidence is checked against the length of each event's release text. Only the texts
    of the frame's releases are read: on a windowed run, the slice's by their stored rows
    and the window rows' by release (reading every release's text, ~300 MB at 100,000
    releases, was ~1 s of the check)."""
    base, scope = _fact_base(conn, "fct_events", window, limit, rest)
    slice_texts = (
        """
            select release_id, length(body_text) as body_length from marts.fct_releases
            where rowid >= $slice_start and rowid < $slice_end
            union"""
        if scope
        else ""
    )
    window_only = "where in_window" if scope else ""
    table_rows = _table_rows(conn, "fct_events")
    raw = _count(conn, "select count(*) from raw.event_mentions")
    return _frame(
        conn,
        "fct_events",
        f"""
        with {base},
        release_texts as materialized ({slice_texts}
            select release_id, length(body_text) as body_length from marts.fct_releases
            where release_id in (select release_id from base {window_only})
        )
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
                        and events.evidence_end <= releases.body_length, false)
                   as evidence_inside_text,
               $table_rows::bigint as table_rows{_window_flag(scope, "events")}
        from base as events
        left join release_texts as releases on releases.release_id = events.release_id
        """,
        scope,
        table_rows,
        {"raw_event_mention_count": raw},
    )


def marts_fct_appearances(
    conn: duckdb.DuckDBPyConnection,
    limit: int = SAMPLE_ROWS,
    window: Window | None = None,
    rest: int = REST_ROWS,
) -> Frame:
    base, scope = _fact_base(conn, "fct_appearances", window, limit, rest)
    table_rows = _table_rows(conn, "fct_appearances")
    raw = _count(conn, "select count(*) from raw.event_participants")
    return _frame(
        conn,
        "fct_appearances",
        f"""
        with {base}
        select appearances.appearance_id, appearances.event_id, appearances.person_id,
               appearances.release_id, appearances.role,
               exists (select 1 from marts.fct_events as events
                       where events.event_id = appearances.event_id) as event_exists,
               exists (select 1 from marts.dim_people as people
                       where people.person_id = appearances.person_id) as person_exists,
               exists (select 1 from marts.fct_releases as releases
                       where releases.release_id = appearances.release_id) as release_exists,
               $table_rows::bigint as table_rows{_window_flag(scope, "appearances")}
        from base as appearances
        """,
        scope,
        table_rows,
        {"raw_event_participant_count": raw},
    )


def marts_dim_people(
    conn: duckdb.DuckDBPyConnection, limit: int = SAMPLE_ROWS, window: Window | None = None
) -> Frame:
    """A sample of the whole table on every run (a dimension is rebuilt whole by each)."""
    return _frame(
        conn,
        "dim_people",
        f"""
        with {_mart_base("dim_people", limit)}
        select person_id, full_name, release_count, appearance_count,
               first_seen_date is null or last_seen_date is null
                   or first_seen_date <= last_seen_date as seen_dates_ordered
        from base
        """,
        None,
        _table_rows(conn, "dim_people"),
    )


def marts_dim_locations(
    conn: duckdb.DuckDBPyConnection, limit: int = SAMPLE_ROWS, window: Window | None = None
) -> Frame:
    """A sample of the whole table on every run (a dimension is rebuilt whole by each)."""
    return _frame(
        conn,
        "dim_locations",
        f"""
        with {_mart_base("dim_locations", limit)}
        select locations.location_id, locations.name, locations.kind, locations.country_code,
               locations.latitude, locations.longitude,
               locations.parent_location_id is null or exists (
                   select 1 from marts.dim_locations as parents
                   where parents.location_id = locations.parent_location_id) as parent_exists
        from base as locations
        """,
        None,
        _table_rows(conn, "dim_locations"),
    )


RAW_FRAMES: dict[str, Callable[[duckdb.DuckDBPyConnection, date, date], Frame]] = {
    "release_annotations": raw_release_annotations,
    "person_mentions": raw_person_mentions,
    "location_mentions": raw_location_mentions,
    "event_mentions": raw_event_mentions,
    "event_participants": raw_event_participants,
}
MART_FRAMES: dict[str, Callable[..., Frame]] = {
    "fct_releases": marts_fct_releases,
    "fct_events": marts_fct_events,
    "fct_appearances": marts_fct_appearances,
    "dim_people": marts_dim_people,
    "dim_locations": marts_dim_locations,
}
