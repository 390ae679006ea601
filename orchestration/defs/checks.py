"""Blocking checks on what Python writes: the SQL rules of orchestration/quality/rules.py,
evaluated on each run's window.

The checks on the yearly raw assets are partitioned like them: evaluated once over the run's
window and recorded under each year of the run (``check_partitions.per_partition``), so that
each year's check status in the UI is the run's result; the ``window`` metadata says which
days the evaluation covered."""

import dagster as dg

from orchestration.defs.check_partitions import per_partition
from orchestration.defs.partitions import release_partitions, window_of
from orchestration.defs.resources import WarehouseResource
from orchestration.quality.rules import FETCH_RULES, RULES, FetchRule, Rule


def _result(context, warehouse: WarehouseResource, rule: Rule) -> dg.AssetCheckResult:
    """Evaluate a rule on the run's window; a rule that raises counts as failed."""
    window = window_of(context)
    try:
        with warehouse.connect() as conn:
            rows = rule.offending_rows(conn, window.start, window.end)
    except Exception as error:
        return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.ERROR,
                                   metadata={"error": dg.MetadataValue.text(str(error)[:500])})
    sample = "\n".join(" | ".join(str(value)[:120] for value in row) for row in rows[:5])
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"failing_rows": len(rows), "window": str(window),
                  "examples": dg.MetadataValue.text(sample or "none"),
                  "rule": rule.description},
    )


def _check(rule: Rule):
    @dg.asset_check(asset=dg.AssetKey(["raw", rule.table]), name=rule.name, blocking=True,
                    description=rule.description, partitions_def=release_partitions)
    def _evaluate(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        yield from per_partition(context, _result(context, warehouse, rule))

    return _evaluate


def _fetch_check(rule: FetchRule):
    @dg.asset_check(asset=dg.AssetKey(["raw", rule.table]), name=rule.name, blocking=True,
                    description=rule.description)
    def _evaluate(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
                  ) -> dg.AssetCheckResult:
        try:
            with warehouse.connect() as conn:
                rows = rule.offending_rows(conn, context.run.run_id)
        except Exception as error:
            return dg.AssetCheckResult(passed=False, metadata={
                "error": dg.MetadataValue.text(str(error)[:500])})
        sample = "\n".join(" | ".join(str(value)[:120] for value in row) for row in rows[:5])
        return dg.AssetCheckResult(passed=not rows, metadata={
            "failing_rows": len(rows), "examples": dg.MetadataValue.text(sample or "none"),
            "rule": rule.description})

    return _evaluate


asset_checks = [*(_check(rule) for rule in RULES), *(_fetch_check(rule) for rule in FETCH_RULES)]
