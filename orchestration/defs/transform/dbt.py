"""dbt wired in once: every model and seed is an asset, every test a check.

The dbt assets are not partitioned: a run builds the marts for a window of publication days
(the days the raw partitions just rebuilt), passed to dbt as environment variables so partial
parsing keeps working. Partitioning 30 dbt assets by day would cost Dagster two events per
asset per day of a backfill (measured: ~5,000 events and 200 s for a 61-day sample run on
SQLite storage), for no gain: the incremental models already scope their work to the window.
"""

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from orchestration.defs.partitions import DUCKDB_POOL, window_env
from orchestration.defs.transform.project import dbt_project


class PressroomTranslator(DagsterDbtTranslator):
    """Asset keys mirror where data lives: ``<schema>/<model>`` (``marts/fct_events``)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in {"model", "seed", "snapshot"}:
            schema = dbt_resource_props.get("config", {}).get("schema") or "main"
            return dg.AssetKey([schema, dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        return dbt_resource_props.get("config", {}).get("schema") or "transform"


class TransformWindow(dg.Config):
    """Publication days to (re)build, ``YYYY-MM-DD``; end exclusive. Empty: every day."""

    window_start: str = ""
    window_end: str = ""


def dbt_build_args(window_start: str, window_end: str) -> tuple[list[str], dict[str, str]]:
    """The dbt command and the environment that carries the window (empty = everything)."""
    if not window_start or not window_end:
        return ["build"], {"PRESSROOM_MIN_DATE": "", "PRESSROOM_MAX_DATE": ""}
    start, end = date.fromisoformat(window_start), date.fromisoformat(window_end)
    if end <= start:
        raise ValueError(f"window_end {window_end} must be after window_start {window_start}")
    return ["build"], window_env(start, end)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    pool=DUCKDB_POOL,
    dagster_dbt_translator=PressroomTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
    ),
)
def pressroom_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource,
                         config: TransformWindow) -> Iterator[Any]:
    import os

    args, env = dbt_build_args(config.window_start, config.window_end)
    context.log.info(f"dbt {' '.join(args)} for window {env or 'everything'}")
    os.environ.update(env)  # DbtCliResource passes os.environ to the dbt process
    yield from dbt.cli(args, context=context).stream()
