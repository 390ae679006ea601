"""The gates end to end: real Dagster materializations, real dbt, the bundled sample.

One good `pressroom run` (module fixture), then a good one-day backfill while a reader process
holds the published copy open, then a release that breaks a row-level rule (quarantined, the
rest publishes, released after a fix), then schema drift that the gates must stop: non-zero
exit, the failure named, dbt not run, and the published file byte-identical.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main

pytestmark = pytest.mark.e2e

GX_CHECKS = {"gx_raw_releases", "gx_raw_release_annotations", "gx_raw_person_mentions",
             "gx_raw_location_mentions", "gx_raw_event_mentions", "gx_raw_event_participants",
             "gx_marts_fct_releases", "gx_marts_fct_events", "gx_marts_fct_appearances",
             "gx_marts_dim_people", "gx_marts_dim_locations"}
WARN_CHECKS = {"sources_fresh", "daily_volume_normal"}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pressroom(home: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()  # the summary goes to stdout, stage lines and errors to stderr
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["--home", str(home), *args])
    return code, out.getvalue()


def _latest_run_id(job_name: str) -> str | None:
    import dagster as dg
    from dagster._core.storage.dagster_run import RunsFilter

    runs = dg.DagsterInstance.get().get_runs(filters=RunsFilter(job_name=job_name), limit=1)
    return runs[0].run_id if runs else None


def _check_results(run_id: str) -> dict[str, tuple[bool, str]]:
    """Check name -> (passed, severity) for one run, from Dagster's event log."""
    import dagster as dg

    checks = {}
    for record in dg.DagsterInstance.get().all_logs(run_id):
        event = record.dagster_event
        if event is not None and event.event_type_value == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            checks[data.check_name] = (data.passed, data.severity.value)
    return checks


def _last_build():
    """Check evaluations and step timings of the latest raw_job and transform_job runs."""
    import dagster as dg

    instance = dg.DagsterInstance.get()
    checks, steps = {}, {}
    for job_name in ("raw_job", "transform_job"):
        run_id = _latest_run_id(job_name)
        if run_id is None:
            continue
        checks.update(_check_results(run_id))
        for stats in instance.get_run_step_stats(run_id):
            duration = ((stats.end_time or 0) - (stats.start_time or 0)
                        if stats.start_time else 0)
            steps[stats.step_key] = (stats.status.value if stats.status else None, duration)
    return checks, steps


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A PRESSROOM_HOME after one good `pressroom run` over the bundled sample."""
    home = tmp_path_factory.mktemp("gates") / "home"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PRESSROOM_HOME", str(home))
        patch.setenv("DAGSTER_HOME", str(home / "dagster"))
        patch.delenv("PRESSROOM_SOURCES", raising=False)
        started = time.monotonic()
        code, output = _pressroom(home, "run")
        elapsed = time.monotonic() - started
        assert code == 0, output
        checks, steps = _last_build()
        gate_seconds = {key: round(duration, 2) for key, (_, duration) in steps.items()
                        if any(name in key for name in GX_CHECKS | WARN_CHECKS)}
        (home / "gate_timings.json").write_text(json.dumps({
            "run_seconds": round(elapsed, 1), "gate_steps": gate_seconds,
            "gate_total_seconds": round(sum(gate_seconds.values()), 2)}, indent=2))
        yield {"home": home, "output": output, "checks": checks, "steps": steps}


def test_good_run_publishes_marts_with_every_gate_passing(home):
    published = home["home"] / "published" / "pressroom.duckdb"
    assert published.is_file()
    with duckdb.connect(str(published), read_only=True) as conn:
        for model in ("fct_releases", "fct_events", "fct_appearances", "dim_people",
                      "dim_locations"):
            assert conn.execute(f"select count(*) from marts.{model}").fetchone()[0] > 0
    assert set(home["checks"]) >= GX_CHECKS, sorted(home["checks"])
    failed = {name for name, (passed, _) in home["checks"].items()
              if name in GX_CHECKS and not passed}
    assert not failed
    assert {name: severity for name, (_, severity) in home["checks"].items()
            if name in WARN_CHECKS} == dict.fromkeys(WARN_CHECKS, "WARN")


def _busiest_day(warehouse: Path) -> str:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return str(conn.execute(
            "select partition_date from raw.releases where url is not null "
            "group by partition_date order by count(*) desc, partition_date limit 1"
        ).fetchone()[0])


READER = """
import sys, time, duckdb
conn = duckdb.connect(sys.argv[1], read_only=True)
stop, queries = __import__("pathlib").Path(sys.argv[2]), 0
while not stop.exists():
    assert conn.execute("select count(*) from marts.fct_releases").fetchone()[0] > 0
    queries += 1
    time.sleep(0.05)
