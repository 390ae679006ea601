"""A hung step fails the run with a message, and the next run works: `pressroom run` with a
dbt limit of 1 s (dbt cannot even start in that time, as a hung dbt would not finish) fails
naming the setting, kills dbt, publishes nothing; the next run, with the default limits,
publishes. Slow (two runs of the bundled sample): `make test-slow`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def _run(home: Path, **extra: str) -> tuple[subprocess.CompletedProcess, float]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PRESSROOM_", "DAGSTER_"))
    }
    environment.update(PRESSROOM_HOME=str(home), DAGSTER_HOME=str(home / "dagster"), **extra)
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    return completed, time.monotonic() - started


def _dbt_processes(home: Path) -> list[str]:
    """Command lines of live processes that name this home (a dbt left running)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        if "dbt" in command and str(home).encode() in environ:
            found.append(command)
    return found


def test_a_hung_dbt_fails_the_run_with_a_message_and_the_next_run_works(tmp_path: Path) -> None:
    home = tmp_path / "home"
    hung, seconds = _run(home, PRESSROOM_TIMEOUT_DBT_S="1")
    output = hung.stdout + hung.stderr
    assert hung.returncode == 1, output[-4000:]
    assert "dbt build took longer than its limit of 1 s" in output, output[-4000:]
    assert "PRESSROOM_TIMEOUT_DBT_S" in output
    assert "Traceback" not in output
    assert not (home / "published" / "pressroom.duckdb").exists()
    assert _dbt_processes(home) == []
    assert seconds < 240

    healthy, _ = _run(home)
    assert healthy.returncode == 0, (healthy.stdout + healthy.stderr)[-4000:]
    assert (home / "published" / "pressroom.duckdb").exists()
