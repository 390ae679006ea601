"""dbt wired in once: every model and seed is an asset; dbt's tests run inside `dbt build`.

dbt's ~140 tests are not mirrored as Dagster asset checks: each would cost two events in
Dagster's SQLite event log per run (~280 events, measured at 30-75 ms each on this machine:
the largest fixed cost of a one-day run). A failing error-severity test still fails the
build step, so nothing downstream (the publish) runs; warn-severity tests print as warnings
in dbt's output. Dagster's own blocking checks (SQL rules, GX suites) stay asset checks.

The dbt assets are not partitioned: a run builds the marts for a `Window` of publication
days (the days the raw run just rebuilt), passed to dbt as ``--vars``. Partitioning 30 dbt
assets would cost Dagster two events per asset per partition of a backfill for no gain: the
incremental models already scope their work to the window.
"""

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    dbt_assets,
)

from orchestration.defs.partitions import DUCKDB_POOL
from orchestration.defs.resources import DbtResource, WarehouseResource
from orchestration.defs.transform.project import dbt_project
from orchestration.window import Window


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

    def window(self) -> Window | None:
        if not self.window_start or not self.window_end:
            return None
        return Window(date.fromisoformat(self.window_start), date.fromisoformat(self.window_end))

    @classmethod
    def of(cls, window: Window | None) -> "TransformWindow":
        if window is None:
            return cls()
        return cls(window_start=window.start.isoformat(), window_end=window.end.isoformat())


def dbt_build_args(window: Window | None, warehouse_path: str) -> list[str]:
    """The dbt command: the warehouse file and the window (none: every day) as ``--vars``.
    dbt's unit tests check the SQL, not the data: CI runs them (tests/integration), a
    pipeline run does not."""
    import json

    variables = {"duckdb_path": warehouse_path, **(window.dbt_vars() if window else {})}
    return [
        "build",
        "--vars",
        json.dumps(variables, sort_keys=True),
        "--exclude",
        "resource_type:unit_test",
    ]


def materializations(events: Iterable[Any]) -> Iterator[Any]:
    """dbt's events without the one observation per data test: a failing test already fails
    the build (nothing downstream runs), and each observation costs a write to Dagster's
    event log (about 160 per run, seconds on SQLite)."""
    return (event for event in events if not isinstance(event, dg.AssetObservation))


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    pool=DUCKDB_POOL,
    dagster_dbt_translator=PressroomTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=False)
    ),
)
def pressroom_dbt_models(context: dg.AssetExecutionContext, dbt: DbtResource,
                         warehouse: WarehouseResource, config: TransformWindow
                         ) -> Iterator[Any]:
    window = config.window()
    context.log.info(f"dbt build for {window or 'every day'}")
    invocation = dbt.cli(
        dbt_build_args(window, warehouse.path), context=context, target_path=Path(dbt.target_dir)
    )
    yield from materializations(invocation.stream())
