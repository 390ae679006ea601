"""Blocking checks on what Python writes: cheap invariants, evaluated per partition window."""


from dataclasses import dataclass
from datetime import date

import dagster as dg
import duckdb
import pycountry

from orchestration.defs.extraction.assets import (
    RAW_EVENT_MENTIONS,
    RAW_LOCATION_MENTIONS,
    RAW_PERSON_MENTIONS,
)
from orchestration.defs.ingestion.assets import RAW_RELEASES
from orchestration.defs.partitions import daily_partitions, window_of
from orchestration.defs.resources import WarehouseResource

VALID_COUNTRY_CODES = sorted({country.alpha_2 for country in pycountry.countries} | {"XK"})


@dataclass(frozen=True)
class Rule:
    """A cheap invariant: a query returning the offending rows of a [start, end) window."""

    asset_key: dg.AssetKey
    name: str
    description: str
    sql: str

    def offending_rows(self, conn: duckdb.DuckDBPyConnection, start: date, end: date
                       ) -> list[tuple]:
        return conn.execute(self.sql, [start, end]).fetchall()


def _result(context, warehouse: WarehouseResource, rule: "Rule") -> dg.AssetCheckResult:
    """Evaluate a rule on the run's window; a rule that raises counts as failed."""
    start, end = window_of(context)
    what = rule.description
    try:
        with warehouse.connect() as conn:
            rows = rule.offending_rows(conn, start, end)
    except Exception as error:
        return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.ERROR,
                                   metadata={"error": dg.MetadataValue.text(str(error)[:500])})
    sample = "\n".join(" | ".join(str(value)[:120] for value in row) for row in rows[:5])
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"failing_rows": len(rows), "window": f"{start}..{end}",
                  "examples": dg.MetadataValue.text(sample or "none"), "rule": what},
    )


def _check(rule: Rule):
    @dg.asset_check(asset=rule.asset_key, name=rule.name, blocking=True,
                    description=rule.description, partitions_def=daily_partitions)
    def _evaluate(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
                  ) -> dg.AssetCheckResult:
        return _result(context, warehouse, rule)

    return _evaluate


RULES = [
    Rule(RAW_RELEASES, "release_versions_consecutive",
         "each release's versions are 1..n with a different text each "
         "((release_id, version) uniqueness is the table's primary key)",
         """select release_id, count(*), max(version), count(distinct content_hash)
            from raw.releases
            where partition_date >= ? and partition_date < ?
            group by release_id
            having min(version) <> 1 or max(version) <> count(*)
                or count(distinct content_hash) <> count(*)"""),
    Rule(RAW_RELEASES, "releases_have_title_and_text",
           "every release has a non-empty title and body",
           """select release_id, title from raw.releases
              where partition_date >= ? and partition_date < ?
                and (trim(title) = '' or trim(body_text) = '')"""),
    Rule(RAW_RELEASES, "published_within_partition",
           "published_at (UTC) falls on the release's partition day",
           """select release_id, published_at, partition_date from raw.releases
              where partition_date >= ? and partition_date < ?
                and published_at is not null
                and cast(published_at as date) <> partition_date"""),
    Rule(RAW_PERSON_MENTIONS, "person_spans_inside_text",
           "every mention span lies inside its release's body and matches its surface text",
           """with latest as (
                  select release_id, body_text from raw.releases
                  qualify row_number() over (partition by release_id order by version desc) = 1
              ), spans as (
                  select release_id, start, "end", surface_text from raw.person_mentions
                  where partition_date >= $1 and partition_date < $2
              )
              select spans.release_id, spans.start, spans."end", spans.surface_text
              from spans left join latest using (release_id)
              where latest.body_text is null or spans.start < 0 or spans."end" <= spans.start
                 or spans."end" > length(latest.body_text)
                 or substring(latest.body_text, spans.start + 1, spans."end" - spans.start)
                    <> spans.surface_text"""),
    Rule(RAW_EVENT_MENTIONS, "event_dates_valid",
           "events have a start date in 1990..2100, end >= start, known precision",
           """select event_mention_id, start_date, end_date, date_precision
              from raw.event_mentions
              where partition_date >= ? and partition_date < ?
                and (start_date is null or year(start_date) not between 1990 and 2100
                     or (end_date is not null and end_date < start_date)
                     or date_precision not in ('day', 'month', 'year'))"""),
    Rule(RAW_LOCATION_MENTIONS, "country_codes_valid",
           "country codes are ISO 3166-1 alpha-2 (or null for supranational regions)",
           f"""select mention_id, place_name, country_code from raw.location_mentions
               where partition_date >= ? and partition_date < ?
                 and country_code is not null
                 and country_code not in ({", ".join(f"'{c}'" for c in VALID_COUNTRY_CODES)})"""),
]

asset_checks = [_check(rule) for rule in RULES]
