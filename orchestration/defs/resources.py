"""Resources, bound in one place: the warehouse, the sources file, dbt."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TypeVar

import dagster as dg
import duckdb
from packaging import version
from pydantic import Field

from orchestration.dbt_warm.prestart import dbt_command
from orchestration.defs.dbt_library import DbtCliResource
from orchestration.settings import DBT_PROJECT_DIR, Settings, load_settings
from orchestration.sources.config import SourcesFile, load_sources
from orchestration.warehouse.connection import open_warehouse, retry_conflicts
from orchestration.warehouse.schema import ensure_raw_schema
from orchestration.warehouse.target import DuckDBFile, DuckLake, WarehouseTarget

T = TypeVar("T")

LOCK_WAIT_S = 10.0
"""How long one attempt waits for another process's lock on the warehouse; the writers'
retry policy (defs/retries.py) then tries again twice."""


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse every writer opens through here: the DuckDB file (one writer at a time)
    and the read-only copy readers get once every gate passed; or, when ``lake_catalog`` is
    set, a DuckLake (catalog in PostgreSQL, Parquet under ``lake_data``) whose published
    snapshot readers pin."""

    path: str
    published_path: str
    lake_catalog: str = ""
    lake_data: str = ""
    # Step limits in seconds (settings.Timeouts; 0: none).
    extraction_timeout_s: float = 0.0
    dbt_timeout_s: float = 0.0
    gx_timeout_s: float = 0.0
    publish_timeout_s: float = 0.0

    @property
    def target(self) -> WarehouseTarget:
        if self.lake_catalog:
            return DuckLake(catalog=self.lake_catalog, data_path=Path(self.lake_data))
        return DuckDBFile(path=Path(self.path), published_path=Path(self.published_path))

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with open_warehouse(self.target, wait_s=LOCK_WAIT_S) as conn:
            ensure_raw_schema(conn)
            yield conn

    def write(
        self,
        action: Callable[[duckdb.DuckDBPyConnection], T],
        *,
        what: str,
        log: Callable[[str], None],
    ) -> T:
        """``action`` on a fresh connection; redone (after a logged wait) when its DuckLake
        commit conflicts with another writer's. Every pressroom write replaces its window, so
        redoing it is safe. The DuckDB file has one writer: no conflicts to retry there."""

        def attempt() -> T:
            with self.connect() as conn:
                return action(conn)

        return retry_conflicts(attempt, what=what, log=log)


class SourcesResource(dg.ConfigurableResource):
    """The sources file (YAML) this code location reads, and how live sources are fetched."""

    path: str
    http_cache_path: str
    allowed_endpoints: list[str] = Field(default_factory=list)
    fetch_timeout_s: float = 0.0
    """One source's whole fetch (settings.Timeouts.fetch_source; 0: none)."""

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
        """The installed dbt-core's version, read from its package metadata (not imported:
        defs/dbt_library.py)."""
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None


def build_resources(settings: Settings | None = None) -> dict[str, object]:
    """Resources for ``settings`` (default: the environment's). Builds objects only: no file,
    connection or directory is touched until a run uses them."""
    settings = settings or load_settings()
    target = settings.warehouse
    lake = target if isinstance(target, DuckLake) else None
    limits = settings.timeouts
    return {
        "warehouse": WarehouseResource(
            path=str(settings.warehouse_path),
            published_path=str(settings.published_path),
            lake_catalog=lake.catalog if lake else "",
            lake_data=str(lake.data_path) if lake else "",
            extraction_timeout_s=limits.extraction,
            dbt_timeout_s=limits.dbt,
            gx_timeout_s=limits.gx,
            publish_timeout_s=limits.publish,
        ),
        "sources": SourcesResource(
            path=str(settings.sources_file),
            http_cache_path=str(settings.http_cache_path),
            allowed_endpoints=list(settings.allowed_endpoints),
            fetch_timeout_s=limits.fetch_source,
        ),
        "dbt": DbtResource(
            target_dir=str(settings.dbt_target_path),
            project_dir=str(DBT_PROJECT_DIR),
            profiles_dir=str(DBT_PROJECT_DIR),
            dbt_executable=str(dbt_command()),  # pressroom-dbt: a waiting dbt, if started
        ),
    }
