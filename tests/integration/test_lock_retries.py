"""Only a lock is retried: every warehouse writer carries the lock retry policy; a fetch that
finds the warehouse held by another process (a real one, holding DuckDB's file lock) waits,
is retried by Dagster and succeeds once the holder lets go; an error that is not a lock (an
invalid sources file) fails at once, without a retry."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.partitions import DUCKDB_POOL
from orchestration.defs.resources import LOCK_WAIT_S, build_resources
from orchestration.defs.retries import LOCK_RETRY
from orchestration.settings import SAMPLE_SOURCES_FILE, Settings

pytestmark = pytest.mark.timeout(180)

QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
HOLD_LOCK = """
import sys, time, duckdb
conn = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.close()
"""


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from orchestration.definitions import defs as definitions

    return definitions


def test_every_warehouse_writer_retries_locks(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    writers = {node.assets_def for node in graph.asset_nodes if node.assets_def.op}
    assert writers
    for assets_def in writers:
        assert assets_def.op.pool == DUCKDB_POOL
        assert assets_def.op.retry_policy == LOCK_RETRY, assets_def.op.name


def _ingest(defs: dg.Definitions, settings: Settings) -> dg.ExecuteInProcessResult:
    return defs.resolve_job_def("ingest_job").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        resources=build_resources(settings),
        run_config=QUIET,
        raise_on_error=False,
    )


def _events(result: dg.ExecuteInProcessResult, kind: str) -> list:
    return [event for event in result.all_events if event.event_type_value == kind]


def test_a_fetch_blocked_by_another_process_is_retried_and_succeeds(
    defs: dg.Definitions, tmp_path: Path
) -> None:
    settings = Settings(home=tmp_path, sources_file=SAMPLE_SOURCES_FILE)
    hold_s = LOCK_WAIT_S + 3  # outlasts the first attempt's own wait
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(settings.warehouse_path), str(hold_s)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        result = _ingest(defs, settings)
    finally:
        holder.kill()
        holder.wait()
    assert result.success
    retries = _events(result, "STEP_UP_FOR_RETRY")
    assert [event.step_key for event in retries] == ["fetch_sources"]
    assert "is locked by another process" in str(retries[0].event_specific_data.error.cause)
    assert time.monotonic() - started >= LOCK_WAIT_S


def test_an_error_that_is_not_a_lock_fails_at_once(defs: dg.Definitions, tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - name: Not A Name\n    kind: rss\n", encoding="utf-8")
    result = _ingest(defs, Settings(home=tmp_path, sources_file=sources))
    assert not result.success
    assert _events(result, "STEP_UP_FOR_RETRY") == []
    failures = _events(result, "STEP_FAILURE")
    assert [event.step_key for event in failures] == ["fetch_sources"]
