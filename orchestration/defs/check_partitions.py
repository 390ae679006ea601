"""Checks on the yearly raw assets: evaluated once per run, recorded under every year of it.

A check on a partitioned asset is planned by Dagster once per partition of a ranged run (a
UI backfill stores its years on the run, and a planned check of such a run is planned per
year even when the check itself is unpartitioned). An ``AssetCheckResult`` of a ranged step
is recorded under no partition, so each year's planned execution stayed open and the UI
listed it as "Skipped" beside a passed run. The raw checks are therefore partitioned like
their assets, evaluate their rule once over the run's window, and record that one result
for each year of the run, against that year's latest materialization, which closes every
planned execution with the run's own result.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import dagster as dg
from dagster._core.definitions.asset_checks.asset_check_evaluation import (
    AssetCheckEvaluationTargetMaterializationData,  # not exported by dagster; no public route
)


def per_partition(
    context: dg.AssetCheckExecutionContext, result: dg.AssetCheckResult
) -> Iterator[dg.Output | dg.AssetCheckEvaluation | dg.AssetCheckResult]:
    """``result`` recorded under each partition of the run (as is when the run has one)."""
    op_context = context.op_execution_context
    if op_context.has_partition_key or not op_context.has_partition_key_range:
        yield result  # one year (Dagster records it under that year) or no partitions at all
        return
    spec = context.check_specs[0]
    yield dg.Output(
        None, output_name=op_context.assets_def.get_output_name_for_asset_check_key(spec.key)
    )
    latest = _latest_materializations(context.instance, spec.asset_key, op_context.partition_keys)
    for key in op_context.partition_keys:
        yield dg.AssetCheckEvaluation(
            asset_key=spec.asset_key,
            check_name=spec.name,
            passed=result.passed,
            metadata={**result.metadata, "year": key},
            target_materialization_data=latest[key],
            severity=result.severity,
            description=result.description,
            blocking=spec.blocking,
            partition=key,
        )


def _latest_materializations(
    instance: dg.DagsterInstance, asset_key: dg.AssetKey, partitions: Sequence[str]
) -> dict[str, AssetCheckEvaluationTargetMaterializationData | None]:
    """Each partition's latest materialization: the one its evaluation checked. One query
    for all (the run's own materializations are the newest records, one per partition);
    a partition those records miss (another run wrote it since) is looked up on its own."""
    newest = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=asset_key, asset_partitions=list(partitions)),
        limit=len(partitions),
    ).records
    latest: dict[str, AssetCheckEvaluationTargetMaterializationData | None] = {}
    for record in newest:  # newest first: a partition's first record is its latest
        if record.partition_key is not None and record.partition_key not in latest:
            latest[record.partition_key] = _target(record)
    for partition in partitions:
        if partition not in latest:
            records = instance.fetch_materializations(
                dg.AssetRecordsFilter(asset_key=asset_key, asset_partitions=[partition]), limit=1
            ).records
            latest[partition] = _target(records[0]) if records else None
    return latest


def _target(record: dg.EventLogRecord) -> AssetCheckEvaluationTargetMaterializationData:
    return AssetCheckEvaluationTargetMaterializationData(
        storage_id=record.storage_id, run_id=record.run_id, timestamp=record.timestamp
    )
