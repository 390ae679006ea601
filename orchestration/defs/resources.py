"""Resources, bound in one place: the warehouse, the sources file, dbt."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource
from packaging import version
from pydantic import Field

from orchestration.settings import DBT_PROJECT_DIR, Settings, load_settings
from orchestration.sources.config import SourcesFile, load_sources
from orchestration.warehouse.connection import open_warehouse
from orchestration.warehouse.schema import ensure_raw_schema


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file (every writer opens it through here, one at a time) and the
    read-only copy readers get once every gate passed."""

    path: str
    published_path: str

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with open_warehouse(self.path) as conn:
            ensure_raw_schema(conn)
            yield conn


class SourcesResource(dg.ConfigurableResource):
    """The sources file (YAML) this code location reads, and how live sources are fetched."""

    path: str
    http_cache_path: str
    allowed_endpoints: list[str] = Field(default_factory=list)

    def load(self) -> SourcesFile:
        return load_sources(Path(self.path))


class DbtResource(DbtCliResource):
    """dbt for this home's warehouse, with one artifacts directory kept between runs: dbt
    re-parses only what changed since the last run (its partial_parse.msgpack) instead of
    the whole project in a fresh directory per run.

    Two costs of dagster-dbt 0.29 that buy nothing here are skipped (seconds per run on 2
    cores): a ``dbt --version`` process to learn the version of the dbt-core installed beside
    us, and a dbt adapter opened in this process, used only to fetch column metadata, which
    the assets do not fetch. tests/integration/test_dagster_defs.py fails if an upgrade
    renames what these override."""

    target_dir: str

    @cached_property
    def _cli_version(self) -> version.Version:
        from dbt.version import __version__

        return version.parse(__version__)

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None


def build_resources(settings: Settings | None = None) -> dict[str, object]:
    """Resources for ``settings`` (default: the environment's). Builds objects only: no file,
    connection or directory is touched until a run uses them."""
    settings = settings or load_settings()
    return {
        "warehouse": WarehouseResource(path=str(settings.warehouse_path),
                                       published_path=str(settings.published_path)),
        "sources": SourcesResource(path=str(settings.sources_file),
                                   http_cache_path=str(settings.http_cache_path),
                                   allowed_endpoints=list(settings.allowed_endpoints)),
        "dbt": DbtResource(
            target_dir=str(settings.dbt_target_path),
            project_dir=str(DBT_PROJECT_DIR),
            profiles_dir=str(DBT_PROJECT_DIR),
            dbt_executable=str(Path(sys.executable).parent / "dbt"),
        ),
    }
