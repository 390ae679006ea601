"""Launch the Dagster graph from the CLI: one run, then whatever runs the sensors request.

Nothing here re-implements the chain fetch → raw → marts → publish: after each run it
evaluates the code location's run-status sensors (the same ones the daemon evaluates for a
UI backfill) and executes the runs they request, until none is requested.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import dagster as dg

from orchestration.dbt_warm import prestart
from orchestration.extract import pipeline as extraction
from orchestration.extract.pipeline import MIN_PARALLEL_BATCH
from orchestration.quality import gx_process
from orchestration.recovery import HOME_TAG, claim_home, home_owner
from orchestration.settings import (
    DBT_PROJECT_DIR,
    DagsterSettings,
    Settings,
    load_dagster_settings,
)
from orchestration.warehouse.integrity import check_warehouse
from orchestration.window import Window

QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
MAX_RUNS = 10  # a chain is three runs; more means a sensor loop


@dataclass(frozen=True)
class RunSummary:
    """One Dagster run the pipeline executed."""

    job: str
    run_id: str
    success: bool
    seconds: float


@dataclass
class PipelineResult:
    """What a `run_pipeline` call did: the runs, what blocked publishing, what only warns."""

    runs: list[RunSummary] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    window: Window | None = None
    published: bool = False
    nothing_fetched: bool = False

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0

    def report(self) -> str:
        """Plain-text report for the terminal."""
        lines = [
            f"{run.job}: {'ok' if run.success else 'FAILED'} in {run.seconds:.1f} s"
            for run in self.runs
        ]
        if self.nothing_fetched:
            lines.append("nothing fetched: no enabled source or dump produced a release")
        if self.warnings:
            lines.append("warnings (not blocking):")
            lines += [f"  {warning}" for warning in self.warnings]
        if self.failures:
            where = f" of {self.window}" if self.window else ""
            lines.append(f"build{where} stopped; the published warehouse was left unchanged:")
            lines += [f"  {failure}" for failure in self.failures]
        elif self.published:
            lines.append(f"published{f' (days {self.window})' if self.window else ''}")
        return "\n".join(lines)


def _check_detail(evaluation) -> str:
    metadata = getattr(evaluation, "metadata", {}) or {}
    parts = [
        f"{key}={getattr(value, 'value', value)}"
        for key, value in metadata.items()
        if key in {"failing_rows", "examples", "failed", "unexpected", "error"}
    ]
    return (": " + "; ".join(str(part)[:300] for part in parts)) if parts else ""


def _error_text(error) -> str:
    """An error and its causes on one line: Dagster's own message for a failed op is only
    "Error occurred while executing op ...:", the reason is in its cause."""
    parts: list[str] = []
    while error is not None:
        text = error.message.strip()
        said = text.partition(": ")[2] or text  # without the exception's type
        if not parts or said not in parts[-1]:  # a cause repeating its wrapper adds nothing
            parts.append(text)
        error = error.cause
    return " ".join(part for part in parts if part)


def _collect(
    result: dg.ExecuteInProcessResult | dg.JobExecutionResult, outcome: PipelineResult
) -> None:
    """Failed checks and steps of one run into ``outcome``."""
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if evaluation.passed:  # type: ignore[union-attr]
                continue
            message = (
                f"check {evaluation.asset_key.to_user_string()}:"  # type: ignore[union-attr]
                f"{evaluation.check_name} failed" + _check_detail(evaluation)  # type: ignore[union-attr]
            )
            is_warning = evaluation.severity == dg.AssetCheckSeverity.WARN  # type: ignore[union-attr]
            found = outcome.warnings if is_warning else outcome.failures
            if message not in found:  # a ranged run records a check under each of its years
                found.append(message)
        elif event.is_step_failure:
            error = event.event_specific_data.error  # type: ignore[union-attr]
            outcome.failures.append(f"step {event.step_key} failed: {_error_text(error)[:500]}")
    if not result.success and not outcome.failures:
        outcome.failures.append(
            f"run {result.run_id} of {result.job_def.name} failed (see the output above)"
        )


def _items_fetched(result: dg.ExecuteInProcessResult | dg.JobExecutionResult) -> int:
    """The items an ingest run fetched (its ``raw/fetched_items`` materialization)."""
    from orchestration.defs.ingestion.assets import RAW_FETCHED_ITEMS

    for event in result.all_events:
        if event.event_type_value != "ASSET_MATERIALIZATION":
            continue
        materialization = event.event_specific_data.materialization  # type: ignore[union-attr]
        if materialization.asset_key == RAW_FETCHED_ITEMS:
            value = materialization.metadata.get("items_fetched")
            return int(getattr(value, "value", value) or 0)
    return 0


def _follow_ups(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    result: dg.ExecuteInProcessResult | dg.JobExecutionResult,
) -> list[tuple[str, dg.RunRequest]]:
    """The runs the code location's run-status sensors (all on success, each checking which
    runs it follows) request after ``result``'s successful run."""
    if not result.success:
        return []
    run = instance.get_run_by_id(result.run_id)
    requests = []
    for sensor in defs.sensors or []:
        if not isinstance(sensor, dg.RunStatusSensorDefinition):
            continue
        context = dg.build_run_status_sensor_context(
            sensor_name=sensor.name,
            dagster_event=result.get_run_success_event(),
            dagster_instance=instance,
            dagster_run=run,
        )
        answer = sensor(context)
        for request in answer if isinstance(answer, list) else [answer]:
            if isinstance(request, dg.RunRequest):
                requests.append((request.job_name or sensor.job_name, request))
    return requests


