"""The publish audit: before a copy is published, the raw gates run over the raw layer.

Per-partition checks only see their run's window; a failed backfill can leave bad raw rows
that a later, unrelated run would otherwise publish. The audit closes that gap: every
blocking SQL rule over every row (set-based, in DuckDB), then each raw GX suite on a bounded,
repeatable sample (``frames.SAMPLE_ROWS``), so its cost and memory stay flat as the archive
grows.

"Every row" means every row not already audited: what the last published copy holds passed
this audit when it was published, so when its fingerprints are known (``Changes``) only the
partition days whose raw rows differ from it are audited (a new day: that day; a failed
backfill that published nothing: its days, until a publish passes). Without them (the first
publish, a DuckLake, a missing manifest, a copy published without the audit) every day is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb

from orchestration.quality.rules import RULES
from orchestration.warehouse.fingerprints import Changes

EVERY_DAY = (date(1900, 1, 1), date(2200, 1, 1))
MAX_RANGES = 32
"""Changed days in more separate runs of days than this are audited as one span."""


@dataclass
class AuditResult:
    """Problems found (empty: fit to publish) and how much was looked at."""

    problems: list[str] = field(default_factory=list)
    rules: int = 0
    suites: int = 0
    rows_validated: int = 0
    scope: str = "every day"

    @property
    def passed(self) -> bool:
        return not self.problems


def day_ranges(days: list[date]) -> list[tuple[date, date]]:
    """Sorted ``days`` as [start, end) runs of consecutive days (one covering span when they
    fall in more than ``MAX_RANGES`` runs)."""
    ranges: list[tuple[date, date]] = []
    for day in days:
        if ranges and ranges[-1][1] == day:
            ranges[-1] = (ranges[-1][0], day + timedelta(days=1))
        else:
            ranges.append((day, day + timedelta(days=1)))
    if len(ranges) > MAX_RANGES:
        return [(ranges[0][0], ranges[-1][1])]
    return ranges


def audited_tables() -> list[str]:
    """The raw tables the audit reads ("schema.table"): a change to any of them on a day
    re-audits that day in all of them (a rule may join a day's releases to its mentions)."""
    from orchestration.quality import frames

    return sorted({"raw.releases", *(f"raw.{rule.table}" for rule in RULES),
                   *(f"raw.{table}" for table in frames.RAW_FRAMES)})


def audit_warehouse(
    conn: duckdb.DuckDBPyConnection,
    source_names: list[str],
    sample_rows: int | None = None,
    gx_timeout_s: float | None = None,
    changes: Changes | None = None,
) -> AuditResult:
    """Run every raw rule on every row of the days to audit and every raw GX suite on a
    sample of them (each suite run limited to ``gx_timeout_s``). The days to audit are those
    ``changes`` shows differ from the last published copy, or every day."""
    from orchestration.quality import frames
    from orchestration.quality.gx_runner import validate_frame

    limit = sample_rows or frames.SAMPLE_ROWS
    result = AuditResult()
    days = changes.days(audited_tables()) if changes is not None else None
    if days is None:
        windows = [EVERY_DAY]
    else:
        windows = day_ranges(days)
        result.scope = (f"{len(days)} days changed since the last publish"
                        + (f" ({days[0]} to {days[-1]})" if days else ""))
    if not windows:
        return result
    for rule in RULES:
        rows = [row for start, end in windows for row in rule.offending_rows(conn, start, end)]
        result.rules += 1
        if rows:
            result.problems.append(
                f"raw.{rule.table}: {rule.name}: {len(rows)} offending rows, "
                f"e.g. {' | '.join(str(value)[:80] for value in rows[0])}"
            )
    span = (windows[0][0], windows[-1][1])
    builders = [lambda: frames.raw_releases(conn, *span, source_names, limit)]
    builders += [
        lambda build=build: build(conn, *span, limit) for build in frames.RAW_FRAMES.values()
    ]
    for build in builders:
        frame = build()
        summary = validate_frame(frame.suite, frame.data, frame.parameters, gx_timeout_s)
        result.suites += 1
        result.rows_validated += len(frame.data)
        if not summary.passed:
            result.problems.append(f"{frame.suite}: {summary.describe(400)}")
    return result


def audit_raw(conn: duckdb.DuckDBPyConnection, source_names: list[str]) -> list[str]:
    """Problems found in the whole raw layer (empty: fit to publish)."""
    return audit_warehouse(conn, source_names).problems
