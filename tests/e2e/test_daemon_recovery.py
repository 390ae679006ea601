"""Runs launched through the daemon (the `pressroom ui` path): a run whose worker is killed
with SIGKILL while it holds the `duckdb` pool's only slot is marked failed, its slot is freed
(run monitoring's `free_slots_after_run_end_seconds`), and the run queued behind it proceeds.

Real processes against a temporary instance written from pressroom's own instance settings
(`recovery.INSTANCE_YAML`, with its polling intervals shortened): `dagster-daemon run`, the
code server it starts, and runs submitted with `dagster job launch`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from orchestration.recovery import INSTANCE_YAML

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

LOCATION = Path(__file__).resolve().parents[1] / "fixtures" / "daemon" / "location.py"
BIN = Path(sys.executable).parent


def _instance_yaml() -> str:
    text = INSTANCE_YAML.replace("poll_interval_seconds: 30", "poll_interval_seconds: 2")
    text = text.replace(
        "free_slots_after_run_end_seconds: 30", "free_slots_after_run_end_seconds: 1"
    )
    assert text != INSTANCE_YAML and "default_limit: 1" in text
    return text


def _launch(environment: dict[str, str], seconds: float, pid_file: Path | None = None) -> None:
    config = {"ops": {"held": {"config": {"seconds": seconds, "pid_file": str(pid_file or "")}}}}
    subprocess.run(
        [
            str(BIN / "dagster"),
            "job",
            "launch",
            "-f",
            str(LOCATION),
            "-j",
            "hold_job",
            "--config-json",
            json.dumps(config),
        ],
        env=environment,
        check=True,
        capture_output=True,
        timeout=120,
    )


def _wait(what: str, condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds:g} s"
        time.sleep(0.5)


def test_daemon_fails_a_killed_run_and_frees_its_slot_for_the_next(tmp_path: Path) -> None:
    home = tmp_path / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text(_instance_yaml(), encoding="utf-8")
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("DAGSTER_")
    }
    environment["DAGSTER_HOME"] = str(home)
    started = time.monotonic()
    daemon = subprocess.Popen(
        [str(BIN / "dagster-daemon"), "run", "-f", str(LOCATION)],
        env=environment,
        cwd=tmp_path,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "daemon.log", "w"),  # noqa: SIM115
    )
    try:
        pid_file = tmp_path / "victim.pid"
        _launch(environment, 600, pid_file)
        _wait("the first run holding the slot", pid_file.exists, 120)
        victim = int(pid_file.read_text())
        _launch(environment, 0)  # queued behind the slot the first run holds
        with dg.DagsterInstance.from_config(str(home)) as instance:
            runs = instance.get_runs()
            assert len(runs) == 2
            os.kill(victim, signal.SIGKILL)  # the run worker, as the OOM killer would

            def status(index: int) -> dg.DagsterRunStatus:
                return instance.get_runs()[index].status  # newest first

            _wait(
                "the killed run marked failed", lambda: status(1) == dg.DagsterRunStatus.FAILURE, 60
            )
            _wait("the queued run done", lambda: status(0).value in {"SUCCESS", "FAILURE"}, 90)
            assert status(0) == dg.DagsterRunStatus.SUCCESS
            storage = instance.event_log_storage
            info = storage.get_concurrency_info("duckdb")
            assert info.claimed_slots == [], info  # nothing held by the dead run
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait()
    assert time.monotonic() - started < 240
