"""The environment a command runs in: settings, the Dagster instance's yaml, the dbt manifest."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

from orchestration.cli.errors import UserError
from orchestration.recovery import INSTANCE_YAML
from orchestration.scaling import FILE_WRITERS, writer_pool_limit
from orchestration.settings import (
    DBT_PROJECT_DIR,
    POSTGRES_URL_VARIABLE,
    DagsterSettings,
    Settings,
    export_environment,
    load_dagster_settings,
    load_settings,
)

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
MANAGED_LINE = (
    f"{MANAGED_MARK}: edit freely after removing this line (pressroom then leaves it alone)\n"
)
# Runs, event logs, schedules and pool slots in PostgreSQL; Dagster reads the URL from the
# environment when the instance loads, so the password is never written to disk.
POSTGRES_STORAGE = f"""\
storage:
  postgres:
    postgres_url:
      env: {POSTGRES_URL_VARIABLE}
"""
EARLIER_DAGSTER_YAML = (  # what earlier versions wrote: safe to replace
    "telemetry:\n  enabled: false\nconcurrency:\n  pools:\n    default_limit: 1\n",
    INSTANCE_SETTINGS,
    INSTANCE_SETTINGS.split("run_retries:")[0],  # before automatic run retries
)  # what earlier versions wrote: safe to replace


def settings_for(home: str | None, sources: str | None) -> Settings:
    """Settings from the command line, falling back to the environment (settings.py)."""
    settings = load_settings()
    try:
        load_dagster_settings()  # a malformed executor or storage setting stops here, first
    except ValueError as error:
        raise UserError(str(error), "fix or unset it; docs/scaling.md lists the settings") from None
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
    text = dagster_yaml(writer_pool_limit(settings), load_dagster_settings(), settings.dagster_home)
    write_dagster_yaml(settings.dagster_home / "dagster.yaml", text)
    ensure_dbt_manifest()


def dagster_yaml(pool_limit: int, dagster: DagsterSettings, dagster_home: Path) -> str:
    """The instance yaml pressroom manages: the writers' pool limit for this warehouse
    (scaling.py) and the storage: with `PRESSROOM_DAGSTER_POSTGRES` in PostgreSQL, else
    Dagster's SQLite files under ``dagster_home`` with the pooled event log."""
    limit = f"default_limit: {FILE_WRITERS}\n"
    assert limit in INSTANCE_SETTINGS, "INSTANCE_YAML no longer sets the pools' default limit"
    instance = INSTANCE_SETTINGS.replace(limit, f"default_limit: {pool_limit}\n", 1)
    storage = POSTGRES_STORAGE if dagster.on_postgres else pooled_event_log(dagster_home)
    return f"{MANAGED_LINE}{instance}{storage}{PROGRESS_RELAY}"


def pooled_event_log(dagster_home: Path) -> str:
    """The event log in Dagster's usual SQLite files, its files kept open
    (orchestration/event_log.py). The home is written out: an instance opened by its path
    (`DagsterInstance.from_config`) must not depend on ``DAGSTER_HOME``."""
    home = json.dumps(str(dagster_home))  # a YAML double-quoted string, whatever the path
    return (
        "event_log_storage:\n  module: orchestration.event_log\n"
        f"  class: PooledSqliteEventLogStorage\n  config:\n    home: {home}\n"
    )


def write_dagster_yaml(path: Path, text: str) -> None:
    """Write the instance config unless the operator has made it their own."""
    if path.exists():
        current = path.read_text(encoding="utf-8")
        if current == text or not (
            current.startswith(MANAGED_MARK) or current in EARLIER_DAGSTER_YAML
        ):
            return
    path.write_text(text, encoding="utf-8")


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
