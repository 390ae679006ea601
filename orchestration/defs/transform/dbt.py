"""dbt wired in once: every model, seed and test is an asset or a check, partitioned by day."""


import os
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

from orchestration.defs.partitions import DUCKDB_POOL, daily_partitions, window_env, window_of
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


def dbt_build_args(start: date, end: date) -> tuple[list[str], dict[str, str]]:
    """The dbt command and the environment that carries the partition window."""
    return ["build"], window_env(start, end)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=DUCKDB_POOL,
    dagster_dbt_translator=PressroomTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
    ),
)
def pressroom_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource
                         ) -> Iterator[Any]:
    start, end = window_of(context)
    args, env = dbt_build_args(start, end)
    os.environ.update(env)  # DbtCliResource passes os.environ to the dbt process
    yield from dbt.cli(args, context=context).stream()
