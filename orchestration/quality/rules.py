"""Cheap invariants on what Python writes, as SQL that returns the offending rows of a window.

Dagster runs them as blocking checks per partition window (orchestration/defs/checks.py);
the publish audit runs them over whole tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pycountry

from orchestration.sources.dates import EARLIEST_PARTITION
from orchestration.warehouse.buckets import in_bucket, window_buckets

VALID_COUNTRY_CODES = sorted({country.alpha_2 for country in pycountry.countries} | {"XK"})


@dataclass(frozen=True)
class Rule:
    """A query returning the offending rows (as text) of a [start, end) window of a raw table;
    ``per_bucket``: it joins release texts, so it runs a release bucket at a time (bucket $4
    of $3, warehouse/buckets.py) and DuckDB holds a bucket's texts, not the window's."""

    table: str
    name: str
    description: str
    sql: str
    per_bucket: bool = False

    def offending_rows(self, conn: duckdb.DuckDBPyConnection, start: date, end: date
                       ) -> list[tuple]:
        if not self.per_bucket:
            return conn.execute(self.sql, [start, end]).fetchall()
        buckets = window_buckets(conn, start, end)
        return [row for bucket in range(buckets)
                for row in conn.execute(self.sql, [start, end, buckets, bucket]).fetchall()]


RULES = [
    Rule("releases", "release_versions_consecutive",
         "each release's versions are 1..n with a different text each (so (release_id, "
         "version) is unique: the table has no key index, this rule is its key)",
         """select release_id, count(*), max(version), count(distinct content_hash)
            from raw.releases
            where partition_date >= ? and partition_date < ?
            group by release_id
            having min(version) <> 1 or max(version) <> count(*)
                or count(distinct content_hash) <> count(*)"""),
    Rule("releases", "releases_have_title_and_text",
           "every release has a non-empty title and body",
           """select release_id, title from raw.releases
              where partition_date >= ? and partition_date < ?
                and (trim(title) = ''
                     -- trim() copies each text; only an empty text or one opening with a
                     -- space can trim to '' (DuckDB's trim removes spaces only)
                     or ((body_text = '' or body_text[1] = ' ') and trim(body_text) = ''))"""),
    Rule("releases", "published_within_partition",
           "published_at (UTC) falls on the release's partition day (releases published "
           "before the first partition are filed under it)",
           f"""select release_id, published_at, partition_date from raw.releases
              where partition_date >= ? and partition_date < ?
                and published_at is not null
                and cast(published_at as date) <> partition_date
                and not (partition_date = DATE '{EARLIEST_PARTITION}'
                         and published_at < DATE '{EARLIEST_PARTITION}')"""),
    Rule("person_mentions", "person_spans_inside_text",
           "every mention span lies inside its release's body and matches its surface text",
           f"""with spans as (
                  select release_id, start, "end", surface_text from raw.person_mentions
                  where partition_date >= $1 and partition_date < $2
                    and {in_bucket("release_id", "$3", "$4")}
              ), latest_versions as (
                  select release_id, max(version) as version from raw.releases
                  where release_id in (select release_id from spans)
                  group by release_id
              ), latest as (
                  select releases.release_id, releases.body_text
                  from raw.releases as releases
                  inner join latest_versions using (release_id, version)
              )
              select spans.release_id, spans.start, spans."end", spans.surface_text
              from spans left join latest using (release_id)
              where latest.body_text is null or spans.start < 0 or spans."end" <= spans.start
                 or spans."end" > length(latest.body_text)
                 or substring(latest.body_text, spans.start + 1, spans."end" - spans.start)
                    <> spans.surface_text""", per_bucket=True),
    Rule("event_mentions", "event_dates_valid",
           "events have a start date in 1000..2999 (historic dates are data), end >= start, "
           "known precision",
           """select event_mention_id, start_date, end_date, date_precision
              from raw.event_mentions
              where partition_date >= ? and partition_date < ?
                and (start_date is null or year(start_date) not between 1000 and 2999
                     or (end_date is not null and end_date < start_date)
                     or date_precision not in ('day', 'month', 'year'))"""),
    Rule("location_mentions", "country_codes_valid",
           "country codes are ISO 3166-1 alpha-2 (or null for supranational regions)",
           f"""select mention_id, place_name, country_code from raw.location_mentions
               where partition_date >= ? and partition_date < ?
                 and country_code is not null
                 and country_code not in ({", ".join(f"'{c}'" for c in VALID_COUNTRY_CODES)})"""),
]


@dataclass(frozen=True)
class FetchRule:
    """An invariant of what one fetch run wrote: a query over that run's rows (by run_id)."""

    table: str
    name: str
    description: str
    sql: str

    def offending_rows(self, conn: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple]:
        return conn.execute(self.sql, [run_id]).fetchall()


FETCH_RULES = [
    FetchRule("fetched_items", "items_reference_kept_payloads",
              "every item of the run names payloads that are kept in raw.http_responses",
              """select items.release_id, items.item_key
                 from raw.fetched_items as items
                 left join raw.http_responses as feed
                   on feed.payload_sha256 = items.feed_payload_sha256
                 left join raw.http_responses as detail
                   on detail.payload_sha256 = items.detail_payload_sha256
                 where items.run_id = ?
                   and ((items.feed_payload_sha256 is not null and feed.payload_sha256 is null)
                     or (items.detail_payload_sha256 is not null
                         and detail.payload_sha256 is null)
                     or (items.feed_payload_sha256 is null
                         and items.detail_payload_sha256 is null))"""),
    FetchRule("fetched_items", "items_have_ids_and_days",
              "every item of the run has a release id of the form source:native_id and a day",
              """select release_id, item_key, partition_date from raw.fetched_items
                 where run_id = ?
                   and (release_id is null or release_id not like '%:_%'
                        or partition_date is null)"""),
]
