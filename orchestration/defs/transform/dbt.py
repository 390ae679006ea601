"""dbt wired in once: every model and seed is an asset; dbt's tests run inside `dbt build`.

dbt's ~80 data tests are not mirrored as Dagster asset checks: each would cost two events in
Dagster's SQLite event log per run (~160 events, measured at 30-75 ms each on this machine:
the largest fixed cost of a one-day run). A failing error-severity test (or a mart's not-null
constraint refusing a row) still fails the build step, so nothing downstream (the publish)
runs; warn-severity tests print as warnings in dbt's output. Dagster's own blocking checks
(SQL rules, GX suites) stay asset checks.

The dbt assets are not partitioned: a run builds the marts for a `Window` of publication
days (the days the raw run just rebuilt), passed to dbt as its event-time flags. Partitioning 30 dbt
assets would cost Dagster two events per asset per partition of a backfill for no gain: the
incremental models already scope their work to the window.
"""

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg

from orchestration.deadlines import deadline
from orchestration.defs.dbt_library import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    dbt_assets,
)
from orchestration.defs.partitions import DUCKDB_POOL
from orchestration.defs.resources import DbtResource, WarehouseResource
from orchestration.defs.retries import LOCK_RETRY, retry_on_lock_only
from orchestration.defs.transform.project import dbt_project
from orchestration.settings import timeout_setting
from orchestration.warehouse.dbt_command import dbt_build_args
from orchestration.warehouse.target import DuckLake
from orchestration.window import Window


class PressroomTranslator(DagsterDbtTranslator):
    """Asset keys mirror where data lives: ``<schema>/<model>`` (``marts/fct_events``)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in {"model", "seed", "snapshot"}:
            schema = dbt_resource_props.get("config", {}).get("schema") or "main"
            return dg.AssetKey([schema, dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        """Seeds: their YAML description and file (dagster-dbt's default appends an empty
        "Raw SQL:" to a seed's description)."""
        if dbt_resource_props["resource_type"] != "seed":
            return super().get_description(dbt_resource_props)
        described = (dbt_resource_props.get("description") or "").strip()
        where = f"dbt_project/{dbt_resource_props['original_file_path']}"
        return f"{described}\n\nReference data loaded by `dbt seed` from `{where}`."

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

    @classmethod
    def of_run(cls, run_config: Mapping[str, Any]) -> Window | None:
        """The window a run's dbt step built (its config under ``pressroom_dbt_models``, as
        ``automation.transform_run_config`` writes it); None: every day, or no dbt step."""
        ops = run_config.get("ops") or {}
        config = (ops.get("pressroom_dbt_models") or {}).get("config") or {}
        return cls(**config).window()


def materializations(events: Iterable[Any]) -> Iterator[Any]:
    """dbt's events without the one observation per data test: a failing test already fails
    the build (nothing downstream runs), and each observation costs a write to Dagster's
    event log (about 80 per run, seconds on SQLite)."""
    return (event for event in events if not isinstance(event, dg.AssetObservation))


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    pool=DUCKDB_POOL,
    retry_policy=LOCK_RETRY,
    dagster_dbt_translator=PressroomTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=False)
    ),
)
@retry_on_lock_only
def pressroom_dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtResource,
    warehouse: WarehouseResource,
    config: TransformWindow,
) -> Iterator[Any]:
    window = config.window()
    context.log.info(f"dbt build for {window or 'every day'}")
    target = warehouse.target
    if isinstance(target, DuckLake):
        yield from _lake_build(
            context, dbt, target, dbt_build_args(window, target), warehouse.dbt_timeout_s
        )
        return
    # an operator must not read an older build's results as this one's (none are written)
    (Path(dbt.target_dir) / "run_results.json").unlink(missing_ok=True)
    invocation = dbt.cli(
        dbt_build_args(window, target), context=context, target_path=Path(dbt.target_dir)
    )
    with _build_deadline(invocation, warehouse.dbt_timeout_s):
        yield from materializations(invocation.stream())


def _build_deadline(invocation: Any, seconds: float) -> deadline:
    """Past its limit dbt is killed (its open DuckDB transaction dies with it); the thread is
    not interrupted, as it spends its time in Dagster's code between the events yielded."""
    return deadline(
        "dbt build",
        seconds,
        timeout_setting("dbt"),
        stop=invocation.process.kill,
        interrupt_thread=False,
    )


LAKE_BUILD_ATTEMPTS = 4


def _conflicts(invocation: Any) -> list[str]:
    """The failed nodes' messages that name a DuckLake commit conflict."""
    try:
        results = invocation.get_artifact("run_results.json").get("results", [])
    except Exception:  # no artifact: dbt stopped before writing it
        return []
    return [
        str(result.get("message") or "")
        for result in results
        if result.get("status") == "error" and "conflict" in str(result.get("message")).lower()
    ]


def _lake_build(
    context: dg.AssetExecutionContext,
    dbt: DbtResource,
    lake: DuckLake,
    args: list[str],
    timeout_s: float,
) -> Iterator[Any]:
    """`dbt build` on the lake, one writer's at a time (`marts_build_lock`), redone from the
    start when a model's commit still conflicted with another writer's (every model replaces
    its window or table, so a redo is safe). A build's events are held until it succeeds, so
    a redo never reports a model twice."""
    import time

    import duckdb

    from orchestration.warehouse.lake import load_extensions, marts_build_lock

    with duckdb.connect() as conn:  # dbt's DuckDB then finds them installed: no download
        load_extensions(conn)
    delay = 1.0
    for attempt in range(1, LAKE_BUILD_ATTEMPTS + 1):
        with marts_build_lock(lake, context.log.warning):
            invocation = dbt.cli(
                args, context=context, raise_on_error=False, target_path=Path(dbt.target_dir)
            )
            with _build_deadline(invocation, timeout_s):
                events = list(materializations(invocation.stream()))
        if invocation.is_successful():
            yield from events
            return
        conflicts = _conflicts(invocation)
        if not conflicts or attempt == LAKE_BUILD_ATTEMPTS:
            error = invocation.get_error()
            if conflicts and error is not None:
                raise dg.Failure(
                    f"dbt build: DuckLake commit conflicts with another writer {attempt} times "
                    f"({conflicts[0][:300]}); run it again when the other writer is done"
                ) from error
            raise error or dg.Failure("dbt build failed")
        context.log.warning(
            f"dbt build: DuckLake commit conflict with another writer (attempt {attempt} of "
            f"{LAKE_BUILD_ATTEMPTS}); rebuilding in {delay:.0f} s: {conflicts[0][:300]}"
        )
        time.sleep(delay)
        delay *= 2
