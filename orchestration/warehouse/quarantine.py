"""Quarantine, not poison: a release whose rows break a row-level rule leaves the raw layer.

A row-level failure (an oversized body, an empty text, a span outside its text, an impossible
date, a value outside its set, a duplicate key or version) is a property of one release, so it
must not block the rest of its partition or the publish. `quarantine_window` moves each
offending release (its `raw.releases` rows, as JSON) to `raw.quarantine` with the check, the
reason and the payload reference, and deletes it and its mention rows from the raw tables.
Batch-level gates (volume, most of a source rejected, schema drift) are not screens: they
still block.

`release_window` runs when a window is rebuilt from kept payloads: its quarantined releases
are released (``released_at``) and screened again, so a reprocess after a fix brings them
back and one that is still bad is quarantined anew.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb

from orchestration.sources.dates import EARLIEST_PARTITION
from orchestration.warehouse.buckets import in_bucket, window_buckets
from orchestration.warehouse.connection import transaction

MAX_BODY_CHARS = 1_000_000
EVENT_YEARS = (1000, 2999)  # historic dates are data; year 1 or 9999 is an extraction error
MENTION_TABLES = (
    "release_annotations",
    "person_mentions",
    "location_mentions",
    "event_mentions",
    "event_participants",
)


def _latest(table: str) -> str:
    """CTEs ``latest``: the latest body of each release of bucket $4 of $3 that has rows of
    ``raw.<table>`` in the window (not of every release: the window function over all texts
    cost seconds a screen at 100,000 releases). (release_id, version) is raw.releases' primary
    key."""
    return f"""latest_versions as (
        select release_id, max(version) as version from raw.releases
        where release_id in (select release_id from raw.{table}
                             where partition_date >= $1 and partition_date < $2
                               and {in_bucket("release_id", "$3", "$4")})
        group by release_id
    ), latest as (
        select releases.release_id, releases.body_text from raw.releases as releases
        inner join latest_versions using (release_id, version))"""


@dataclass(frozen=True)
class Screen:
    """A query over window [$1, $2) returning (release_id, reason) of offending releases;
    ``per_bucket``: one release bucket at a time, bucket $4 of $3 (it joins release texts)."""

    check: str
    sql: str
    per_bucket: bool = False


def _span(table: str, start: str, end: str, surface: str | None, nullable: bool = False) -> str:
    missing = f"mentions.{start} is null or mentions.{end} is null"
    bad = (
        f"latest.body_text is null or mentions.{start} < 0 "
        f"or mentions.{end} <= mentions.{start} "
        f"or mentions.{end} > length(latest.body_text)"
    )
    if surface:
        bad += (
            f" or substring(latest.body_text, mentions.{start} + 1, "
            f"mentions.{end} - mentions.{start}) <> mentions.{surface}"
        )
    condition = f"not ({missing}) and ({bad})" if nullable else f"({missing}) or {bad}"
    return f"""with {_latest(table)}
        select mentions.release_id, 'span ' || coalesce(cast(mentions.{start} as varchar), '?')
               || '..' || coalesce(cast(mentions.{end} as varchar), '?')
               || ' is not inside the release text'
        from raw.{table} as mentions left join latest using (release_id)
        where mentions.partition_date >= $1 and mentions.partition_date < $2
          and {in_bucket("mentions.release_id", "$3", "$4")} and ({condition})"""


def _outside_set(
    table: str,
    column: str,
    values: tuple[str, ...],
    key: str = "release_id",
    nullable: bool = False,
) -> str:
    listed = ", ".join(f"'{value}'" for value in values)
    null_ok = f"{column} is not null and " if nullable else f"{column} is null or "
    return f"""select {key}, '{column} ' || coalesce({column}, 'null') || ' is not allowed'
        from raw.{table} where partition_date >= $1 and partition_date < $2
          and ({null_ok}{column} not in ({listed}))"""


def _duplicates(table: str, key: str) -> str:
    return f"""select any_value(release_id), '{key} ' || {key} || ' appears twice'
        from raw.{table} where partition_date >= $1 and partition_date < $2
        group by {key} having count(*) > 1"""


def _country_codes() -> tuple[str, ...]:
    from orchestration.quality.rules import VALID_COUNTRY_CODES

    return tuple(VALID_COUNTRY_CODES)


RELEASE_SCREENS = (
    Screen(
        "oversized_body",
        f"""select release_id, 'body of ' || length(body_text)
        || ' characters exceeds {MAX_BODY_CHARS}' from raw.releases
        where partition_date >= $1 and partition_date < $2
          and length(body_text) > {MAX_BODY_CHARS}""",
    ),
    Screen(
        "empty_text",
        """select release_id, 'empty title or body' from raw.releases
        where partition_date >= $1 and partition_date < $2
          and (trim(title) = '' or trim(body_text) = '')""",
    ),
    Screen(
        "published_outside_partition",
        f"""select release_id, 'published '
        || cast(published_at as varchar) || ' but filed under ' || cast(partition_date as varchar)
        from raw.releases where partition_date >= $1 and partition_date < $2
          and published_at is not null and cast(published_at as date) <> partition_date
          and not (partition_date = DATE '{EARLIEST_PARTITION}'
                   and published_at < DATE '{EARLIEST_PARTITION}')""",
    ),
    Screen(
        "duplicate_version",
        """select release_id, 'versions are not 1..n with distinct texts'
        from raw.releases where partition_date >= $1 and partition_date < $2
        group by release_id having min(version) <> 1 or max(version) <> count(*)
            or count(distinct content_hash) <> count(*)""",
    ),
    Screen(
        "invalid_source",
        """select release_id, 'source ' || source || ' is not a valid name'
        from raw.releases where partition_date >= $1 and partition_date < $2
          and not regexp_full_match(source, '[a-z][a-z0-9_]{0,62}')""",
    ),
)


def mention_screens() -> tuple[Screen, ...]:
    low, high = EVENT_YEARS
    return (
        Screen("person_span", _span("person_mentions", "start", '"end"', "surface_text"), True),
        Screen("location_span", _span("location_mentions", "start", '"end"', "surface_text"), True),
        Screen("event_span", _span("event_mentions", "evidence_start", "evidence_end", None), True),
        Screen(
            "participant_span",
            _span("event_participants", "evidence_start", "evidence_end", None, nullable=True),
            True,
        ),
        Screen("duplicate_mention", _duplicates("person_mentions", "mention_id")),
        Screen("duplicate_mention", _duplicates("location_mentions", "mention_id")),
        Screen("duplicate_mention", _duplicates("event_mentions", "event_mention_id")),
        Screen("duplicate_mention", _duplicates("release_annotations", "release_id")),
        Screen(
            "impossible_date",
            f"""select release_id, 'event dated '
            || coalesce(cast(start_date as varchar), 'null') || '..'
            || coalesce(cast(end_date as varchar), '') from raw.event_mentions
            where partition_date >= $1 and partition_date < $2
              and (start_date is null or year(start_date) not between {low} and {high}
                   or (end_date is not null and (end_date < start_date
                       or year(end_date) not between {low} and {high})))""",
        ),
        Screen(
            "invalid_value",
            _outside_set("event_mentions", "date_precision", ("day", "month", "year")),
        ),
        Screen(
            "invalid_value",
            _outside_set(
                "event_mentions",
                "event_type",
                (
                    "visit",
                    "meeting",
                    "press_conference",
                    "speech",
                    "conference",
                    "ceremony",
                    "operation",
                    "arrest",
                    "other",
                ),
            ),
        ),
        Screen(
            "invalid_value",
            """select release_id, 'local time ' || local_time
            || ' is not HH:MM' from raw.event_mentions
            where partition_date >= $1 and partition_date < $2 and local_time is not null
              and not regexp_full_match(local_time, '(?:[01][0-9]|2[0-3]):[0-5][0-9]')""",
        ),
        Screen(
            "invalid_value",
            _outside_set("event_participants", "role", ("host", "guest", "speaker", "participant")),
        ),
        Screen(
            "invalid_value",
            _outside_set("location_mentions", "place_kind", ("city", "country", "region", "venue")),
        ),
        Screen(
            "invalid_value",
            _outside_set("location_mentions", "country_code", _country_codes(), nullable=True),
        ),
        Screen(
            "invalid_value",
            _outside_set(
                "release_annotations",
                "release_type",
                ("media_advisory", "press_release", "statement", "news", "speech", "other"),
            ),
        ),
        Screen(
            "invalid_value",
            """select release_id, 'coordinates out of range'
            from raw.location_mentions where partition_date >= $1 and partition_date < $2
              and (latitude not between -90 and 90 or longitude not between -180 and 180)""",
        ),
        Screen(
            "empty_name",
            """select release_id, 'person without a name'
            from raw.person_mentions where partition_date >= $1 and partition_date < $2
              and trim(full_name) = ''
            union all
            select release_id, 'participant without a name'
            from raw.event_participants where partition_date >= $1 and partition_date < $2
              and trim(full_name) = ''""",
        ),
        Screen(
            "orphan_row",
            """select participants.release_id, 'participant of a missing event'
            from raw.event_participants as participants
            where participants.partition_date >= $1 and participants.partition_date < $2
              and not exists (select 1 from raw.event_mentions as events
                              where events.event_mention_id = participants.event_mention_id)""",
        ),
    )


def _offenders(
    conn: duckdb.DuckDBPyConnection, screens: tuple[Screen, ...], start: date, end: date
) -> dict[str, tuple[str, str]]:
    """release_id -> (check, reason) of the first screen it fails."""
    per_bucket = any(screen.per_bucket for screen in screens)
    buckets = window_buckets(conn, start, end) if per_bucket else 1
    found: dict[str, tuple[str, str]] = {}
    for screen in screens:
        runs = (
            [[start, end, buckets, bucket] for bucket in range(buckets)]
            if screen.per_bucket
            else [[start, end]]
        )
        offending = [
            row for parameters in runs for row in conn.execute(screen.sql, parameters).fetchall()
        ]
        for release_id, reason in offending:
            if release_id is not None:
                found.setdefault(release_id, (screen.check, str(reason)[:500]))
    return found


def quarantine_window(
    conn: duckdb.DuckDBPyConnection, start: date, end: date, *, mentions: bool = False
) -> int:
    """Move the window's offending releases to raw.quarantine; returns how many moved.
    ``mentions`` adds the screens on the mention tables (after extraction)."""
    screens = RELEASE_SCREENS + (mention_screens() if mentions else ())
    offenders = _offenders(conn, screens, start, end)
    if not offenders:
        return 0
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [(release_id, check, reason) for release_id, (check, reason) in offenders.items()]
    with transaction(conn):
        conn.execute(
            "create or replace temp table quarantine_incoming "
            "(release_id varchar, check_name varchar, reason varchar)"
        )
        conn.executemany("insert into quarantine_incoming values (?, ?, ?)", rows)
        conn.execute(
            """
            insert into raw.quarantine
            select ?, null, incoming.release_id,
                   coalesce(kept.source, split_part(incoming.release_id, ':', 1)),
                   coalesce(kept.partition_date, mention_day.partition_date),
                   incoming.check_name, incoming.reason, kept.payload_sha256, kept.rows_json
            from quarantine_incoming as incoming
            left join (
                select release_id, any_value(source) as source,
                       max(partition_date) as partition_date,
                       arg_max(payload_sha256, version) as payload_sha256,
                       to_json(list(releases order by version)) as rows_json
                from raw.releases group by release_id
            ) as kept using (release_id)
            left join (
                select release_id, max(partition_date) as partition_date
                from raw.release_annotations group by release_id
            ) as mention_day using (release_id)
        """,
            [now],
        )
        for table in ("releases", *MENTION_TABLES):
            conn.execute(
                f"delete from raw.{table} where release_id in "
                "(select release_id from quarantine_incoming)"
            )
        conn.execute("drop table quarantine_incoming")
    return len(offenders)


def release_window(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> int:
    """Mark the window's quarantined releases released (their window is being rebuilt)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    # the update's row count, not ``returning`` (DuckLake tables do not support it on updates)
    return int(
        conn.execute(
            """
        update raw.quarantine set released_at = ?
        where released_at is null and partition_date >= ? and partition_date < ?
    """,
            [now, start, end],
        ).fetchone()[0]
    )


def quarantined(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    """What is held now: (release_id, partition_date, check, reason, quarantined_at)."""
    return conn.execute("""
        select release_id, partition_date, check_name, reason, quarantined_at
        from raw.quarantine where released_at is null
        order by partition_date, release_id
    """).fetchall()
