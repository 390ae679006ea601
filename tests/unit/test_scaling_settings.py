"""Scaling settings: the executor, Dagster's storage and the writers' pool limit; the defaults
are the embedded ones and leave the instance yaml as it was."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import dagster as dg
import pytest
import yaml

from orchestration.cli import main
from orchestration.cli.instance import dagster_yaml
from orchestration.defs.execution import executor_for
from orchestration.scaling import FILE_WRITERS, LAKE_WRITERS, writer_pool_limit
from orchestration.settings import DagsterSettings, Settings, load_dagster_settings

URL = "postgresql://dagster:s3cret@127.0.0.1:5432/dagster"


def test_defaults_are_in_process_and_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRESSROOM_EXECUTOR", raising=False)
    monkeypatch.delenv("PRESSROOM_DAGSTER_POSTGRES", raising=False)
    settings = load_dagster_settings()
    assert settings == DagsterSettings(executor="in_process", postgres_url="")
    assert executor_for(settings) is dg.in_process_executor
    config = yaml.safe_load(dagster_yaml(FILE_WRITERS, settings, Path("/srv/home/dagster")))
    assert "storage" not in config  # Dagster's SQLite files under the home
    assert config["event_log_storage"]["config"] == {"home": "/srv/home/dagster"}


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSROOM_EXECUTOR", "Multiprocess")
    monkeypatch.setenv("PRESSROOM_DAGSTER_POSTGRES", URL)
    settings = load_dagster_settings()
    assert settings.executor == "multiprocess" and settings.on_postgres
    executor = executor_for(settings)
    assert executor.name == "multiprocess"  # steps in child processes: the e2e test shows it


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PRESSROOM_EXECUTOR", "celery", "PRESSROOM_EXECUTOR must be one of in_process, multi"),
        ("PRESSROOM_DAGSTER_POSTGRES", "mysql://x@h/db", "must be a URL such as postgresql://"),
    ],
)
def test_bad_settings_say_what_is_expected(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=message):
        load_dagster_settings()


def test_the_command_line_names_a_bad_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PRESSROOM_EXECUTOR", "celery")
    assert main(["--home", str(tmp_path / "home"), "status"]) == 2
    error = capsys.readouterr().err
    assert "PRESSROOM_EXECUTOR must be one of in_process, multiprocess" in error
    assert "Traceback" not in error


def test_postgres_yaml_names_the_variable_not_the_password() -> None:
    text = dagster_yaml(FILE_WRITERS, DagsterSettings(postgres_url=URL), Path("/srv"))
    assert text.startswith("# written by pressroom")
    assert "s3cret" not in text
    config = yaml.safe_load(text)
    assert config["storage"] == {
        "postgres": {"postgres_url": {"env": "PRESSROOM_DAGSTER_POSTGRES"}}
    }
    assert config["concurrency"]["pools"]["default_limit"] == 1
    assert config["run_monitoring"]["enabled"] is True
    assert "event_log_storage" not in config  # PostgreSQL holds the event log
    assert "pressroom_progress" in config["python_logs"]["dagster_handler_config"]["handlers"]


def test_a_lake_takes_several_writers_a_file_one(tmp_path: Path) -> None:
    file_settings = Settings(home=tmp_path, sources_file=tmp_path / "sources.yaml")
    assert writer_pool_limit(file_settings) == FILE_WRITERS == 1
    lake = dataclasses.replace(file_settings, warehouse_spec="ducklake:postgres:dbname=lake")
    assert writer_pool_limit(lake) == LAKE_WRITERS
    config = yaml.safe_load(dagster_yaml(LAKE_WRITERS, DagsterSettings(), tmp_path))
    assert config["concurrency"]["pools"]["default_limit"] == LAKE_WRITERS > 1
    assert "storage" not in config
