"""The one place that reads environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from orchestration.warehouse.target import DuckDBFile, DuckLake, WarehouseTarget, parse_warehouse

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DBT_PROJECT_DIR = PROJECT_DIR / "dbt_project"
EXPECTATIONS_DIR = PROJECT_DIR / "expectations"
SAMPLE_SOURCES_FILE = PACKAGE_DIR / "sources" / "sample" / "sources.yaml"
FIRST_YEAR = 1990  # NATO's online archive starts in the 1990s; earlier years cost nothing


class SettingsError(ValueError):
    """An environment variable pressroom reads has a value it cannot use."""


@dataclass(frozen=True)
class Timeouts:
    """Each step's limit in seconds: past it the step is stopped and fails with a message
    naming the setting (`PRESSROOM_TIMEOUT_<NAME>_S`, e.g. ``PRESSROOM_TIMEOUT_DBT_S``).
    Generous by default: they catch hangs, not slow archives."""

    fetch_source: float = 7200.0
    """One source's whole fetch (every page and retry; each request also has its own
    ``http.deadline_s``). A source past it ends with a ``source_timeout`` rejection; the
    others go on."""
    extraction: float = 7200.0
    dbt: float = 7200.0
    gx: float = 1800.0
    """One Great Expectations suite run."""
    publish: float = 1800.0
    """The publish audit's SQL rules, and the copy of the warehouse to the published file."""


TIMEOUT_NAMES = ("fetch_source", "extraction", "dbt", "gx", "publish")


def timeout_setting(name: str) -> str:
    """The environment variable that sets one step's limit."""
    return f"PRESSROOM_TIMEOUT_{name.upper()}_S"


@dataclass(frozen=True)
class Settings:
    """Where pressroom keeps its data, which sources it reads, where partitions start."""

    home: Path
    sources_file: Path
    first_year: int = FIRST_YEAR
    allowed_endpoints: tuple[str, ...] = ()
    """Non-public HTTP endpoints sources may use (``127.0.0.1:8080``): test and bench feeds."""
    warehouse_spec: str = ""
    """``PRESSROOM_WAREHOUSE`` as given (empty: the DuckDB file under the home)."""
    lake_data: str = ""
    """``PRESSROOM_LAKE_DATA``: where a DuckLake keeps its Parquet files (empty: under home)."""
    timeouts: Timeouts = Timeouts()

    @property
    def warehouse(self) -> WarehouseTarget:
        """The warehouse every reader and writer opens (see `orchestration.warehouse.target`)."""
        return parse_warehouse(self.warehouse_spec, self.home, self.lake_data)

    @property
    def warehouse_path(self) -> Path:
        """The DuckDB file (file mode); in DuckLake mode, where it would be (never opened)."""
        target = self.warehouse
        return target.path if isinstance(target, DuckDBFile) else self.home / "warehouse.duckdb"

    @property
    def published_path(self) -> Path:
        return self.home / "published" / "pressroom.duckdb"

    @property
    def published(self) -> Path | DuckLake:
        """What readers open: the published copy's file, or the lake (pinned to its published
        snapshot when opened; see `orchestration.warehouse.published`)."""
        target = self.warehouse
        return target if isinstance(target, DuckLake) else self.published_path

    @property
    def http_cache_path(self) -> Path:
        return self.home / "http_cache.sqlite"

    @property
    def exports_dir(self) -> Path:
        return self.home / "exports"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def dbt_target_path(self) -> Path:
        """dbt's artifacts for this home's warehouse, kept between runs so that dbt parses
        only what changed (its partial_parse.msgpack)."""
        return self.home / "dbt_target"


def _first_year(text: str | None) -> int:
    if not text:
        return FIRST_YEAR
    if not text.strip().isdigit() or not 1900 <= int(text) <= 2100:
        raise SettingsError(f"PRESSROOM_FIRST_YEAR must be a year such as 1990, got {text!r}")
    return int(text)


def _timeouts() -> Timeouts:
    values = {}
    for name in TIMEOUT_NAMES:
        text = os.environ.get(timeout_setting(name), "").strip()
        if not text:
            continue
        try:
            values[name] = float(text)
        except ValueError:
            values[name] = -1.0
        if not 0 < values[name] <= 7 * 86400:
            raise SettingsError(f"{timeout_setting(name)} must be a number of seconds between 1 "
                             f"and 604800, got {text!r}")
    return Timeouts(**values)


