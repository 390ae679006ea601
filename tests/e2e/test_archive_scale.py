"""Archive scale, end to end: a UI-style backfill ends published, a sparse multi-year archive
served on 127.0.0.1 loads through the CLI at the cost of its years (not its days), and
memory stays flat as the archive grows (slow)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from benchmarks import corpus
from orchestration.cli import main
from orchestration.settings import SAMPLE_SOURCES_FILE, Settings

pytestmark = pytest.mark.e2e
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def _query(path: Path, sql: str) -> list[tuple]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_a_ui_style_backfill_ends_published(tmp_path: Path) -> None:
    """What the UI does: a ranged backfill of the raw assets over whole years, tagged with
    the range only. When it succeeds, the daemon's sensor asks for the marts and the publish;
    here the same sensor is evaluated and the run it requests executed."""
    from orchestration.definitions import defs
    from orchestration.defs.automation import marts_after_raw
    from orchestration.defs.resources import build_resources

    settings = Settings(home=tmp_path / "home", sources_file=SAMPLE_SOURCES_FILE, first_year=2020)
    resources = build_resources(settings)
    instance = dg.DagsterInstance.ephemeral()
    fetched = defs.resolve_job_def("ingest_job").execute_in_process(
        instance=instance, resources=resources, run_config=QUIET
    )
    assert fetched.success
    backfill = defs.resolve_job_def("raw_job").execute_in_process(
        instance=instance,
        resources=resources,
        run_config=QUIET,
        tags={
            "dagster/asset_partition_range_start": "2022",
            "dagster/asset_partition_range_end": "2023",
        },
    )
    assert backfill.success
    _each_partition_describes_its_year(backfill)
    _check_status_is_the_runs_result(instance, backfill)
    context = dg.build_run_status_sensor_context(
        sensor_name=marts_after_raw.name,
        dagster_instance=instance,
        dagster_run=backfill.dagster_run,
        dagster_event=backfill.get_run_success_event(),
    )
    request = marts_after_raw(context)
    assert isinstance(request, dg.RunRequest)
    assert request.run_config["ops"]["pressroom_dbt_models"]["config"] == {
        "window_start": "2022-01-01",
        "window_end": "2024-01-01",
    }
    built = defs.resolve_job_def(request.job_name or "transform_job").execute_in_process(
        instance=instance,
        resources=resources,
        raise_on_error=False,
        run_config={**QUIET, **request.run_config},
        tags=request.tags,
    )
    assert built.success
    published = settings.published_path
    assert _query(published, "select count(*) from marts.fct_releases")[0][0] == 70
    tables = {
        row[0]
        for row in _query(published, "select schema_name || '.' || table_name from duckdb_tables()")
    }
    assert "raw.http_responses" not in tables  # payload blobs stay with the writer
    assert not any(table.startswith("intermediate.") for table in tables)  # dbt's internals
    assert {"marts.fct_events", "raw.releases", "raw.person_mentions"} <= tables
    audits = [
        event
        for event in built.get_asset_check_evaluations()
        if event.check_name == "warehouse_audit"
    ]
    assert audits and all(event.passed for event in audits)


def _each_partition_describes_its_year(run: dg.ExecuteInProcessResult) -> None:
    """A ranged run records each year's own counts (the sample is all 2023), and the run's
    totals under ``run_`` names."""
    recorded = {
        (event.asset_key.to_user_string(), event.partition): event.metadata
        for event in (
            record.event_specific_data.materialization
            for record in run.get_asset_materialization_events()
        )
    }
    assert recorded[("raw/releases", "2022")]["releases"].value == 0
    assert recorded[("raw/releases", "2023")]["releases"].value == 70
    assert recorded[("raw/releases", "2022")]["run_releases_rebuilt"].value == 70
    mentions = [recorded[("raw/person_mentions", year)]["rows"].value for year in ("2022", "2023")]
    assert mentions[0] == 0 and mentions[1] > 0


def _check_status_is_the_runs_result(
    instance: dg.DagsterInstance, run: dg.ExecuteInProcessResult
) -> None:
    """What the UI shows for each check of each year of the run is the run's evaluation, never
    a planned execution left open (shown as "Skipped"), and it targets that year's latest
    materialization (else the UI would not count it as the year's current status)."""
    evaluations = {
        dg.AssetCheckKey(event.asset_key, event.check_name): event.passed
        for event in run.get_asset_check_evaluations()
    }
    assert len(evaluations) >= 12
    raw = [key for key in evaluations if key.asset_key.path[0] == "raw"
           and key.asset_key.path[1] != "fetched_items"]
    assert raw
    for key in evaluations:
        history = instance.event_log_storage.get_asset_check_execution_history(key, limit=100)
        records = [record for record in history if record.run_id == run.run_id]
        expected = "SUCCEEDED" if evaluations[key] else "FAILED"
        assert {record.status.value for record in records} == {expected}, key.to_user_string()
        if key in raw:
            assert sorted(record.partition for record in records) == ["2022", "2023"]
    for info in instance.event_log_storage.get_asset_check_partition_info(raw):
        assert info.is_current, (info.check_key.to_user_string(), info.partition_key)


def test_a_sparse_decade_costs_its_years_not_its_days(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """73 releases scattered over eleven years, fetched from feeds on 127.0.0.1 through the
    CLI: everything is published, and Dagster records one partition per year touched (the
    old daily partitions recorded ~4,000 days, ~10 minutes of event writes). A backfill of
    the whole decade then costs two runs and publishes the same marts."""
    root = tmp_path / "corpus"
    names = corpus.write_corpus(root, 73, 11, end_year=2025)
    home = tmp_path / "home"
    with corpus.serve(root) as port:
        sources = tmp_path / "sources.yaml"
        sources.write_text(corpus.sources_yaml(names, port), encoding="utf-8")
        monkeypatch.setenv("PRESSROOM_SOURCES", str(sources))
        monkeypatch.setenv("PRESSROOM_ALLOWED_ENDPOINTS", f"127.0.0.1:{port}")
        monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
        assert main(["--home", str(home), "run"]) == 0
    published = home / "published" / "pressroom.duckdb"
    assert _query(published, "select count(*) from marts.fct_releases")[0][0] == 73
    marts = _query(published, "select release_id, title from marts.fct_releases order by 1")
    # a backfill of the whole sparse decade from kept payloads: one ranged raw run, then
    # the marts and the publish; the same warehouse comes out
    instance = dg.DagsterInstance.from_config(str(home / "dagster"))
    runs_before = len(instance.get_runs())
    instance.dispose()
    backfill = ["--home", str(home), "backfill", "--start", "2015-01-01", "--end", "2025-12-31"]
    assert main(backfill) == 0
    assert _query(published, "select release_id, title from marts.fct_releases order by 1") == marts
    years = _query(
        published, "select count(distinct year(published_date)) from marts.fct_releases"
    )[0][0]
    instance = dg.DagsterInstance.from_config(str(home / "dagster"))
    try:
        materialized = instance.get_materialized_partitions(dg.AssetKey(["raw", "releases"]))
        backfill_runs = instance.get_runs()[: len(instance.get_runs()) - runs_before]
    finally:
        instance.dispose()
    assert sorted(run.job_name for run in backfill_runs) == ["raw_job", "transform_job"]
    assert materialized and len(materialized) <= 11
    assert len(materialized) >= years - 1  # every year holding a release, not its days


def _peak_rss_mb(size: int, years: int, tmp_path: Path) -> float:
    """Peak RSS (largest process, wait4) of one `pressroom run` over ``size`` releases."""
    root = tmp_path / f"corpus_{size}"
    names = corpus.write_corpus(root, size, years, per_feed=1000)
    home = tmp_path / f"home_{size}"
    with corpus.serve(root) as port:
        sources = tmp_path / f"sources_{size}.yaml"
        sources.write_text(corpus.sources_yaml(names, port), encoding="utf-8")
        env = {
            **os.environ,
            "PRESSROOM_SOURCES": str(sources),
            "PRESSROOM_ALLOWED_ENDPOINTS": f"127.0.0.1:{port}",
            "DAGSTER_HOME": str(home / "dagster"),
        }
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "pressroom"), "--home", str(home), "run"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return usage.ru_maxrss / 1024


MEMORY_TARGET_MB = 1536  # issue #9: peak RSS of the whole process tree at 100,000 releases


def test_a_run_stays_within_the_memory_target(tmp_path: Path) -> None:
    """1,000 releases over twenty years through the CLI, empty to published (about a minute):
    the whole process tree (the CLI, dbt, extraction workers) stays under the memory target
    set for 100,000 releases, sampled from /proc every 0.1 s as `make bench` does."""
    from benchmarks.bench_e2e import run_cli

    root = tmp_path / "corpus"
    names = corpus.write_corpus(root, 1000, 20)
    home = tmp_path / "home"
    with corpus.serve(root) as port:
        sources = tmp_path / "sources.yaml"
        sources.write_text(corpus.sources_yaml(names, port), encoding="utf-8")
        env = {
            **os.environ,
            "PRESSROOM_SOURCES": str(sources),
            "PRESSROOM_ALLOWED_ENDPOINTS": f"127.0.0.1:{port}",
            "PRESSROOM_FIRST_YEAR": "2000",
            "DAGSTER_HOME": str(home / "dagster"),
        }
        run = run_cli(["--home", str(home), "run"], env)
    assert run["exit"] == 0, run["output"]
    published = home / "published" / "pressroom.duckdb"
    assert _query(published, "select count(*) from marts.fct_releases")[0][0] == 1000
    assert 0 < run["peak_tree_rss_mb"] <= MEMORY_TARGET_MB, run["peak_tree_rss_mb"]


@pytest.mark.slow
def test_memory_stays_flat_as_the_archive_grows(tmp_path: Path) -> None:
    """Six times the releases, about the same peak memory: every stage works in batches."""
    small = _peak_rss_mb(500, 5, tmp_path)
    large = _peak_rss_mb(3000, 5, tmp_path)
    assert large < small * 1.25 + 100, f"peak RSS {small:.0f} MB -> {large:.0f} MB"
