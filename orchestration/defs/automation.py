"""Jobs, the live polling schedule (stopped by default) and the sensors that chain
fetch → raw + extraction → dbt marts → publish.

Whoever starts a run (the schedule, a backfill in the UI, `pressroom run`), the same two
sensors carry it to a published warehouse: `raw_after_fetch` rebuilds the days a fetch
touched, `marts_after_raw` builds the marts and publishes for the days a raw run rebuilt.
The CLI evaluates these same sensors after each run it launches (see `pipeline.py`).
"""

import dagster as dg

from orchestration.defs.extraction.assets import MENTION_KEYS
from orchestration.defs.ingestion.assets import FETCH_ASSETS, RAW_FETCHED_ITEMS, RAW_RELEASES
from orchestration.defs.partitions import (
    outside_partitions,
    release_partitions,
    run_tags,
    window_from_tags,
)
from orchestration.defs.publish.assets import PUBLISHED
from orchestration.defs.transform.dbt import TransformWindow, pressroom_dbt_models
from orchestration.window import Window

RAW_KEYS = (RAW_RELEASES, *MENTION_KEYS.values())
FOLLOW_UP_INTERVAL_S = 5  # the daemon's sensor loop; Dagster's default of 30 s adds ~15 s a step

ingest_job = dg.define_asset_job(
    "ingest_job",
    selection=dg.AssetSelection.assets(*FETCH_ASSETS),
    description="Fetch every enabled source (or replay the sample) and keep the payloads.",
)

raw_job = dg.define_asset_job(
    "raw_job",
    selection=dg.AssetSelection.assets(*RAW_KEYS),
    partitions_def=release_partitions,
    description=(
        "Rebuild raw.releases and the mention tables for a year or a range of years from kept "
        "payloads (no fetching); a `pressroom/window` tag narrows it to the days a fetch "
        "touched. Backfills from the UI run these assets; `marts_after_raw` then builds the "
        "marts and publishes."
    ),
)

transform_job = dg.define_asset_job(
    "transform_job",
    selection=dg.AssetSelection.assets(pressroom_dbt_models, PUBLISHED),
    description="dbt build (marts, tests as checks) for a window of publication days, then "
    "the audit and the publish.",
)

poll_live_sources = dg.ScheduleDefinition(
    name="poll_live_sources",
    job=ingest_job,
    cron_schedule="*/30 * * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Poll live feeds every 30 minutes (start it in the UI once sources are enabled).",
)


def transform_run_config(window: Window | None) -> dict:
    """Run config of a transform_job run for ``window`` (None: every day)."""
    return {"ops": {"pressroom_dbt_models": {"config": TransformWindow.of(window).model_dump()}}}


def fetched_window(instance: dg.DagsterInstance, run_id: str) -> Window | None:
    """The publication days a fetch run stored items for (from its materialization)."""
    event = instance.get_latest_materialization_event(RAW_FETCHED_ITEMS)
    if event is None or event.run_id != run_id or event.asset_materialization is None:
        return None
    metadata = event.asset_materialization.metadata
    first, last = metadata.get("first_partition"), metadata.get("last_partition")
    if first is None or last is None or not first.value or not last.value:
        return None
    from datetime import date

    return Window.of_days(date.fromisoformat(str(first.value)), date.fromisoformat(str(last.value)))


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[ingest_job],
    request_job=raw_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=FOLLOW_UP_INTERVAL_S,
    description="After a fetch, rebuild raw releases and mentions for the days it touched "
    "(one ranged run over their years, narrowed to those days).",
)
def raw_after_fetch(context: dg.RunStatusSensorContext):
    if context.dagster_run.job_name != ingest_job.name:
        return dg.SkipReason(f"run {context.dagster_run.run_id} is not a fetch")
    window = fetched_window(context.instance, context.dagster_run.run_id)
    if window is None:
        return dg.SkipReason("the fetch stored no release")
    outside = outside_partitions(window)
    if outside:
        context.log.warning(outside)
    return dg.RunRequest(run_key=context.dagster_run.run_id, tags=run_tags(window))


def built_raw(run: dg.DagsterRun) -> bool:
    """Did this run rebuild raw releases or mentions (a raw_job run or a UI backfill)?"""
    if run.job_name == raw_job.name:
        return True
    return bool(run.asset_selection and set(run.asset_selection) & set(RAW_KEYS))


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    request_job=transform_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=FOLLOW_UP_INTERVAL_S,
    description="After raw partitions are rebuilt (a fetch, a UI backfill), build the marts "
    "for the same days and publish.",
)
def marts_after_raw(context: dg.RunStatusSensorContext):
    run = context.dagster_run
    if not built_raw(run):
        return dg.SkipReason(f"run {run.run_id} built no raw asset")
    window = window_from_tags(run.tags)
    if window is None:
        return dg.SkipReason("the raw run had no partition tags")
    return dg.RunRequest(run_key=run.run_id, run_config=transform_run_config(window))


sensors = [raw_after_fetch, marts_after_raw]
