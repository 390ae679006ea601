"""The environment a command runs in: settings, the Dagster instance's yaml, the dbt manifest."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

from orchestration.recovery import INSTANCE_YAML
from orchestration.settings import DBT_PROJECT_DIR, Settings, export_environment, load_settings

MANAGED_MARK = "# written by pressroom"
# Pools of one writer, and run monitoring that fails dead runs and frees their slots.
INSTANCE_SETTINGS = INSTANCE_YAML
# Dagster hands every run's events to this handler: the CLI's progress lines (events.py).
PROGRESS_RELAY = """\
python_logs:
  dagster_handler_config:
    handlers:
      pressroom_progress:
        class: orchestration.cli.events.RunEventRelay
        level: DEBUG
"""
DAGSTER_YAML = (
    f"{MANAGED_MARK}: edit freely after removing this line (pressroom then "
    f"leaves it alone)\n{INSTANCE_SETTINGS}{PROGRESS_RELAY}"
)
EARLIER_DAGSTER_YAML = (  # what earlier versions wrote: safe to replace
    "telemetry:\n  enabled: false\nconcurrency:\n  pools:\n    default_limit: 1\n",
    INSTANCE_SETTINGS,
    INSTANCE_SETTINGS.split("run_retries:")[0],  # before automatic run retries
)  # what earlier versions wrote: safe to replace


def settings_for(home: str | None, sources: str | None) -> Settings:
    """Settings from the command line, falling back to the environment (settings.py)."""
    settings = load_settings()
    return dataclasses.replace(
        settings,
        home=Path(home).expanduser().resolve() if home else settings.home,
        sources_file=Path(sources).expanduser().resolve() if sources else settings.sources_file,
    )


def prepare(settings: Settings) -> None:
    """Export the paths for Dagster and dbt, write the instance yaml, parse dbt if needed."""
    export_environment(settings)
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    write_dagster_yaml(settings.dagster_home / "dagster.yaml")
    ensure_dbt_manifest()


def write_dagster_yaml(path: Path) -> None:
    """Write the instance config unless the operator has made it their own."""
    if path.exists():
        current = path.read_text(encoding="utf-8")
        if current == DAGSTER_YAML or not (
            current.startswith(MANAGED_MARK) or current in EARLIER_DAGSTER_YAML
        ):
            return
    path.write_text(DAGSTER_YAML, encoding="utf-8")


def _newest_mtime(root: Path) -> float:
    newest = 0.0
    for folder in ("models", "macros", "seeds", "tests", "snapshots"):
        for path in (root / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return max(newest, (root / "dbt_project.yml").stat().st_mtime)


def ensure_dbt_manifest() -> None:
    """Parse the dbt project when its manifest is missing or older than the project files."""
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    if manifest.exists() and manifest.stat().st_mtime >= _newest_mtime(DBT_PROJECT_DIR):
        return
    dbt = Path(sys.executable).parent / "dbt"
    environment = {
        "PRESSROOM_DUCKDB_PATH": str(load_settings().warehouse_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **os.environ,
    }
    completed = subprocess.run(
        [
            str(dbt),
            "parse",
            "--quiet",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
        ],
        capture_output=True,
        text=True,
        check=False,
        env=environment,
    )
    if completed.returncode != 0:
        raise SystemExit(f"dbt parse failed:\n{completed.stdout}\n{completed.stderr}")