def load_settings() -> Settings:
    """Settings from `PRESSROOM_HOME` (default ./data), `PRESSROOM_SOURCES` (default: the
    sample), `PRESSROOM_FIRST_YEAR` (first yearly partition, default 1990) and
    `PRESSROOM_ALLOWED_ENDPOINTS` (comma-separated loopback endpoints, default none),
    `PRESSROOM_WAREHOUSE` (``duckdb:PATH``, default the file under the home, or
    ``ducklake:postgres:CONNINFO``), `PRESSROOM_LAKE_DATA` (the DuckLake's Parquet files) and
    the step limits `PRESSROOM_TIMEOUT_<STEP>_S` (`Timeouts`)."""
    home = Path(os.environ.get("PRESSROOM_HOME", "data")).expanduser().resolve()
    sources = os.environ.get("PRESSROOM_SOURCES")
    sources_file = Path(sources).expanduser().resolve() if sources else SAMPLE_SOURCES_FILE
    endpoints = tuple(item.strip() for item in
                      os.environ.get("PRESSROOM_ALLOWED_ENDPOINTS", "").split(",") if item.strip())
    settings = Settings(home=home, sources_file=sources_file,
                        first_year=_first_year(os.environ.get("PRESSROOM_FIRST_YEAR")),
                        allowed_endpoints=endpoints,
                        warehouse_spec=os.environ.get("PRESSROOM_WAREHOUSE", "").strip(),
                        lake_data=os.environ.get("PRESSROOM_LAKE_DATA", "").strip(),
                        timeouts=_timeouts())
    settings.warehouse  # noqa: B018 - a malformed PRESSROOM_WAREHOUSE fails here, once
    return settings


def export_environment(settings: Settings, *, overwrite: bool = True) -> None:
    """Set the process defaults the tools read themselves (Dagster's home, dbt's and GX's
    telemetry) and the paths for `dagster dev` child processes.

    Pressroom's own modules take a `Settings` as an argument instead of reading these.
    """
    paths = {
        "PRESSROOM_HOME": str(settings.home),
        "PRESSROOM_SOURCES": str(settings.sources_file),
        "PRESSROOM_DUCKDB_PATH": str(settings.warehouse_path),
    }
    for name, value in paths.items():
        if overwrite or name not in os.environ:
            os.environ[name] = value
    os.environ.setdefault("DAGSTER_HOME", str(settings.dagster_home))
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def secret_environment() -> dict[str, str]:
    """The environment, for sources whose headers come from variables (``headers_from_env``);
    read once per fetch run and handed to the HTTP transport as a mapping."""
    return dict(os.environ)


EXECUTORS = ("in_process", "multiprocess")


@dataclass(frozen=True)
class DagsterSettings:
    """How Dagster runs: its executor and where its instance keeps runs, events and schedules.

    The defaults are the embedded ones: steps in the run's own process, SQLite files under the
    home. docs/scaling.md says when to change them.
    """

    executor: str = "in_process"
    """``in_process`` (one step at a time) or ``multiprocess`` (independent steps in parallel)."""
    postgres_url: str = ""
    """Empty: SQLite under the home; else the PostgreSQL database Dagster's storage uses."""

    @property
    def on_postgres(self) -> bool:
        return bool(self.postgres_url)


POSTGRES_URL_VARIABLE = "PRESSROOM_DAGSTER_POSTGRES"
"""Dagster's own yaml reads the URL from this variable (``env:``), so it is never written to
disk."""


def load_dagster_settings() -> DagsterSettings:
    """`PRESSROOM_EXECUTOR` (``in_process``, the default, or ``multiprocess``) and
    `PRESSROOM_DAGSTER_POSTGRES` (``postgresql://user:password@host:port/db``; default empty:
    SQLite under the home)."""
    executor = os.environ.get("PRESSROOM_EXECUTOR", "").strip().lower().replace("-", "_")
    if executor and executor not in EXECUTORS:
        raise ValueError(
            f"PRESSROOM_EXECUTOR must be one of {', '.join(EXECUTORS)}, got {executor!r}"
        )
    url = os.environ.get(POSTGRES_URL_VARIABLE, "").strip()
    if url and not url.startswith(("postgresql://", "postgres://")):
        raise ValueError(
            f"{POSTGRES_URL_VARIABLE} must be a URL such as "
            "postgresql://dagster:PASSWORD@127.0.0.1:5432/dagster, got one starting with "
            f"{url.split(':', 1)[0]!r}"
        )
    return DagsterSettings(executor=executor or "in_process", postgres_url=url)
