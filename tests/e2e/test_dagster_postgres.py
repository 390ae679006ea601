"""End to end: `pressroom run` on the bundled sample with Dagster's storage in a real
PostgreSQL (a throwaway cluster on a loopback port) and the multiprocess executor.

The CLI runs in a child process: the executor is chosen when the code location is imported,
and this test process has imported it already with the default (in-process) executor.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO_DIR
from tests.postgres_cluster import PostgresCluster

pytestmark = pytest.mark.e2e

JOBS = {"ingest_job", "raw_job", "transform_job"}


@pytest.fixture(scope="module")
def postgres_run(
    postgres_cluster: PostgresCluster, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str, subprocess.CompletedProcess[str]]:
    """The main job, once, with PRESSROOM_DAGSTER_POSTGRES and PRESSROOM_EXECUTOR=multiprocess."""
    home = tmp_path_factory.mktemp("pg_home")
    url = postgres_cluster.create_database("dagster_e2e")
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PRESSROOM_", "DAGSTER_"))
    }
    environment.update(
        PRESSROOM_DAGSTER_POSTGRES=url,
        PRESSROOM_EXECUTOR="multiprocess",
        DAGSTER_HOME=str(home / "dagster"),
    )
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "--home", str(home), "run"],
        cwd=REPO_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, (
        f"pressroom run failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}\n"
        f"log: {(home / 'logs' / 'run.log').read_text(errors='replace')[-5000:]}"
    )
    return home, "dagster_e2e", completed


def test_runs_and_events_are_in_postgres_not_in_the_home(
    postgres_run: tuple[Path, str, subprocess.CompletedProcess[str]],
    postgres_cluster: PostgresCluster,
) -> None:
    home, database, _ = postgres_run
    runs = postgres_cluster.psql("select pipeline_name, status from runs order by 1", database)
    assert runs.splitlines() == [f"{job}|SUCCESS" for job in sorted(JOBS)]
    materialized = postgres_cluster.psql(
        "select count(distinct asset_key) from event_logs "
        "where dagster_event_type = 'ASSET_MATERIALIZATION'",
        database,
    )
    assert int(materialized) >= 10
    assert not list((home / "dagster").rglob("*.db")), "Dagster kept SQLite files in the home"
    yaml_text = (home / "dagster" / "dagster.yaml").read_text(encoding="utf-8")
    assert "PRESSROOM_DAGSTER_POSTGRES" in yaml_text
    assert postgres_cluster.password not in yaml_text, "the password was written to disk"


def test_steps_ran_in_child_processes(
    postgres_run: tuple[Path, str, subprocess.CompletedProcess[str]],
    postgres_cluster: PostgresCluster,
) -> None:
    _, database, _ = postgres_run
    workers = postgres_cluster.psql(
        "select count(*) from event_logs where dagster_event_type = 'STEP_WORKER_STARTED'",
        database,
    )
    assert int(workers) >= 10  # every step of the three runs: the multiprocess executor


def test_the_duckdb_file_keeps_one_writer_and_the_runs_are_tagged_with_their_home(
    postgres_run: tuple[Path, str, subprocess.CompletedProcess[str]],
    postgres_cluster: PostgresCluster,
) -> None:
    home, database, _ = postgres_run
    limits = postgres_cluster.psql(
        'select concurrency_key, "limit" from concurrency_limits order by 1', database
    )
    assert "duckdb|1" in limits.splitlines()
    homes = postgres_cluster.psql(
        "select distinct value from run_tags where key = 'pressroom/home'", database
    )
    assert homes.endswith(f":{home.resolve()}")


def test_the_sample_is_published(
    postgres_run: tuple[Path, str, subprocess.CompletedProcess[str]],
) -> None:
    home, _, _ = postgres_run
    connection = duckdb.connect(str(home / "published" / "pressroom.duckdb"), read_only=True)
    try:
        by_source = dict(
            connection.execute(
                "select source, count(*) from marts.fct_releases group by 1"
            ).fetchall()
        )
    finally:
        connection.close()
    assert by_source["nato"] == 33 and by_source["europol"] == 21
