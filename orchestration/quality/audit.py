"""The publish audit: before a copy is published, the raw gates run over the whole raw layer.

Per-partition checks only see their run's window; a failed backfill can leave bad raw rows
that a later, unrelated run would otherwise publish. The audit closes that gap: every
blocking SQL rule over every row (set-based, in DuckDB), then each raw GX suite on a bounded,
repeatable sample of the whole table (``frames.SAMPLE_ROWS``), so its cost and memory stay
flat as the archive grows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb

from orchestration.quality.rules import RULES

EVERY_DAY = (date(1900, 1, 1), date(2200, 1, 1))


@dataclass
class AuditResult:
    """Problems found (empty: fit to publish) and how much was looked at."""

    problems: list[str] = field(default_factory=list)
    rules: int = 0
    suites: int = 0
    rows_validated: int = 0

    @property
    def passed(self) -> bool:
        return not self.problems


def audit_warehouse(
    conn: duckdb.DuckDBPyConnection,
    source_names: list[str],
    sample_rows: int | None = None,
    gx_timeout_s: float | None = None,
) -> AuditResult:
    """Run every raw rule on whole tables and every raw GX suite on a sample of each (each
    suite run limited to ``gx_timeout_s``)."""
    from orchestration.quality import frames
    from orchestration.quality.gx_runner import validate_frame

    limit = sample_rows or frames.SAMPLE_ROWS
    result = AuditResult()
    for rule in RULES:
        rows = rule.offending_rows(conn, *EVERY_DAY)
        result.rules += 1
        if rows:
            result.problems.append(
                f"raw.{rule.table}: {rule.name}: {len(rows)} offending rows, "
                f"e.g. {' | '.join(str(value)[:80] for value in rows[0])}"
            )
    builders = [lambda: frames.raw_releases(conn, *EVERY_DAY, source_names, limit)]
    builders += [
        lambda build=build: build(conn, *EVERY_DAY, limit) for build in frames.RAW_FRAMES.values()
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
