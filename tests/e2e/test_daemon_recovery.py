"""Runs launched through the daemon (the `pressroom ui` path): a run whose worker is killed
with SIGKILL while it holds the `duckdb` pool's only slot is marked failed, its slot is freed
(run monitoring's `free_slots_after_run_end_seconds`), and the run queued behind it proceeds.

Real processes against a temporary instance written from pressroom's own instance settings
(`recovery.INSTANCE_YAML`, with its polling intervals shortened): `dagster-daemon run`, the
code server it starts, and runs submitted with `dagster job launch`. Also matrix row 29: run
monitoring stops a run past its `dagster/max_runtime`, and its DuckDB transaction is rolled
back. Matrix row 25: a run whose worker is SIGKILLed is retried automatically (the instance's
`run_retries`) and ends with a clean run's table. Slow (about three minutes): `make test-slow`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.recovery import INSTANCE_YAML

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]

LOCATION = Path(__file__).resolve().parents[1] / "fixtures" / "daemon" / "location.py"
BIN = Path(sys.executable).parent


def _instance_yaml() -> str:
    text = INSTANCE_YAML.replace("poll_interval_seconds: 30", "poll_interval_seconds: 2")
    text = text.replace(
        "free_slots_after_run_end_seconds: 30", "free_slots_after_run_end_seconds: 1"
    )
    assert text != INSTANCE_YAML and "default_limit: 1" in text
    return text


def _launch(environment: dict[str, str], job: str, config: dict, tags: dict | None = None) -> None:
    command = [
        str(BIN / "dagster"),
        "job",
        "launch",
        "-f",
        str(LOCATION),
        "-j",
        job,
        "--config-json",
        json.dumps({"ops": config}),
    ]
    if tags:
        command += ["--tags", json.dumps(tags)]
    for _attempt in range(2):  # the CLI's own code server once failed to start under load
        launched = subprocess.run(
            command, env=environment, capture_output=True, text=True, timeout=120, check=False
        )
        if launched.returncode == 0:
            return
    raise AssertionError(launched.stdout[-2000:] + launched.stderr[-2000:])


def _hold(seconds: float, pid_file: Path | None = None) -> dict:
    return {"held": {"config": {"seconds": seconds, "pid_file": str(pid_file or "")}}}


def _wait(what: str, condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds:g} s"
        time.sleep(0.5)


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """A temporary instance with pressroom's settings, and `dagster-daemon run` on it."""
    root = tmp_path_factory.mktemp("daemon")
    home = root / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text(_instance_yaml(), encoding="utf-8")
    # Create the storage first: the daemon's threads (one more with run retries) otherwise
    # race to create the same sqlite tables on a new instance ("table runs already exists").
    dg.DagsterInstance.from_config(str(home)).dispose()
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("DAGSTER_")
    }
    environment["DAGSTER_HOME"] = str(home)
    with (root / "daemon.log").open("w") as log:
        process = subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run", "-f", str(LOCATION)],
            env=environment,
            cwd=root,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        yield home, environment
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _status(instance: dg.DagsterInstance, run_id: str) -> dg.DagsterRunStatus:
    return instance.get_run_by_id(run_id).status


