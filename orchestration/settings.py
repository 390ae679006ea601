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


@dataclass(frozen=True)
class Settings:
    """Where pressroom keeps its data and which sources it reads."""

    home: Path
    sources_file: Path

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


def load_settings() -> Settings:
    """Settings from `PRESSROOM_HOME` (default ./data) and `PRESSROOM_SOURCES` (default: sample)."""
    home = Path(os.environ.get("PRESSROOM_HOME", "data")).expanduser().resolve()
    sources = os.environ.get("PRESSROOM_SOURCES")
    sources_file = Path(sources).expanduser().resolve() if sources else SAMPLE_SOURCES_FILE
    return Settings(home=home, sources_file=sources_file)


def export_environment(settings: Settings, *, overwrite: bool = True) -> None:
    """Publish the paths to Dagster resources (read at run launch) and to dbt.

    With ``overwrite=False`` only missing variables are set (the code location's defaults).
    """
    paths = {
        "PRESSROOM_HOME": str(settings.home),
        "PRESSROOM_SOURCES": str(settings.sources_file),
        "PRESSROOM_DUCKDB_PATH": str(settings.warehouse_path),
        "PRESSROOM_HTTP_CACHE": str(settings.http_cache_path),
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
