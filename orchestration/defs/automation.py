"""Jobs, the live polling schedule (stopped by default) and the raw → transform chain."""

from datetime import date, timedelta

import dagster as dg
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

from orchestration.defs.extraction.assets import MENTION_KEYS
from orchestration.defs.ingestion.assets import FETCH_ASSETS, RAW_RELEASES
from orchestration.defs.partitions import daily_partitions
from orchestration.defs.transform.dbt import pressroom_dbt_models

ingest_job = dg.define_asset_job(
    "ingest_job",
    selection=dg.AssetSelection.assets(*FETCH_ASSETS),
    description="Fetch every enabled source (or replay the sample) and keep the payloads.",
)

raw_job = dg.define_asset_job(
    "raw_job",
    selection=dg.AssetSelection.assets(RAW_RELEASES, *MENTION_KEYS.values()),
    partitions_def=daily_partitions,
    description=(
        "Rebuild raw.releases and the mention tables for a day or a range of days from kept "
        "payloads (no fetching). Backfills from the UI run this job; `build_marts_after_raw` "
        "then builds the marts for the same days."
    ),
)

transform_job = dg.define_asset_job(
    "transform_job",
    selection=dg.AssetSelection.assets(pressroom_dbt_models),
    description="dbt build (marts, tests as checks) for a window of publication days.",
)

poll_live_sources = dg.ScheduleDefinition(
    name="poll_live_sources",
    job=ingest_job,
    cron_schedule="*/30 * * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Poll live feeds every 30 minutes (start it in the UI once sources are enabled).",
)


def window_of_run(tags: dict[str, str]) -> tuple[str, str] | None:
    """The [start, end) days a raw_job run covered, from its partition tags."""
    first = tags.get(ASSET_PARTITION_RANGE_START_TAG) or tags.get(PARTITION_NAME_TAG)
    last = tags.get(ASSET_PARTITION_RANGE_END_TAG) or tags.get(PARTITION_NAME_TAG)
    if not first or not last:
        return None
    end = date.fromisoformat(last) + timedelta(days=1)
    return first, end.isoformat()


def transform_run_config(window: tuple[str, str]) -> dict:
    return {"ops": {"pressroom_dbt_models": {"config": {
        "window_start": window[0], "window_end": window[1]}}}}


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[raw_job],
    request_job=transform_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="After raw partitions are rebuilt (schedule, backfill), build the marts for "
                "the same days.",
)
def build_marts_after_raw(context: dg.RunStatusSensorContext):
    window = window_of_run(context.dagster_run.tags)
    if window is None:
        return dg.SkipReason("the raw run had no partition tags")
    return dg.RunRequest(run_key=context.dagster_run.run_id,
                         run_config=transform_run_config(window))
