"""Dagster's instance on a real PostgreSQL: the documented deploy/dagster-postgres.yaml loads
and keeps runs there; the yaml pressroom writes for PRESSROOM_DAGSTER_POSTGRES does the same;
on a shared instance only this home's dead runs are failed."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import dagster as dg
import pytest

from orchestration.cli.instance import dagster_yaml
from orchestration.recovery import HOME_TAG, fail_dead_runs
from orchestration.settings import DagsterSettings
from tests.conftest import REPO_DIR


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


def test_the_documented_yaml_keeps_runs_in_postgres(
    postgres_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = urlsplit(postgres_dsn)
    monkeypatch.setenv("DAGSTER_PG_HOST", parts.hostname or "")
    monkeypatch.setenv("DAGSTER_PG_PORT", str(parts.port))
    monkeypatch.setenv("DAGSTER_PG_DB", parts.path.lstrip("/"))
    monkeypatch.setenv("DAGSTER_PG_USERNAME", parts.username or "")
    monkeypatch.setenv("DAGSTER_PG_PASSWORD", parts.password or "")
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


def test_pressrooms_yaml_reads_the_url_from_the_environment(
    postgres_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRESSROOM_DAGSTER_POSTGRES", postgres_dsn)
    (tmp_path / "dagster.yaml").write_text(
        dagster_yaml(1, DagsterSettings(postgres_url=postgres_dsn)), encoding="utf-8"
    )
    with _instance(tmp_path) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert instance.global_op_concurrency_default_limit == 1


def test_a_shared_instance_fails_only_this_homes_dead_runs(
    postgres_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRESSROOM_DAGSTER_POSTGRES", postgres_dsn)
    (tmp_path / "dagster.yaml").write_text(
        dagster_yaml(1, DagsterSettings(postgres_url=postgres_dsn)), encoding="utf-8"
    )
    with _instance(tmp_path) as instance:
        mine = _started_run(instance, {HOME_TAG: "host-a:/srv/a"})
        theirs = _started_run(instance, {HOME_TAG: "host-b:/srv/b"})
        failed = fail_dead_runs(instance, notify=lambda _: None, owner="host-a:/srv/a")
        assert failed == [mine.run_id]
        assert instance.get_run_by_id(theirs.run_id).status == dg.DagsterRunStatus.STARTED
        assert instance.get_run_by_id(mine.run_id).status == dg.DagsterRunStatus.FAILURE
