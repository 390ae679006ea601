"""The publish audit: before a copy is published, the raw gates run over whole tables.

Per-partition checks only see their run's window; a failed backfill can leave bad raw rows
that a later, unrelated run would otherwise publish. The audit closes that gap.
"""

from __future__ import annotations

from datetime import date

import duckdb

from orchestration.quality.rules import RULES

EVERY_DAY = (date(1900, 1, 1), date(2200, 1, 1))


def audit_raw(conn: duckdb.DuckDBPyConnection, source_names: list[str]) -> list[str]:
    """Problems found in the whole raw layer (empty: fit to publish)."""
    from orchestration.quality import frames
    from orchestration.quality.gx_runner import validate_frame

    problems = []
    for rule in RULES:
        rows = rule.offending_rows(conn, *EVERY_DAY)
        if rows:
            problems.append(f"raw.{rule.table}: {rule.name}: {len(rows)} offending rows, "
                            f"e.g. {' | '.join(str(value)[:80] for value in rows[0])}")
    built = [frames.raw_releases(conn, *EVERY_DAY, source_names)]
    built.extend(build(conn, *EVERY_DAY) for build in frames.RAW_FRAMES.values())
    for frame in built:
        summary = validate_frame(frame.suite, frame.data, frame.parameters)
        if not summary.passed:
            problems.append(f"{frame.suite}: {summary.describe(400)}")
    return problems
