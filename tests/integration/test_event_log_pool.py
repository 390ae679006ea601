"""The pooled SQLite event log: what pressroom's instance yaml configures, on real Dagster
materializations; it opens each file once, and what it writes reads back through Dagster's
own storage (what an instance configured without it, or an older pressroom, sees)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa
from dagster._core.storage.event_log import SqliteEventLogStorage

from orchestration.cli.instance import dagster_yaml
from orchestration.event_log import OPEN_FILES, PooledSqliteEventLogStorage
from orchestration.settings import DagsterSettings


@dg.asset
def counted() -> int:
    return 1


@pytest.fixture
def dagster_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "dagster home's"
    home.mkdir()
    (home / "dagster.yaml").write_text(dagster_yaml(1, DagsterSettings(), home), encoding="utf-8")
    monkeypatch.delenv("DAGSTER_HOME", raising=False)  # opened by its path alone
    return home


@pytest.fixture
def connects() -> Iterator[list[str]]:
    """The file of every SQLite connection opened while the test runs."""
    opened: list[str] = []

    def count(connection: sqlite3.Connection, _record: object) -> None:
        opened.append(Path(connection.execute("PRAGMA database_list").fetchone()[2]).name)

    sa.event.listen(sa.engine.Engine, "connect", count)
    yield opened
    sa.event.remove(sa.engine.Engine, "connect", count)


def test_the_home_yaml_configures_the_pooled_log(dagster_home: Path) -> None:
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, PooledSqliteEventLogStorage)
        assert Path(storage._base_dir) == dagster_home / "history" / "runs"


def test_files_are_opened_once_per_run_not_per_event(
    dagster_home: Path, connects: list[str]
) -> None:
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        dg.materialize([counted], instance=instance)  # creates the index and a run file
        connects.clear()
        result = dg.materialize([counted], instance=instance)
        assert result.success
        events = instance.all_logs(result.run_id)
    assert len(events) > 10
    # a few opens (the new file's schema check takes a second connection, the index may be
    # read through Dagster's own `has_table`), not one per event as Dagster's own storage does;
    # runs.db is the run storage, not this class
    event_files = [name for name in connects if name != "runs.db"]
    assert f"{result.run_id}.db" in event_files
    assert len(event_files) <= 4, event_files


def test_commits_are_synchronous_normal(dagster_home: Path) -> None:
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        storage = instance.event_log_storage
        with storage.index_connection() as connection:
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_what_it_writes_reads_back_through_dagsters_own_storage(dagster_home: Path) -> None:
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        result = dg.materialize([counted], instance=instance)
        written = [event.dagster_event_type for event in instance.all_logs(result.run_id)]
    plain = SqliteEventLogStorage(str(dagster_home / "history" / "runs"))
    try:
        read = [event.dagster_event_type for event in plain.get_logs_for_run(result.run_id)]
        latest = plain.get_latest_materialization_events([dg.AssetKey("counted")])
    finally:
        plain.dispose()
    assert read == written
    assert latest[dg.AssetKey("counted")].run_id == result.run_id


def test_open_files_are_bounded_and_wipe_closes_them(dagster_home: Path) -> None:
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        storage = instance.event_log_storage
        for _ in range(OPEN_FILES + 3):
            dg.materialize([counted], instance=instance)
        assert len(storage._engines) == OPEN_FILES
        storage.wipe()  # closes the files first; the index is then emptied, not deleted
        assert list(storage._engines) == ["index"]
        assert not [path for path in Path(storage._base_dir).glob("*.db") if path.stem != "index"]
        assert dg.materialize([counted], instance=instance).success


def _schema(path: Path) -> tuple[list[tuple], list[tuple]]:
    with sqlite3.connect(path) as connection:
        tables = connection.execute(
            "select type, name, sql from sqlite_master order by type, name").fetchall()
        revision = connection.execute("select version_num from alembic_version").fetchall()
        mode = connection.execute("PRAGMA journal_mode").fetchall()
    return tables, revision + mode


def test_a_run_file_is_a_copy_of_the_template_with_dagsters_own_schema(
    dagster_home: Path, tmp_path: Path
) -> None:
    executed: list[str] = []

    def record(_conn, _cursor, statement: str, *_args) -> None:
        executed.append(statement.strip().split()[0].upper())

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        first = dg.materialize([counted], instance=instance)  # makes the template
        templates = list((dagster_home / "history").glob("run_file_template-*.db"))
        assert [path.name for path in templates] == [
            f"run_file_template-{dg.__version__}.db"]
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
        try:
            second = dg.materialize([counted], instance=instance)
        finally:
            sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)
        assert second.success and "CREATE" not in executed  # copied, not built
        assert len(instance.all_logs(second.run_id)) == len(instance.all_logs(first.run_id))
    plain_dir = tmp_path / "plain"
    plain = SqliteEventLogStorage(str(plain_dir))
    try:
        with plain.run_connection("made_by_dagster"):
            pass
    finally:
        plain.dispose()
    runs = dagster_home / "history" / "runs"
    assert _schema(runs / f"{second.run_id}.db") == _schema(plain_dir / "made_by_dagster.db")


def test_an_existing_run_file_is_never_replaced_by_the_template(dagster_home: Path) -> None:
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        dg.materialize([counted], instance=instance)
        storage = instance.event_log_storage
        existing = Path(storage.path_for_shard("kept"))
        with sqlite3.connect(existing) as connection:
            connection.execute("create table marker (x integer)")
        storage._seed_run_file("kept")
        with sqlite3.connect(existing) as connection:
            assert connection.execute(
                "select count(*) from sqlite_master where name = 'marker'").fetchone() == (1,)
        assert not list(existing.parent.glob(".*.tmp"))
