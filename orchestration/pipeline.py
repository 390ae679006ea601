"""The main job: fetch, then build every partition touched, then publish if every gate passed."""

from __future__ import annotations

from datetime import date, timedelta

import dagster as dg
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from orchestration.recovery import claim_home
from orchestration.settings import Settings
from orchestration.sources.config import load_sources
from orchestration.warehouse.connection import open_warehouse
from orchestration.warehouse.windows import touched_windows

QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def _touched_windows(settings: Settings, run_id: str) -> list[tuple[date, date]]:
    with open_warehouse(settings.warehouse_path, read_only=True) as conn:
        return touched_windows(conn, run_id)


def _check_results(result: dg.ExecuteInProcessResult) -> tuple[list[str], list[str]]:
    """(failures that block publishing, warnings to show) of one run."""
    failures, warnings = [], []
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if evaluation.passed:  # type: ignore[union-attr]
                continue
            message = (f"check {evaluation.asset_key.to_user_string()}:"  # type: ignore[union-attr]
                       f"{evaluation.check_name} failed"  # type: ignore[union-attr]
                       + _check_detail(evaluation))
            is_warning = evaluation.severity == dg.AssetCheckSeverity.WARN  # type: ignore[union-attr]
            (warnings if is_warning else failures).append(message)
        elif event.is_step_failure:
            error = event.event_specific_data.error  # type: ignore[union-attr]
            failures.append(f"step {event.step_key} failed: {error.message.strip()[:500]}")
    return failures, warnings


def _audit(settings: Settings, source_names: list[str]) -> list[str]:
    from orchestration.quality.audit import audit_raw

    with open_warehouse(settings.warehouse_path, read_only=True) as conn:
        return audit_raw(conn, source_names)


def _check_detail(evaluation) -> str:
    metadata = getattr(evaluation, "metadata", {}) or {}
    parts = [f"{key}={getattr(value, 'value', value)}" for key, value in metadata.items()
             if key in {"failing_rows", "examples", "failed", "unexpected", "error"}]
    return (": " + "; ".join(str(part)[:300] for part in parts)) if parts else ""


def run_pipeline(settings: Settings, *, fetch_config: dict | None = None,
                 window: tuple[date, date] | None = None) -> int:
    """Fetch (unless a window is given: a backfill from kept payloads), build, publish."""
    from orchestration.definitions import defs
    from orchestration.defs.automation import transform_run_config
    from orchestration.summary import print_summary
    from orchestration.warehouse.publish import publish

    instance = dg.DagsterInstance.get()
    claim_home(settings.home, instance)  # one pipeline per home; clean up after killed runs
    if window is None:
        ingest = defs.resolve_job_def("ingest_job").execute_in_process(
            instance=instance, raise_on_error=False,
            run_config={**QUIET_CONSOLE,
                        "ops": {"fetch_sources": {"config": fetch_config or {}}}},
        )
        if not ingest.success:
            print("fetch failed:\n  " + "\n  ".join(_check_results(ingest)[0]))
            return 1
        windows = _touched_windows(settings, ingest.run_id)
        if not windows:
            print("nothing fetched: no enabled source or dump produced a release")
            print_summary(settings)
            return 0
    else:
        windows = [window]
    start, end = windows[0][0], windows[-1][1]
    last = end - timedelta(days=1)
    failures, warnings, raw_ok = [], [], True
    for part_start, part_end in windows:  # compact windows: never 14 years of partitions
        raw = defs.resolve_job_def("raw_job").execute_in_process(
            instance=instance, raise_on_error=False, run_config=QUIET_CONSOLE,
            tags={ASSET_PARTITION_RANGE_START_TAG: part_start.isoformat(),
                  ASSET_PARTITION_RANGE_END_TAG: (part_end - timedelta(days=1)).isoformat()},
        )
        more_failures, more_warnings = _check_results(raw)
        failures, warnings = failures + more_failures, warnings + more_warnings
        raw_ok = raw_ok and raw.success
    if raw_ok and not failures:
        transform = defs.resolve_job_def("transform_job").execute_in_process(
            instance=instance, raise_on_error=False,
            run_config={**QUIET_CONSOLE,
                        **transform_run_config((start.isoformat(), end.isoformat()))},
        )
        more_failures, more_warnings = _check_results(transform)
        failures += more_failures or ([] if transform.success else
                                      ["dbt build failed (see the output above)"])
        warnings += more_warnings
    elif not failures:
        failures = ["raw build failed (see the output above)"]
    if not failures:
        names = [source.name for source in load_sources(settings.sources_file).sources]
        failures = [f"publish audit: {problem}" for problem in _audit(settings, names)]
    if warnings:
        print("warnings (not blocking):\n  " + "\n  ".join(warnings))
    if failures:
        print(f"build of {start}..{last} stopped; the published warehouse was left unchanged:")
        print("  " + "\n  ".join(failures))
        print_summary(settings)
        return 1
    publish(settings.warehouse_path, settings.published_path)
    print_summary(settings)
    return 0
