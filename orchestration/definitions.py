"""The Dagster code location: builds Definitions from defs/, nothing else."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.automation import (
    ingest_job,
    poll_live_sources,
    raw_job,
    sensors,
    transform_job,
)
from orchestration.defs.checks import asset_checks
from orchestration.defs.execution import executor_for
from orchestration.defs.extraction.assets import extract_mentions
from orchestration.defs.ingestion.assets import fetch_sources, raw_releases
from orchestration.defs.publish.assets import published_warehouse
from orchestration.defs.quality import quality_checks
from orchestration.defs.resources import build_resources
from orchestration.defs.transform.dbt import pressroom_dbt_models
from orchestration.settings import load_dagster_settings

defs = dg.Definitions(
    assets=[fetch_sources, raw_releases, extract_mentions, pressroom_dbt_models,
            published_warehouse],
    asset_checks=[*asset_checks, *quality_checks],
    jobs=[ingest_job, raw_job, transform_job],
    schedules=[poll_live_sources],
    sensors=sensors,
    resources=build_resources(),
    executor=executor_for(load_dagster_settings()),
)
