"""Resources, bound in one place: the warehouse, the sources file, dbt."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

from orchestration.settings import DBT_PROJECT_DIR, export_environment, load_settings
from orchestration.sources.config import SourcesFile, load_sources
from orchestration.warehouse.connection import open_warehouse
from orchestration.warehouse.schema import ensure_raw_schema


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file; every writer opens it through here, one at a time."""

    path: str

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with open_warehouse(self.path) as conn:
            ensure_raw_schema(conn)
            yield conn


class SourcesResource(dg.ConfigurableResource):
    """The sources file (YAML) this code location reads."""

    path: str
    http_cache_path: str

    def load(self) -> SourcesFile:
        return load_sources(Path(self.path))


def build_resources() -> dict[str, object]:
    """Paths come from the environment when a run starts (EnvVar), not at import, so one
    process can run pipelines for several homes (the CLI sets them, tests too)."""
    export_environment(load_settings(), overwrite=False)
    return {
        "warehouse": WarehouseResource(path=dg.EnvVar("PRESSROOM_DUCKDB_PATH")),
        "sources": SourcesResource(path=dg.EnvVar("PRESSROOM_SOURCES"),
                                   http_cache_path=dg.EnvVar("PRESSROOM_HTTP_CACHE")),
        "dbt": DbtCliResource(
            project_dir=str(DBT_PROJECT_DIR),
            profiles_dir=str(DBT_PROJECT_DIR),
            dbt_executable=str(Path(sys.executable).parent / "dbt"),
        ),
    }
