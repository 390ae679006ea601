"""The dbt command lines for a warehouse target (pure functions; nothing here runs dbt)."""

from __future__ import annotations

import json

from orchestration.warehouse.target import DuckDBFile, DuckLake, WarehouseTarget
from orchestration.window import Window


def _warehouse_args(warehouse: WarehouseTarget | str) -> tuple[list[str], list[str]]:
    """dbt's global flags and the target with its vars, for ``warehouse``."""
    if isinstance(warehouse, DuckLake):
        place = {
            "ducklake_catalog": warehouse.catalog,
            "ducklake_data_path": str(warehouse.data_path),
        }
        return [], ["--target", "lake", "--vars", json.dumps(place, sort_keys=True)]
    path = warehouse.path if isinstance(warehouse, DuckDBFile) else warehouse
    return ["--no-write-json"], ["--vars", json.dumps({"duckdb_path": str(path)}, sort_keys=True)]


TWO_THREADS_MAX_DAYS = 31
"""A build of a window up to this long runs on the profile's 2 threads (a day's build is
mostly dbt's per-node Python, which the second thread's queries overlap); a longer one, or
every day, on 1: a whole archive's build is DuckDB's work, where two queries at once add
memory (two working sets in one process) and little time (at 100,000 releases the marts and
publish took 36.2 s with 2 threads, median of 3, and 36.9 s with 1, one earlier run)."""


def _threads(window: Window | None) -> list[str]:
    return [] if window is not None and window.days <= TWO_THREADS_MAX_DAYS else ["--threads", "1"]


def dbt_build_args(window: Window | None, warehouse: WarehouseTarget | str) -> list[str]:
    """The dbt command: the warehouse (a file path, or a DuckLake through the profile's
    ``lake`` target) as ``--vars``, constant for a home, and the window (none: every day) as
    dbt's event-time flags (`Window.dbt_args`), which stay out of dbt's partial-parse state:
    a new window no longer costs a full parse. dbt's unit tests check the SQL, not the data:
    CI runs them (tests/integration), a pipeline run does not.

    On the DuckDB file dbt writes no JSON artifacts (``--no-write-json``: manifest.json twice,
    run_results.json, graph.gpickle; ~0.6 s of a sample run's build) as nothing reads them;
    the lake's build reads run_results.json to tell a commit conflict from another failure.
    Partial parsing keeps working: its state (partial_parse.msgpack) is written either way.
    A window longer than `TWO_THREADS_MAX_DAYS` days, or every day, builds on one thread."""
    flags, target = _warehouse_args(warehouse)
    return [
        *flags,
        "build",
        *target,
        *(window.dbt_args() if window else []),
        *_threads(window),
        "--exclude",
        "resource_type:unit_test",
    ]


def dbt_parse_args(warehouse: WarehouseTarget | str) -> list[str]:
    """``dbt parse``'s arguments with what `dbt_build_args` hands dbt's partial-parse state
    (the target and vars), so that a build after this parse finds that state current."""
    return _warehouse_args(warehouse)[1]