@contextmanager
def _executed(
    job_name: str,
    request: dg.RunRequest,
    *,
    instance: dg.DagsterInstance,
    resources: dict,
    dagster: DagsterSettings,
    tags: dict[str, str],
) -> Iterator[dg.ExecuteInProcessResult | dg.JobExecutionResult]:
    """Execute one run of ``job_name`` with the code location's executor. In process, with
    ``resources``; with the multiprocess executor, each step's process loads the code
    location, whose resources read the same settings from the environment `prepare` set, and
    the steps' events reach this process's listeners (the CLI's progress) when the run ends."""
    from orchestration.cli.events import relay
    from orchestration.definitions import defs
    from orchestration.defs.execution import reconstructable_job

    run_config = {**QUIET_CONSOLE, **(request.run_config or {})}
    if dagster.executor != "multiprocess":
        yield defs.resolve_job_def(job_name).execute_in_process(
            instance=instance,
            raise_on_error=False,
            resources=resources,
            run_config=run_config,
            tags=tags,
        )
        return
    with dg.execute_job(
        reconstructable_job(job_name), instance=instance, run_config=run_config, tags=tags
    ) as result:
        for event in result.all_events:  # the steps' own events, logged in their processes
            if event.pid != os.getpid():
                relay(event)
        yield result


def run_pipeline(
    settings: Settings,
    *,
    fetch_config: dict | None = None,
    window: Window | None = None,
    instance: dg.DagsterInstance | None = None,
    notify: Callable[[str], None] = print,
) -> PipelineResult:
    """Fetch (or, given a window, rebuild it from kept payloads), then follow the sensors to
    a published warehouse. Returns what happened; prints nothing but what ``notify`` is given
    (a wait for another pipeline of the home, a dead run cleaned up)."""
    import time

    gx_process.start()  # GX's import runs on the other core while the run loads and fetches
    extraction.warm_up_in_background()  # and the extractor's tables while this one waits
    if window is None:  # and dbt, for a run that fetches (a backfill starts it cold)
        prestart.start(settings.dbt_target_path, DBT_PROJECT_DIR, settings.warehouse)
    from orchestration.definitions import defs
    from orchestration.defs.partitions import run_tags, window_from_tags
    from orchestration.defs.resources import build_resources

    instance = instance or dg.DagsterInstance.get()
    dagster = load_dagster_settings()
    owner = home_owner(settings.home)
    # one pipeline per home; clean up after its killed runs (only this home's when the
    # instance's storage is shared in PostgreSQL)
    claim_home(settings.home, instance, notify, owner=owner if dagster.on_postgres else None)
    if not settings.warehouse.is_lake:
        check_warehouse(settings.warehouse_path)  # a damaged WAL stops here, in a child process
    resources = build_resources(settings)
    outcome = PipelineResult(window=window)
    if window is None:
        pending = [
            (
                "ingest_job",
                dg.RunRequest(
                    run_config={"ops": {"fetch_sources": {"config": fetch_config or {}}}}
                ),
            )
        ]
    else:
        pending = [("raw_job", dg.RunRequest(tags=run_tags(window)))]
    try:
        while pending and len(outcome.runs) < MAX_RUNS:
            job_name, request = pending.pop(0)
            started = time.monotonic()
            tags = {**(request.tags or {}), HOME_TAG: owner}
            with _executed(
                job_name,
                request,
                instance=instance,
                resources=resources,
                dagster=dagster,
                tags=tags,
            ) as result:
                outcome.runs.append(
                    RunSummary(job_name, result.run_id, result.success, time.monotonic() - started)
                )
                _collect(result, outcome)
                if outcome.failures:
                    return outcome
                follow = _follow_ups(defs, instance, result)
            if job_name == "transform_job":
                outcome.published = True
            if job_name == "raw_job":
                outcome.window = window_from_tags(request.tags or {})
            if job_name == "ingest_job" and not follow:
                outcome.nothing_fetched = True
            if job_name == "ingest_job" and _items_fetched(result) >= MIN_PARALLEL_BATCH:
                # extraction will fork its pool: the waiting dbt's ~160 MB would add to the
                # run's peak, for a saving (~2 s) a run of this size does not notice
                prestart.stop()
            pending.extend(follow)
        return outcome
    finally:
        prestart.stop()  # unused: nothing was fetched, or a run failed before dbt
