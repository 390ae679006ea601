"""Matrix row 25: a run on a Dagster instance whose storage is not migrated (the ``kvs``
table missing) stops at its start in plain words, naming the command that fixes it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import dagster as dg
import pytest

from orchestration.cli import main
from orchestration.recovery import InstanceNotMigratedError, check_instance_migrated


def _unmigrated_instance(root: Path) -> Path:
    """An instance with Dagster's default SQLite storage under ``root``, minus ``kvs``."""
    root.mkdir(parents=True, exist_ok=True)
    with dg.DagsterInstance.from_config(str(root)) as instance:
        check_instance_migrated(instance)  # a fresh instance passes
    runs_db = root / "history" / "runs.db"
    with sqlite3.connect(runs_db) as conn:
        conn.execute("drop table kvs")
    return root


def test_an_instance_without_kvs_is_refused(tmp_path: Path) -> None:
    root = _unmigrated_instance(tmp_path / "dagster")
    with (
        dg.DagsterInstance.from_config(str(root)) as instance,
        pytest.raises(InstanceNotMigratedError, match="dagster instance migrate"),
    ):
        check_instance_migrated(instance)


def test_pressroom_run_stops_before_fetching_with_the_fix(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    _unmigrated_instance(home / "dagster")
    assert main(["--home", str(home), "run"]) == 1
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    assert "is not migrated" in err and "dagster instance migrate" in err, err
    assert not (home / "warehouse.duckdb").exists()  # stopped before any work
