"""No wedged runs: `pressroom run` killed with a real SIGKILL at fetch, extraction, dbt and
publish; the next run must start at once (no claimed pool slot, no run left STARTED), say what
it cleaned up, and end with every table equal to a clean run's.

Slow (a clean run plus four kill-and-rerun pairs, about five minutes): `make test-slow`.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

PRESSROOM = [sys.executable, "-m", "orchestration.cli"]
VOLATILE = {"run_id", "rejected_at", "quarantined_at", "released_at"}
RERUN_LIMIT_S = 300


def _environment(home: Path) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PRESSROOM_", "DAGSTER_"))
    }
    return {**environment, "PRESSROOM_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}


def _run(home: Path, timeout: float = RERUN_LIMIT_S) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*PRESSROOM, "run"],
        env=_environment(home),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _snapshot(path: Path) -> dict[str, list[tuple]]:
    """Every table of a DuckDB file, rows sorted, without columns that hold run times/ids."""
    conn = duckdb.connect(str(path), read_only=True)
    try:
        tables = conn.execute("""
            select table_schema, table_name from information_schema.tables
            where table_type = 'BASE TABLE' order by all""").fetchall()
        snapshot = {}
        for schema, table in tables:
            columns = [
                name
                for (name,) in conn.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall()
                if name not in VOLATILE
            ]
            listed = ", ".join(f'"{name}"' for name in columns)
            snapshot[f"{schema}.{table}"] = conn.execute(
                f'select {listed} from "{schema}"."{table}" order by all'
            ).fetchall()
        return snapshot
    finally:
        conn.close()


def _step_started(home: Path, step: str) -> bool:
    """True once any run of this home logged STEP_START for ``step`` (Dagster's SQLite logs)."""
    for log in (home / "dagster" / "history" / "runs").glob("*.db"):
        try:
            conn = sqlite3.connect(f"file:{log}?mode=ro", uri=True, timeout=0.2)
            try:
                found = conn.execute(
                    "select 1 from event_logs where dagster_event_type = 'STEP_START' "
                    "and step_key like ? limit 1",
                    [f"%{step}%"],
                ).fetchone()
            finally:
                conn.close()
        except sqlite3.Error:
            continue
        if found:
            return True
    return False


def _transform_done(home: Path) -> bool:
    """True once the third run (ingest, raw, transform) succeeded: publish comes next."""
    successes = 0
    for log in (home / "dagster" / "history" / "runs").glob("*.db"):
        try:
            conn = sqlite3.connect(f"file:{log}?mode=ro", uri=True, timeout=0.2)
            try:
                successes += conn.execute(
                    "select count(*) from event_logs where dagster_event_type = 'PIPELINE_SUCCESS'"
                ).fetchone()[0]
            finally:
                conn.close()
        except sqlite3.Error:
            continue
    return successes >= 3


STAGES: dict[str, Callable[[Path], bool]] = {
    "fetch": lambda home: _step_started(home, "fetch_sources"),
    "extraction": lambda home: _step_started(home, "extract_mentions"),
    "dbt": lambda home: _step_started(home, "pressroom_dbt_models"),
    "publish": _transform_done,  # the audit and the copy run right after the dbt run
}


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, list[tuple]]]:
    home = tmp_path_factory.mktemp("clean")
    completed = _run(home)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return {
        "warehouse": _snapshot(home / "warehouse.duckdb"),
        "published": _snapshot(home / "published" / "pressroom.duckdb"),
    }


@pytest.mark.parametrize("stage", list(STAGES))
def test_sigkill_never_wedges_the_next_run(tmp_path: Path, clean: dict, stage: str) -> None:
    # Regression: after a SIGKILL the run stayed STARTED and kept its duckdb pool slot, and
    # every later run waited forever, silently, at full CPU.
    home = tmp_path / "home"
    victim = subprocess.Popen(
        [*PRESSROOM, "run"],
        env=_environment(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 240
    try:
        while not STAGES[stage](home):
            assert victim.poll() is None, f"the run ended before reaching {stage}"
            assert time.monotonic() < deadline, f"{stage} was never reached"
            time.sleep(0.05)
    finally:
        os.killpg(victim.pid, signal.SIGKILL)  # the run and its dbt child, as the OOM killer
        victim.wait()
    started = time.monotonic()
    rerun = _run(home)
    output = rerun.stdout + rerun.stderr
    errors = [line for line in output.splitlines() if "Error" in line or "Exception" in line]
    assert rerun.returncode == 0, "\n".join(errors[-20:]) + output[-3000:]
    if stage != "publish":  # at publish every Dagster run has ended: nothing to clean up
        assert "marked failed" in output, output[-4000:]
    assert time.monotonic() - started < RERUN_LIMIT_S
    assert _snapshot(home / "warehouse.duckdb") == clean["warehouse"]
    assert _snapshot(home / "published" / "pressroom.duckdb") == clean["published"]