conn.close()
print(queries)
"""


def test_reader_holding_the_published_copy_does_not_block_a_run(home, tmp_path):
    root = home["home"]
    published = root / "published" / "pressroom.duckdb"
    day = _busiest_day(root / "warehouse.duckdb")
    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(published), str(stop)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(2)
        assert reader.poll() is None, reader.stderr.read() if reader.stderr else ""
        code, output = _pressroom(root, "backfill", "--start", day, "--end", day)
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=60)
    assert code == 0, output
    assert reader.returncode == 0, err
    assert int(out.strip()) > 0
    with duckdb.connect(str(published), read_only=True) as conn:
        assert conn.execute("select count(*) from marts.fct_releases").fetchone()[0] > 0


def test_row_level_failure_is_quarantined_and_the_rest_publishes(home):
    """A fetched item that files a release under a day its publication date contradicts: that
    release is quarantined (not a blocked publish), the rest of the day publishes, `status`
    lists it, and a reprocess after the fix releases it."""
    root = home["home"]
    warehouse = root / "warehouse.duckdb"
    published = root / "published" / "pressroom.duckdb"
    before = _sha256(published)
    with duckdb.connect(str(warehouse)) as conn:
        release_id, published_at = conn.execute(
            "select release_id, published_at from raw.releases where url is not null "
            "and published_at is not null order by release_id limit 1").fetchone()
        target = (published_at + timedelta(days=3)).date()
        conn.execute(
            "insert into raw.fetched_items select 'injected-run', fetched_at + interval 1 day, "
            "source, item_key, feed_payload_sha256, detail_url, detail_payload_sha256, "
            "detail_status, context_json, release_id, ? from raw.fetched_items "
            "where release_id = ? order by fetched_at desc limit 1", [target, release_id])

    code, output = _pressroom(root, "backfill", "--start", str(target), "--end", str(target))

    assert code == 0, output
    assert "quarantined releases: 1" in output and release_id[:40] in output, output
    assert _sha256(published) != before
    checks = _check_results(_latest_run_id("raw_job"))  # type: ignore[arg-type]
    assert checks["gx_raw_releases"] == (True, "ERROR")
    with duckdb.connect(str(published), read_only=True) as conn:
        assert conn.execute(
            "select check_name from raw.quarantine where release_id = ? and released_at is null",
            [release_id]).fetchall() == [("published_outside_partition",)]
        assert conn.execute("select count(*) from raw.releases where release_id = ?",
                            [release_id]).fetchone() == (0,)
    # The fix (the bad observation removed) and a reprocess of both days release it.
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("delete from raw.fetched_items where run_id = 'injected-run'")
    code, output = _pressroom(root, "backfill", "--start", str(published_at.date()),
                              "--end", str(target))
    assert code == 0, output
    assert "quarantined releases: 0" in output
    with duckdb.connect(str(published), read_only=True) as conn:
        assert conn.execute("select count(*) from marts.fct_releases where release_id = ?",
                            [release_id]).fetchone() == (1,)


def test_schema_drift_is_stopped_and_the_published_copy_is_untouched(home):
    """A batch-level failure (a raw table lost a column) still blocks: non-zero exit, dbt not
    run, and the published file byte-identical."""
    root = home["home"]
    warehouse = root / "warehouse.duckdb"
    published = root / "published" / "pressroom.duckdb"
    before = _sha256(published)
    day = _busiest_day(warehouse)
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("alter table raw.person_mentions drop column surface_text")
    time.sleep(0.01)  # mtime resolution: make any rewrite of the published file detectable
    mtime = published.stat().st_mtime_ns
    transform_before = _latest_run_id("transform_job")

    code, output = _pressroom(root, "backfill", "--start", day, "--end", day)

    assert code != 0, output
    assert "step extract_mentions failed" in output, output
    assert "surface_text" in output, output  # the failure names the missing column
    assert "published warehouse was left unchanged" in output
    assert _sha256(published) == before
    assert published.stat().st_mtime_ns == mtime
    assert _latest_run_id("transform_job") == transform_before  # dbt never started
