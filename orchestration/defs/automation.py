"""Jobs and the live polling schedule (stopped by default: nothing here reaches the web)."""


import dagster as dg

from orchestration.defs.ingestion.assets import FETCH_ASSETS
from orchestration.defs.partitions import daily_partitions

ingest_job = dg.define_asset_job(
    "ingest_job",
    selection=dg.AssetSelection.assets(*FETCH_ASSETS),
    description="Fetch every enabled source (or replay the sample) and keep the payloads.",
)

warehouse_job = dg.define_asset_job(
    "warehouse_job",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(*FETCH_ASSETS),
    partitions_def=daily_partitions,
    description=(
        "Build raw.releases, the mentions and every dbt model for a partition or a range of "
        "partitions, from kept payloads (no fetching). Use it for backfills."
    ),
)

poll_live_sources = dg.ScheduleDefinition(
    name="poll_live_sources",
    job=ingest_job,
    cron_schedule="*/30 * * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Poll live feeds every 30 minutes (start it in the UI once sources are enabled).",
)
