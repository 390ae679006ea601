"""The one place that reads environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DBT_PROJECT_DIR = PROJECT_DIR / "dbt_project"
EXPECTATIONS_DIR = PROJECT_DIR / "expectations"
SAMPLE_SOURCES_FILE = PACKAGE_DIR / "sources" / "sample" / "sources.yaml"
FIRST_YEAR = 1990  # NATO's online archive starts in the 1990s; earlier years cost nothing


@dataclass(frozen=True)
class Settings:
    """Where pressroom keeps its data, which sources it reads, where partitions start."""

    home: Path
    sources_file: Path
    first_year: int = FIRST_YEAR
    allowed_endpoints: tuple[str, ...] = ()
    """Non-public HTTP endpoints sources may use (``127.0.0.1:8080``): test and bench feeds."""

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def published_path(self) -> Path:
        return self.home / "published" / "pressroom.duckdb"

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
        raise ValueError(f"PRESSROOM_FIRST_YEAR must be a year such as 1990, got {text!r}")
    return int(text)


def load_settings() -> Settings:
    """Settings from `PRESSROOM_HOME` (default ./data), `PRESSROOM_SOURCES` (default: the
    sample), `PRESSROOM_FIRST_YEAR` (first yearly partition, default 1990) and
    `PRESSROOM_ALLOWED_ENDPOINTS` (comma-separated loopback endpoints, default none)."""
    home = Path(os.environ.get("PRESSROOM_HOME", "data")).expanduser().resolve()
    sources = os.environ.get("PRESSROOM_SOURCES")
    sources_file = Path(sources).expanduser().resolve() if sources else SAMPLE_SOURCES_FILE
    endpoints = tuple(item.strip() for item in
                      os.environ.get("PRESSROOM_ALLOWED_ENDPOINTS", "").split(",") if item.strip())
    return Settings(home=home, sources_file=sources_file,
                    first_year=_first_year(os.environ.get("PRESSROOM_FIRST_YEAR")),
                    allowed_endpoints=endpoints)


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
