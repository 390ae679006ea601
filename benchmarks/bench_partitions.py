"""What a ranged run costs Dagster per partition: daily vs monthly vs yearly partitions.

    .venv/bin/python benchmarks/bench_partitions.py [--years 20] [--runs 3]

A stand-in for the raw layer (one asset plus a five-asset multi-asset, fourteen partitioned
blocking checks, all doing no work) is run once over ``--years`` of partitions in a single
ranged run, on a fresh SQLite Dagster instance, for each granularity. The figure is pure
orchestration overhead: what a sparse archive pays before any release is read.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import dagster as dg

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"
CHECKS = 14


def _definitions(partitions: dg.PartitionsDefinition) -> tuple[dg.Definitions, str]:
    raw = dg.AssetKey(["raw", "releases"])
    mentions = [dg.AssetKey(["raw", f"m{index}"]) for index in range(5)]

    @dg.asset(key=raw, partitions_def=partitions, backfill_policy=dg.BackfillPolicy.single_run())
    def releases() -> None:
        return None

    @dg.multi_asset(
        specs=[dg.AssetSpec(key, deps=[raw]) for key in mentions],
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
    )
    def extract(context):
        for key in mentions:
            yield dg.MaterializeResult(asset_key=key)

    def check(index: int):
        target = raw if index < 4 else mentions[index % 5]

        @dg.asset_check(asset=target, name=f"c{index}", blocking=True, partitions_def=partitions)
        def _check() -> dg.AssetCheckResult:
            return dg.AssetCheckResult(passed=True)

        return _check

    job = dg.define_asset_job("raw_job", selection=[raw, *mentions], partitions_def=partitions)
    return dg.Definitions(
        assets=[releases, extract],
        asset_checks=[check(index) for index in range(CHECKS)],
        jobs=[job],
        executor=dg.in_process_executor,
    ), "raw_job"


def _once(partitions: dg.PartitionsDefinition, first: str, last: str) -> float:
    defs, job = _definitions(partitions)
    with tempfile.TemporaryDirectory() as home:
        instance = dg.DagsterInstance.local_temp(home)
        started = time.perf_counter()
        result = defs.resolve_job_def(job).execute_in_process(
            instance=instance,
            run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
            tags={RANGE_START: first, RANGE_END: last},
        )
        assert result.success
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    first_year = 2025 - args.years
    start = f"{first_year}-01-01"
    cases = {
        "daily": (
            dg.DailyPartitionsDefinition(start_date=start),
            start,
            f"{first_year + args.years - 1}-12-31",
        ),
        "monthly": (
            dg.MonthlyPartitionsDefinition(start_date=start),
            start,
            f"{first_year + args.years - 1}-12-01",
        ),
        "yearly": (
            dg.TimeWindowPartitionsDefinition(
                start=str(first_year), fmt="%Y", cron_schedule="0 0 1 1 *"
            ),
            str(first_year),
            str(first_year + args.years - 1),
        ),
    }
    for name, (partitions, first, last) in cases.items():
        count = len(partitions.get_partition_keys_in_range(dg.PartitionKeyRange(first, last)))
        runs = [_once(partitions, first, last) for _ in range(args.runs)]
        print(
            f"{name:8} {count:6} partitions  median {statistics.median(runs):7.1f} s  "
            f"({', '.join(f'{run:.1f}' for run in runs)}); "
            f"{statistics.median(runs) / count * 1000:.0f} ms per partition",
            flush=True,
        )


if __name__ == "__main__":
    main()
