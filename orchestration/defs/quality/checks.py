"""GX suites as blocking asset checks, plus freshness and volume checks that only warn.

Raw checks validate the run's window (in raw_job; a window holding more than
``frames.SAMPLE_ROWS`` rows is validated on a repeatable sample). They are partitioned like
their assets and record the one result under each year of the run (``check_partitions``), so
each year's status in the UI is the run's; ``scope``/``window`` metadata name the days covered.
Marts checks are unpartitioned like the dbt assets and run after dbt, in transform_job: on a
run with a window (its dbt step's config, e.g. a new day) a fact mart's suite validates the
rows the run rebuilt plus a sample of at most ``frames.REST_ROWS`` other rows; without one,
a repeatable sample of the whole table of at most ``frames.SAMPLE_ROWS`` rows (the row count
taken over every row either way). The metadata's ``scope``, ``rows``, ``window_rows`` and
``rest_rows`` say what was validated. A check that raises is reported as failed with the
error text, never as passed or skipped.
"""

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import dagster as dg

from orchestration.defs.check_partitions import per_partition
from orchestration.defs.extraction.assets import MENTION_KEYS
from orchestration.defs.ingestion.assets import RAW_RELEASES
from orchestration.defs.partitions import release_partitions, window_of
from orchestration.defs.resources import SourcesResource, WarehouseResource
from orchestration.defs.transform.dbt import TransformWindow
from orchestration.window import Window

if TYPE_CHECKING:
    from orchestration.quality.frames import Frame

MARTS = ("fct_releases", "fct_events", "fct_appearances", "dim_people", "dim_locations")
TEXT_LIMIT = 1500


def _text(value: str) -> dg.MetadataValue:
    return dg.MetadataValue.text(
        value if len(value) <= TEXT_LIMIT else value[: TEXT_LIMIT - 1] + "…"
    )


def _errored(error: Exception, severity: dg.AssetCheckSeverity, **metadata) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=False,
        severity=severity,
        metadata={**metadata, "failed": _text(f"check raised {type(error).__name__}: {error}")},
    )


def _validate(
    build_frame: Callable[[], "Frame"], where: str, timeout_s: float = 0.0
) -> dg.AssetCheckResult:
    """Build the frame (DuckDB connection closed before GX runs), validate, report. The
    metadata's ``scope`` is the frame's own description when it has one, else ``where``."""
    from orchestration.quality.gx_runner import failing_rows, validate_frame

    started = time.monotonic()
    try:
        frame = build_frame()
        summary = validate_frame(frame.suite, frame.data, frame.parameters, timeout_s)
    except Exception as error:  # a check that raises counts as failed
        return _errored(error, dg.AssetCheckSeverity.ERROR, scope=where)
    metadata = {
        "scope": frame.scope or where,
        "rows": len(frame.data),
        **frame.counts,
        "evaluated": summary.evaluated,
        "successful": summary.successful,
        "failed_expectations": len(summary.failures),
        "seconds": round(time.monotonic() - started, 3),
    }
    if not summary.passed:
        metadata["failed"] = _text(summary.describe(TEXT_LIMIT))
        metadata["examples"] = _text(failing_rows(frame.data, summary))
    return dg.AssetCheckResult(
        passed=summary.passed, severity=dg.AssetCheckSeverity.ERROR, metadata=metadata
    )


def _raw_releases_check():
    @dg.asset_check(
        asset=RAW_RELEASES,
        name="gx_raw_releases",
        blocking=True,
        description="GX suite raw_releases on the partition window: keys, "
        "non-empty title and body, configured source, published date "
        "on its partition day.",
        partitions_def=release_partitions,
    )
    def gx_raw_releases(
        context: dg.AssetCheckExecutionContext,
        warehouse: WarehouseResource,
        sources: SourcesResource,
    ):
        from orchestration.quality import frames

        window = window_of(context)

        def build():
            names = [source.name for source in sources.load().sources]
            with warehouse.connect() as conn:
                return frames.raw_releases(conn, window.start, window.end, names)

        yield from per_partition(context, _validate(build, str(window), warehouse.gx_timeout_s))

    return gx_raw_releases


def _raw_check(table: str):
    suite = f"raw_{table}"

    @dg.asset_check(
        asset=MENTION_KEYS[table],
        name=f"gx_{suite}",
        blocking=True,
        description=f"GX suite {suite} on the partition window (expectations/suites).",
        partitions_def=release_partitions,
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        from orchestration.quality import frames

        window = window_of(context)

        def build():
            with warehouse.connect() as conn:
                return frames.RAW_FRAMES[table](conn, window.start, window.end)

        yield from per_partition(context, _validate(build, str(window), warehouse.gx_timeout_s))

    return _check


def _mart_check(model: str):
    suite = f"marts_{model}"

    @dg.asset_check(
        asset=dg.AssetKey(["marts", model]),
        name=f"gx_{suite}",
        blocking=True,
        description=f"GX suite {suite} after dbt (keys, enumerations, no orphans; row count, "
        "over every row, consistent with raw): on a windowed run, the rows it rebuilt plus a "
        "sample of the rest; else a sample of the whole table.",
    )
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        from orchestration.quality import frames

        def build():
            window = TransformWindow.of_run(context.run.run_config)
            with warehouse.connect() as conn:
                return frames.MART_FRAMES[model](conn, window=window)

        return _validate(build, f"marts.{model}", warehouse.gx_timeout_s)

    return _check


def _warn_result(
    context: dg.AssetCheckExecutionContext, count_name: str, find: Callable[[Window], list]
) -> dg.AssetCheckResult:
    """A warning check's result over the run's window; a check that raises warns."""
    window = window_of(context)
    try:
        findings = find(window)
    except Exception as error:
        return _errored(error, dg.AssetCheckSeverity.WARN, window=str(window))
    return dg.AssetCheckResult(
        passed=not findings,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "window": str(window),
            count_name: len(findings),
            "unexpected": _text("\n".join(finding.message for finding in findings) or "none"),
        },
    )


@dg.asset_check(
    asset=RAW_RELEASES,
    name="sources_fresh",
    blocking=False,
    description="WARN when an enabled source has no release for longer than its "
    "expected_period_days before the window's latest partition.",
    partitions_def=release_partitions,
)
def sources_fresh(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource, sources: SourcesResource
):
    from orchestration.quality.signals import stale_sources

    def find(window: Window) -> list:
        periods = {
            source.name: source.expected_period_days
            for source in sources.load().sources
            if source.enabled
        }
        with warehouse.connect() as conn:
            return stale_sources(conn, periods, window.start, window.end)

    yield from per_partition(context, _warn_result(context, "stale_sources", find))


@dg.asset_check(
    asset=RAW_RELEASES,
    name="daily_volume_normal",
    blocking=False,
    description="WARN when a day has fewer than 25% of the releases of its "
    "trailing 28-day median (quiet sources below a median of 4 excepted).",
    partitions_def=release_partitions,
)
def daily_volume_normal(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
    from orchestration.quality.signals import volume_dips

    def find(window: Window) -> list:
        with warehouse.connect() as conn:
            return volume_dips(conn, window.start, window.end)

    yield from per_partition(context, _warn_result(context, "low_days", find))


gx_checks = [
    _raw_releases_check(),
    *(_raw_check(table) for table in MENTION_KEYS),
    *(_mart_check(model) for model in MARTS),
]
warn_checks = [sources_fresh, daily_volume_normal]