def test_daemon_fails_a_killed_run_and_frees_its_slot_for_the_next(
    daemon: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    home, environment = daemon
    started = time.monotonic()
    pid_file = tmp_path / "victim.pid"
    _launch(environment, "hold_job", _hold(600, pid_file))
    _wait("the first run holding the slot", pid_file.exists, 120)
    victim = int(pid_file.read_text())
    _launch(environment, "hold_job", _hold(0))  # queued behind the slot the first run holds
    with dg.DagsterInstance.from_config(str(home)) as instance:
        killed, queued = (run.run_id for run in reversed(instance.get_runs()))
        os.kill(victim, signal.SIGKILL)  # the run worker, as the OOM killer would
        _wait(
            "the killed run marked failed",
            lambda: _status(instance, killed) == dg.DagsterRunStatus.FAILURE,
            60,
        )
        _wait(
            "the queued run done",
            lambda: _status(instance, queued).value in {"SUCCESS", "FAILURE"},
            90,
        )
        assert _status(instance, queued) == dg.DagsterRunStatus.SUCCESS
        info = instance.event_log_storage.get_concurrency_info("duckdb")
        assert info.claimed_slots == [], info  # nothing held by the dead run
    assert time.monotonic() - started < 200


def test_a_run_past_its_max_runtime_is_stopped_and_its_transaction_rolled_back(
    daemon: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    # Matrix row 29: `dagster/max_runtime` on a run whose asset sleeps inside a transaction.
    home, environment = daemon
    database = tmp_path / "slow.duckdb"
    config = {"slow_writer": {"config": {"database": str(database), "seconds": 600}}}
    # Not retried: a retry would hold the pool's slot for ten minutes again.
    _launch(
        environment,
        "slow_job",
        config,
        tags={"dagster/max_runtime": "15", "dagster/max_retries": "0"},
    )
    with dg.DagsterInstance.from_config(str(home)) as instance:
        run_id = instance.get_runs(limit=1)[0].run_id
        _wait(
            "the run stopped",
            lambda: _status(instance, run_id).value in {"CANCELED", "FAILURE"},
            120,
        )
    _wait("the writer gone", lambda: _opens(database), 30)
    with duckdb.connect(str(database)) as conn:  # the lock was released: opens read-write
        # The table was created before the transaction (the writer ran); its rows were not.
        assert conn.execute("select count(*) from rows").fetchone() == (0,)


def _opens(database: Path) -> bool:
    try:
        duckdb.connect(str(database)).close()
    except duckdb.IOException:
        return False
    return True


def test_a_cancelled_run_frees_its_slot_for_the_next(
    daemon: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    # Matrix row 27: two writers launched together; the first is cancelled mid-run.
    home, environment = daemon
    pid_file = tmp_path / "cancelled.pid"
    _launch(environment, "hold_job", _hold(600, pid_file))
    _wait("the first run holding the slot", pid_file.exists, 120)
    _launch(environment, "hold_job", _hold(0))
    with dg.DagsterInstance.from_config(str(home)) as instance:
        cancelled, queued = (run.run_id for run in reversed(instance.get_runs(limit=2)))
        assert instance.run_launcher.terminate(cancelled)
        _wait(
            "the cancelled run stopped",
            lambda: _status(instance, cancelled) == dg.DagsterRunStatus.CANCELED,
            60,
        )
        _wait(
            "the queued run done",
            lambda: _status(instance, queued).value in {"SUCCESS", "FAILURE"},
            90,
        )
        assert _status(instance, queued) == dg.DagsterRunStatus.SUCCESS
        assert instance.event_log_storage.get_concurrency_info("duckdb").claimed_slots == []


def _rows(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as conn:
        return conn.execute("select n from rows order by n").fetchall()


def test_a_killed_run_is_retried_and_ends_with_a_clean_runs_table(
    daemon: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    # Matrix row 25: the instance's `run_retries` re-executes a run whose worker died.
    home, environment = daemon
    clean, killed_db = tmp_path / "clean.duckdb", tmp_path / "killed.duckdb"
    done = tmp_path / "clean.pid"
    done.write_text("0", encoding="utf-8")  # a clean run: commits at once
    _launch(environment, "killable_job", _writer(clean, done))
    pid_file = tmp_path / "victim.pid"
    _launch(environment, "killable_job", _writer(killed_db, pid_file))
    _wait("the writer waiting before its commit", pid_file.exists, 120)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
        killed = instance.get_runs(limit=1)[0]
        _wait(
            "the killed run marked failed",
            lambda: _status(instance, killed.run_id) == dg.DagsterRunStatus.FAILURE,
            60,
        )
        retries = lambda: instance.get_runs(  # noqa: E731
            filters=dg.RunsFilter(tags={"dagster/parent_run_id": killed.run_id})
        )
        _wait("the retry launched", lambda: len(retries()) == 1, 90)
        retry = retries()[0]
        _wait(
            "the retry done",
            lambda: _status(instance, retry.run_id).value in {"SUCCESS", "FAILURE"},
            90,
        )
        assert _status(instance, retry.run_id) == dg.DagsterRunStatus.SUCCESS
        assert retry.tags.get("dagster/retry_number") == "1"
        assert retry.tags.get("dagster/retry_strategy", "FROM_FAILURE") == "FROM_FAILURE"
    assert _rows(killed_db) == _rows(clean) == [(n,) for n in range(1000)]


def _writer(database: Path, pid_file: Path) -> dict:
    return {"killable_writer": {"config": {"database": str(database), "pid_file": str(pid_file)}}}
