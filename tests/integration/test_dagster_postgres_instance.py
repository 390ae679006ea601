"""Dagster's instance on a real PostgreSQL: the documented deploy/dagster-postgres.yaml loads
and keeps runs there, and `dagster-daemon` and `dagster-webserver` start on it as
docs/scaling.md says; the yaml pressroom writes for PRESSROOM_DAGSTER_POSTGRES does the same;
on a shared instance only this home's dead runs are failed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import dagster as dg
import pytest

from orchestration.cli.instance import dagster_yaml
from orchestration.recovery import HOME_TAG, fail_dead_runs
from orchestration.settings import DagsterSettings
from tests.conftest import REPO_DIR
from tests.postgres_cluster import PostgresCluster, free_port

BIN = Path(sys.executable).parent


def _instance(dagster_home: Path) -> dg.DagsterInstance:
    return dg.DagsterInstance.from_config(str(dagster_home))


def _started_run(instance: dg.DagsterInstance, tags: dict[str, str]) -> dg.DagsterRun:
    run = instance.create_run_for_job(dg.GraphDefinition(name="noop").to_job(), tags=tags)
    instance.handle_run_event(  # what a run's process reports when it starts
        run.run_id,
        dg.DagsterEvent(
            event_type_value=dg.DagsterEventType.RUN_START.value, job_name=run.job_name
        ),
    )
    return run


def _deploy_environment(url: str) -> dict[str, str]:
    """The variables deploy/dagster-postgres.yaml reads, for the database at ``url``."""
    parts = urlsplit(url)
    return {
        "DAGSTER_PG_HOST": parts.hostname or "",
        "DAGSTER_PG_PORT": str(parts.port),
        "DAGSTER_PG_DB": parts.path.lstrip("/"),
        "DAGSTER_PG_USERNAME": parts.username or "",
        "DAGSTER_PG_PASSWORD": parts.password or "",
    }


def test_the_documented_yaml_keeps_runs_in_postgres(
    postgres_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in _deploy_environment(postgres_dsn).items():
        monkeypatch.setenv(name, value)
    shutil.copy(REPO_DIR / "deploy" / "dagster-postgres.yaml", tmp_path / "dagster.yaml")
    with _instance(tmp_path) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
        assert instance.global_op_concurrency_default_limit == 1
        run = _started_run(instance, {})
    with _instance(tmp_path) as again:
        assert again.get_run_by_id(run.run_id) is not None
    assert not list(tmp_path.rglob("*.db"))


@pytest.fixture
def pressroom_postgres_home(
    postgres_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A Dagster home with the yaml pressroom writes for PRESSROOM_DAGSTER_POSTGRES (set)."""
    monkeypatch.setenv("PRESSROOM_DAGSTER_POSTGRES", postgres_dsn)
    (tmp_path / "dagster.yaml").write_text(
        dagster_yaml(1, DagsterSettings(postgres_url=postgres_dsn), tmp_path), encoding="utf-8"
    )
    return tmp_path


def test_pressrooms_yaml_reads_the_url_from_the_environment(pressroom_postgres_home: Path) -> None:
    with _instance(pressroom_postgres_home) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert instance.global_op_concurrency_default_limit == 1


def test_a_shared_instance_fails_only_this_homes_dead_runs(pressroom_postgres_home: Path) -> None:
    with _instance(pressroom_postgres_home) as instance:
        mine = _started_run(instance, {HOME_TAG: "host-a:/srv/a"})
        theirs = _started_run(instance, {HOME_TAG: "host-b:/srv/b"})
        failed = fail_dead_runs(instance, notify=lambda _: None, owner="host-a:/srv/a")
        assert failed == [mine.run_id]
        assert instance.get_run_by_id(theirs.run_id).status == dg.DagsterRunStatus.STARTED
        assert instance.get_run_by_id(mine.run_id).status == dg.DagsterRunStatus.FAILURE


@contextmanager
def _serving(command: list[str], environment: dict[str, str], log: Path) -> Iterator[None]:
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=REPO_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_daemon_and_webserver_run_on_postgres_as_documented(
    postgres_cluster: PostgresCluster, postgres_dsn: str, tmp_path: Path
) -> None:
    dagster_home = tmp_path / "dagster"
    dagster_home.mkdir()
    shutil.copy(REPO_DIR / "deploy" / "dagster-postgres.yaml", dagster_home / "dagster.yaml")
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PRESSROOM_", "DAGSTER_"))},
        **_deploy_environment(postgres_dsn),
        "DAGSTER_HOME": str(dagster_home),
        "PRESSROOM_HOME": str(tmp_path / "home"),
    }
    port = free_port()
    database = postgres_dsn.rsplit("/", 1)[1]
    with ExitStack() as stack:
        stack.enter_context(
            _serving([str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"],
                     environment, tmp_path / "daemon.log")
        )  # fmt: skip
        stack.enter_context(
            _serving([str(BIN / "dagster-webserver"), "-w", "workspace.yaml",
                      "-h", "127.0.0.1", "-p", str(port)],
                     environment, tmp_path / "webserver.log")
        )  # fmt: skip
        deadline, daemons, server = time.monotonic() + 180, set(), b""
        while time.monotonic() < deadline and not (daemons and server):
            time.sleep(1)
            try:  # the table appears once the daemon has migrated the database
                beats = postgres_cluster.psql("select daemon_type from daemon_heartbeats", database)
            except RuntimeError:
                continue
            daemons = set(beats.split())
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5) as r:
                    server = r.read()
            except OSError:
                continue
    logs = "\n".join(
        (tmp_path / name).read_text(errors="replace")[-2000:]
        for name in ("daemon.log", "webserver.log")
    )
    assert {"SCHEDULER", "SENSOR", "QUEUED_RUN_COORDINATOR", "MONITORING"} <= daemons, logs
    assert b"dagster_webserver_version" in server, logs
    assert not list(dagster_home.rglob("*.db")), "the daemon or webserver wrote SQLite files"
