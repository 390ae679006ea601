"""GX suites run in a worker process: the caller never imports GX, a worker that dies or
runs past its limit fails only the suite it was running, and the next suite gets a new one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.deadlines import StepTimeoutError
from orchestration.quality import frames, gx_process
from orchestration.quality.gx_runner import validate_frame
from orchestration.warehouse.schema import ensure_raw_schema


@pytest.fixture()
def frame(tmp_path: Path):
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    ensure_raw_schema(conn)
    built = frames.raw_releases(conn, date(2023, 1, 1), date(2024, 1, 1), ["nato"])
    conn.close()
    return built


def test_the_caller_never_imports_great_expectations() -> None:
    script = (
        "import sys\n"
        "from orchestration.quality import frames, gx_runner\n"
        "import duckdb, datetime\n"
        "from orchestration.warehouse.schema import ensure_raw_schema\n"
        "conn = duckdb.connect()\n"
        "ensure_raw_schema(conn)\n"
        "f = frames.raw_releases(conn, datetime.date(2023, 1, 1), datetime.date(2024, 1, 1),"
        " ['nato'])\n"
        "assert gx_runner.validate_frame(f.suite, f.data, f.parameters).passed\n"
        "print(sorted(m for m in sys.modules if m.startswith('great_expectations')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"
    # the worker, killed at exit, leaves no multiprocessing semaphore behind (GX's progress
    # bars made tqdm create one: Python warned of a "leaked semaphore" after every run)
    assert "leaked semaphore" not in result.stderr


def test_a_worker_killed_mid_suite_fails_that_suite_and_the_next_suite_runs(frame) -> None:
    gx_process.start()
    process = gx_process._worker[0]  # type: ignore[index]
    assert validate_frame(frame.suite, frame.data, frame.parameters).passed
    threading.Timer(0.2, os.kill, (process.pid, signal.SIGKILL)).start()
    with pytest.raises(gx_process.GXWorkerError, match=r"worker died .* raw_releases"):
        for _ in range(1000):  # until the kill lands
            validate_frame(frame.suite, frame.data, frame.parameters)
    assert not process.is_alive()
    assert validate_frame(frame.suite, frame.data, frame.parameters).passed


def test_a_suite_past_its_limit_kills_the_worker(frame) -> None:
    gx_process.start()
    process = gx_process._worker[0]  # type: ignore[index]
    with pytest.raises(StepTimeoutError, match="Great Expectations suite raw_releases"):
        validate_frame(frame.suite, frame.data, frame.parameters, timeout_s=0.001)
    process.join(5)
    assert not process.is_alive()
    assert validate_frame(frame.suite, frame.data, frame.parameters, timeout_s=600).passed


def test_a_suite_that_raises_reports_its_error(frame) -> None:
    with pytest.raises(FileNotFoundError, match="no GX suite 'no_such_suite'"):
        validate_frame("no_such_suite", frame.data, frame.parameters)
    assert validate_frame(frame.suite, frame.data, frame.parameters).passed


def test_a_caller_ignoring_sigterm_still_exits_and_leaves_no_worker() -> None:
    """A process started with SIGTERM ignored (as some launchers do) hands that on to the
    worker through exec; at exit multiprocessing's terminate() would not stop it and the
    caller would wait for it forever. The worker is stopped before that, and honours SIGTERM."""
    script = (
        "import signal, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "from orchestration.quality import gx_process\n"
        "gx_process.start()\n"
        "print(gx_process._worker[0].pid, flush=True)\n"
        "time.sleep(1)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0, completed.stderr
    worker = int(completed.stdout.split()[0])
    assert not Path(f"/proc/{worker}").exists()
