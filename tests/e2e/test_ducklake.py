"""End to end in DuckLake mode, against a real PostgreSQL (the throwaway cluster of
tests/postgres_cluster.py; without PostgreSQL these tests fail, they never skip).

The main job on the bundled sample lands in a DuckLake whose catalog is in PostgreSQL, with
Dagster's runs and events in PostgreSQL too and the multiprocess executor; readers pin the
published snapshot; two writer processes rebuild different partitions at once; a writer killed
with SIGKILL mid-run is followed by a rerun whose tables equal a clean run's.

Writers run as `pressroom` child processes: the executor is chosen when the code location is
imported, and this test process imported it with the default one.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from orchestration.warehouse.connection import open_warehouse
from orchestration.warehouse.lake import current_snapshot, published_snapshot
from orchestration.warehouse.published import connect_lake_snapshot
from orchestration.warehouse.target import DuckLake

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]

PRESSROOM = Path(sys.executable).parent / "pressroom"
RAW_TABLES = (
    "releases",
    "release_annotations",
    "person_mentions",
    "location_mentions",
    "event_mentions",
    "event_participants",
    "rejected_items",
    "quarantine",
)


def _environment(lake: DuckLake, home: Path, dagster: str) -> dict[str, str]:
    """The lake, Dagster's storage in PostgreSQL (``dagster``: its URL), the sample."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PRESSROOM_", "DAGSTER_"))
    }
    return {
        **inherited,
        "PRESSROOM_WAREHOUSE": f"ducklake:postgres:{lake.catalog}",
        "PRESSROOM_LAKE_DATA": str(lake.data_path),
        "DAGSTER_HOME": str(home / "dagster"),
        "PRESSROOM_DAGSTER_POSTGRES": dagster,
        "PRESSROOM_EXECUTOR": "multiprocess",
    }


def _writer(lake: DuckLake, home: Path, dagster: str, *args: str) -> subprocess.Popen:
    """A `pressroom` process of its own (its own home) on the lake."""
    log = (home.parent / f"{home.name}.log").open("w")
    return subprocess.Popen(
        [str(PRESSROOM), "--home", str(home), *args],
        env=_environment(lake, home, dagster),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _finished(process: subprocess.Popen, home: Path, timeout: float = 900) -> str:
    process.wait(timeout=timeout)
    output = (home.parent / f"{home.name}.log").read_text(errors="replace")
    assert process.returncode == 0, output[-4000:]
    return output


def _digest(
    conn: duckdb.DuckDBPyConnection, schema: str, tables: tuple[str, ...] | None = None
) -> dict[str, tuple[int, str]]:
    """(rows, hash of the sorted rows) per table of ``schema``; run timestamps left out."""
    names = tables or tuple(
        row[0]
        for row in conn.execute(
            "select table_name from information_schema.tables where table_schema = ? "
            "and table_catalog = current_database() and table_type = 'BASE TABLE' order by 1",
            [schema],
        ).fetchall()
    )
    run_times = {"quarantined_at", "released_at", "rejected_at"}
    digests = {}
    for table in names:
        columns = [
            row[0]
            for row in conn.execute(
                "select column_name from information_schema.columns where table_schema = ? "
                "and table_name = ? and table_catalog = current_database() "
                "order by ordinal_position",
                [schema, table],
            ).fetchall()
        ]
        kept = ", ".join(f'"{name}"' for name in columns if name not in run_times)
        rows = conn.execute(f'select {kept} from {schema}."{table}" order by all').fetchall()
        digests[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return digests


def _tables(lake: DuckLake) -> dict[str, dict[str, tuple[int, str]]]:
    """Marts and the raw tables the marts are built from, at the lake's newest snapshot."""
    with open_warehouse(lake, read_only=True) as conn:
        return {"marts": _digest(conn, "marts"), "raw": _digest(conn, "raw", RAW_TABLES)}


@pytest.fixture(scope="module")
def dagster_url(postgres_cluster) -> str:
    """One Dagster instance in PostgreSQL, shared by every writer of these tests."""
    return postgres_cluster.create_database("lake_dagster")


@pytest.fixture(scope="module")
def lake_run(
    postgres_cluster, dagster_url: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[DuckLake, Path]:
    """The main job on the sample into a fresh lake: (the lake, the home)."""
    root = tmp_path_factory.mktemp("lake_main")
    lake = DuckLake(postgres_cluster.create_database("lake_main"), root / "parquet")
    home = root / "home"
    output = _finished(_writer(lake, home, dagster_url, "run"), home)
    assert "✓ published ducklake:postgres:" in output
    return lake, home


@pytest.fixture(scope="module")
def clean_tables(lake_run: tuple[DuckLake, Path]) -> dict[str, dict[str, tuple[int, str]]]:
    return _tables(lake_run[0])


def test_the_sample_lands_in_the_lake_and_is_published(lake_run, clean_tables) -> None:
    lake, home = lake_run
    assert not (home / "warehouse.duckdb").exists()  # nothing assumes a local file
    assert not (home / "published").exists()
    assert list(lake.data_path.rglob("*.parquet")), "the lake's data are Parquet files"
    conn, snapshot = connect_lake_snapshot(lake)
    try:
        by_source = dict(
            conn.execute("select source, count(*) from marts.fct_releases group by 1").fetchall()
        )
        versions = conn.execute(
            "select version from raw.releases where release_id = 'nato:news_220025' order by 1"
        ).fetchall()
    finally:
        conn.close()
    assert by_source["nato"] == 33 and by_source["europol"] == 21 and by_source["frontex"] == 11
    assert versions == [(1,), (2,)]
    assert clean_tables["marts"]["fct_releases"][0] == sum(by_source.values())
    with open_warehouse(lake, read_only=True) as latest:
        assert 0 < snapshot <= current_snapshot(latest)


def test_the_runs_are_in_dagsters_postgres_storage(lake_run, postgres_cluster) -> None:
    _lake, home = lake_run
    assert not list((home / "dagster").rglob("*.db")), "no SQLite run or event storage"
    jobs = postgres_cluster.psql(
        "select distinct pipeline_name from runs order by 1", "lake_dagster"
    ).split()
    assert {"ingest_job", "raw_job", "transform_job"} <= set(jobs)


def test_cli_readers_read_the_published_snapshot(
    lake_run, dagster_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    lake, home = lake_run
    for name, value in _environment(lake, home, dagster_url).items():
        if name.startswith(("PRESSROOM_", "DAGSTER_")):
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("PRESSROOM_EXECUTOR")
    capsys.readouterr()
    assert (
        main(
            [
                "--home",
                str(home),
                "query",
                "--format",
                "csv",
                "select count(*) as releases from fct_releases",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.splitlines() == ["releases", "70"]
    # confined: no file outside the lake, however the SQL asks
    assert main(["--home", str(home), "query", "select * from read_csv('/etc/passwd')"]) != 0
    assert "disabled by configuration" in capsys.readouterr().err
    assert main(["--home", str(home), "status"]) == 0
    assert "published (read-only):   DuckLake snapshot" in capsys.readouterr().out
    assert main(["--home", str(home), "export"]) == 0
    assert (home / "exports" / "fct_releases.parquet").is_file()
    assert main(["--home", str(home), "report", str(tmp_path / "report.html")]) == 0
    assert ", snapshot " in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_a_pinned_reader_does_not_see_later_commits(lake_run) -> None:
    lake, _home = lake_run
    reader, snapshot = connect_lake_snapshot(lake, confined=True)
    count = "select count(*) from marts.fct_releases"
    try:
        before = reader.execute(count).fetchone()[0]
        with open_warehouse(lake) as writer:
            writer.execute(  # a whole row: the mart's contract refuses nulls in its keys
                "insert into marts.fct_releases select * replace"
                " ('sentinel:1' as release_id, 'sentinel' as source)"
                " from marts.fct_releases limit 1"
            )
            assert writer.execute(count).fetchone()[0] == before + 1
            assert reader.execute(count).fetchone()[0] == before
            fresh, fresh_snapshot = connect_lake_snapshot(lake)  # not published: not seen
            assert fresh_snapshot == snapshot and fresh.execute(count).fetchone()[0] == before
            fresh.close()
            writer.execute("delete from marts.fct_releases where source = 'sentinel'")
    finally:
        reader.close()


def test_two_writers_at_once_while_a_reader_stays_pinned(
    lake_run, clean_tables, dagster_url: str, tmp_path: Path
) -> None:
    """Two processes rebuild different partitions (October, November) of the same lake at once;
    a reader pinned to the published snapshot sees the same rows throughout."""
    lake, _home = lake_run
    reader, pinned = connect_lake_snapshot(lake, confined=True)
    seen = reader.execute(
        "select count(*), sum(hash(release_id)) from marts.fct_releases"
    ).fetchone()
    writers = [
        (
            tmp_path / "october",
            _writer(
                lake,
                tmp_path / "october",
                dagster_url,
                "backfill",
                "--start",
                "2023-10-01",
                "--end",
                "2023-10-31",
            ),
        ),
        (
            tmp_path / "november",
            _writer(
                lake,
                tmp_path / "november",
                dagster_url,
                "backfill",
                "--start",
                "2023-11-01",
                "--end",
                "2023-11-30",
            ),
        ),
    ]
    with open_warehouse(lake, read_only=True) as latest:
        first = current_snapshot(latest)
    reads = 0
    try:
        while any(process.poll() is None for _home, process in writers):
            assert (
                reader.execute(
                    "select count(*), sum(hash(release_id)) from marts.fct_releases"
                ).fetchone()
                == seen
            )
            reads += 1
            time.sleep(0.5)
        outputs = [_finished(process, home) for home, process in writers]
    finally:
        reader.close()
        for _home, process in writers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
    with open_warehouse(lake, read_only=True) as latest:
        assert current_snapshot(latest) > first  # the writers committed while it read
        assert published_snapshot(latest) > pinned
    assert reads > 0
    assert all("published" in output for output in outputs)
    assert _tables(lake) == clean_tables  # nothing lost, nothing doubled


def test_a_killed_writer_then_a_rerun_converges_to_a_clean_run(
    postgres_cluster, clean_tables, dagster_url: str, tmp_path: Path
) -> None:
    lake = DuckLake(postgres_cluster.create_database("lake_killed"), tmp_path / "parquet")
    home = tmp_path / "home"
    writer = _writer(lake, home, dagster_url, "run")
    deadline = time.monotonic() + 600
    try:
        while True:  # kill it once raw.releases is committed: mid-run, before the marts
            assert writer.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "raw.releases never filled"
            try:
                with open_warehouse(lake, read_only=True) as conn:
                    if conn.execute("select count(*) from raw.releases").fetchone()[0]:
                        break
            except duckdb.Error:
                pass  # the lake or its tables are not created yet
            time.sleep(0.3)
    finally:
        os.killpg(writer.pid, signal.SIGKILL)
        writer.wait()
    with open_warehouse(lake, read_only=True) as conn:
        assert not conn.execute(
            "select count(*) from information_schema.tables where "
            "table_catalog = 'lake' and table_name = 'published_snapshots'"
        ).fetchone()[0]
    _finished(_writer(lake, home, dagster_url, "run"), home)
    assert _tables(lake) == clean_tables
