"""The code location: graph shape, writer pools, job wiring, and each blocking SQL rule once
with good data and once with bad (real DuckDB)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from functools import cached_property
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.automation import transform_run_config
from orchestration.defs.partitions import (
    DUCKDB_POOL,
    run_tags,
    window_from_tags,
    yearly_partitions,
)
from orchestration.quality.rules import FETCH_RULES, RULES
from orchestration.settings import DBT_PROJECT_DIR, SAMPLE_SOURCES_FILE
from orchestration.sources.config import load_sources
from orchestration.sources.runner import collect_dumps, collect_sources, known_labels
from orchestration.warehouse.dbt_command import dbt_build_args
from orchestration.warehouse.raw_store import store_collected
from orchestration.warehouse.releases import rebuild_releases
from orchestration.warehouse.schema import ensure_raw_schema
from orchestration.window import Window

WINDOW = (date(2023, 10, 1), date(2023, 12, 1))


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from orchestration.definitions import defs as definitions

    return definitions


def test_every_duckdb_writer_shares_the_single_writer_pool(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    writers = {node.assets_def for node in graph.asset_nodes if node.assets_def.op}
    assert writers
    for assets_def in writers:
        assert assets_def.op.pool == DUCKDB_POOL, assets_def.op.name


def test_asset_keys_mirror_tables(defs: dg.Definitions) -> None:
    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    expected = {
        "raw/http_responses",
        "raw/fetched_items",
        "raw/rejected_items",
        "raw/releases",
        "raw/person_mentions",
        "raw/location_mentions",
        "raw/event_mentions",
        "raw/event_participants",
        "raw/release_annotations",
        "marts/fct_releases",
        "marts/fct_events",
        "marts/fct_appearances",
        "marts/dim_people",
        "marts/dim_people_roles",
        "marts/dim_locations",
        "marts/fct_person_mentions",
        "marts/fct_location_mentions",
    }
    assert expected <= keys


def test_marts_descend_from_raw_releases(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    upstream = graph.get(dg.AssetKey(["marts", "fct_releases"])).parent_keys
    ancestors = set(upstream)
    frontier = list(upstream)
    while frontier:
        ancestors.update(parents := graph.get(frontier.pop()).parent_keys)
        frontier.extend(parents)
    assert dg.AssetKey(["raw", "releases"]) in ancestors


def test_raw_job_is_partitioned_and_backfills_in_one_run(defs: dg.Definitions) -> None:
    job = defs.resolve_job_def("raw_job")
    assert job.partitions_def is not None
    graph = defs.resolve_asset_graph()
    policy = graph.get(dg.AssetKey(["raw", "releases"])).backfill_policy
    assert policy == dg.BackfillPolicy.single_run()


def test_live_polling_schedule_is_stopped_by_default(defs: dg.Definitions) -> None:
    schedule = defs.resolve_schedule_def("poll_live_sources")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED


def test_window_reaches_dbt_as_event_time_flags() -> None:
    args = dbt_build_args(Window(date(2023, 11, 1), date(2023, 11, 3)), "/w.duckdb")
    # on the DuckDB file no JSON artifacts (nothing reads them): a global flag, before build
    assert args[:3] == ["--no-write-json", "build", "--vars"]
    # --vars hold only what is constant for a home: dbt hashes them into its parse state
    assert json.loads(args[3]) == {"duckdb_path": "/w.duckdb"}
    # the window [start, end) as dbt's own event-time flags (end exclusive there too)
    assert args[4:8] == ["--event-time-start", "2023-11-01", "--event-time-end", "2023-11-03"]
    assert dbt_build_args(None, "/w.duckdb")[:4] == args[:4]
    assert "--event-time-start" not in dbt_build_args(None, "/w.duckdb")
    # unit tests check the SQL in CI (test_dbt_project), not on every pipeline run
    assert args[8:] == ["--exclude", "resource_type:unit_test"]
    with pytest.raises(ValueError, match="must end after"):
        Window(date(2023, 11, 3), date(2023, 11, 1))


def test_partitions_are_years_from_the_configured_start() -> None:
    partitions = yearly_partitions(2006)
    keys = partitions.get_partition_keys()
    assert keys[0] == "2006"
    assert keys[-1] == str(date.today().year)
    assert len(keys) == date.today().year - 2006 + 1


def test_a_window_travels_through_run_tags_unchanged() -> None:
    partitions = yearly_partitions(2000)
    day = Window.of_days(date(2025, 12, 31), date(2025, 12, 31))
    tags = run_tags(day, partitions)
    assert tags["dagster/asset_partition_range_start"] == "2025"
    assert tags["dagster/asset_partition_range_end"] == "2025"
    assert window_from_tags(tags, partitions) == day
    spread = Window.of_days(date(2014, 3, 2), date(2024, 6, 30))
    assert window_from_tags(run_tags(spread, partitions), partitions) == spread


def test_a_ui_backfill_covers_whole_years() -> None:
    """A UI backfill tags the range only: the window is every day of those years."""
    partitions = yearly_partitions(2000)
    ranged = {
        "dagster/asset_partition_range_start": "2021",
        "dagster/asset_partition_range_end": "2023",
    }
    assert window_from_tags(ranged, partitions) == Window(date(2021, 1, 1), date(2024, 1, 1))
    single = {"dagster/partition": "2022"}
    assert window_from_tags(single, partitions) == Window(date(2022, 1, 1), date(2023, 1, 1))
    assert window_from_tags({}, partitions) is None
    config = transform_run_config(Window(date(2021, 1, 1), date(2024, 1, 1)))
    assert config["ops"]["pressroom_dbt_models"]["config"] == {
        "window_start": "2021-01-01",
        "window_end": "2024-01-01",
    }


@pytest.fixture
def loaded(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """The bundled sample in raw.releases, plus one clean mention of each kind."""
    sources = load_sources(SAMPLE_SOURCES_FILE)
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_raw_schema(conn)
    for collected in [
        *collect_sources(sources, SAMPLE_SOURCES_FILE),
        *collect_dumps(sources.dumps, SAMPLE_SOURCES_FILE, known_labels(sources)),
    ]:
        store_collected(conn, collected, "test")
    rebuild_releases(conn, {s.name: s for s in sources.sources}, *WINDOW)
    release_id, body, day = conn.execute(
        "select release_id, body_text, partition_date from raw.releases "
        "where release_id = 'nato:news_220025' and version = 2"
    ).fetchone()
    start = body.index("NATO")
    conn.execute(
        "insert into raw.person_mentions values "
        "('m#p1', ?, ?, ?, 'NATO', 'Nato', null, null, null, ?, 'test')",
        [release_id, start, start + 4, day],
    )
    conn.execute(
        "insert into raw.event_mentions values ('m#e1', ?, 'meeting', 'x', ?, null, "
        "'day', null, null, null, null, null, 0, 10, ?, 'test')",
        [release_id, day, day],
    )
    conn.execute(
        "insert into raw.location_mentions values ('m#l1', ?, 0, 4, 'NATO', "
        "'country:BE', 'Belgium', 'country', 'BE', 50.5, 4.5, 2802361, null, null, "
        "null, ?, 'test')",
        [release_id, day],
    )
    yield conn
    conn.close()


BREAKAGES = {
    "release_versions_consecutive": "update raw.releases set version = 3 "
    "where release_id = 'nato:news_220025' and version = 2",
    "releases_have_title_and_text": "update raw.releases set title = '  ' "
    "where release_id = 'nato:news_220025'",
    "published_within_partition": "update raw.releases set partition_date = date '2023-10-02' "
    "where release_id = 'nato:news_220025'",
    "person_spans_inside_text": 'update raw.person_mentions set "end" = "end" + 1',
    "event_dates_valid": "update raw.event_mentions set end_date = start_date - 3",
    "country_codes_valid": "update raw.location_mentions set country_code = 'XX'",
}


def test_every_rule_has_a_breakage_test() -> None:
    assert {rule.name for rule in RULES} == set(BREAKAGES)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_rule_passes_good_data_and_catches_bad(rule, loaded: duckdb.DuckDBPyConnection) -> None:
    assert rule.offending_rows(loaded, *WINDOW) == []
    loaded.execute(BREAKAGES[rule.name])
    assert rule.offending_rows(loaded, *WINDOW), f"{rule.name} missed the breakage"


FETCH_BREAKAGES = {
    "items_reference_kept_payloads": "delete from raw.http_responses where payload_sha256 = "
    "(select min(detail_payload_sha256) from raw.fetched_items)",
    "items_have_ids_and_days": "update raw.fetched_items set release_id = 'no-source-prefix' "
    "where item_key = (select min(item_key) from raw.fetched_items)",
}


def test_every_fetch_rule_has_a_breakage_test() -> None:
    assert {rule.name for rule in FETCH_RULES} == set(FETCH_BREAKAGES)


@pytest.mark.parametrize("rule", FETCH_RULES, ids=lambda rule: rule.name)
def test_fetch_rule_passes_good_data_and_catches_bad(
    rule,
    loaded: duckdb.DuckDBPyConnection,
) -> None:
    assert rule.offending_rows(loaded, "test") == []
    loaded.execute(FETCH_BREAKAGES[rule.name])
    assert rule.offending_rows(loaded, "test"), f"{rule.name} missed the breakage"


def test_code_location_loads_without_touching_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """build_resources() only builds objects: no home, warehouse or instance is created."""
    from orchestration.defs.resources import build_resources
    from orchestration.settings import load_settings

    monkeypatch.setenv("PRESSROOM_HOME", str(tmp_path / "home"))
    resources = build_resources(load_settings())
    assert resources["warehouse"].path == str(tmp_path / "home" / "warehouse.duckdb")
    assert not (tmp_path / "home").exists()


def test_checks_are_partitioned_like_their_assets(defs: dg.Definitions) -> None:
    """A UI backfill plans every check of its run once per year (the run stores its years);
    a check partitioned otherwise than its asset left those planned executions open, shown
    as "Skipped" beside a passed run (#12). Each raw check records its result per year."""
    graph = defs.resolve_asset_graph()
    mismatched = [
        key.to_user_string()
        for key in graph.asset_check_keys
        if graph.get(key).partitions_def != graph.get(key.asset_key).partitions_def
    ]
    partitioned = [key for key in graph.asset_check_keys if graph.get(key).partitions_def]
    assert graph.asset_check_keys and mismatched == [] and len(partitioned) >= 10


def test_seed_assets_carry_their_yaml_description(defs: dg.Definitions) -> None:
    """The UI's page of a seed shows its description from dbt_project/seeds/_seeds.yml and
    its file, not dagster-dbt's default with an empty "Raw SQL:" (#12)."""
    import yaml

    seeds = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
    described = yaml.safe_load((seeds / "_seeds.yml").read_text(encoding="utf-8"))["seeds"]
    graph = defs.resolve_asset_graph()
    for seed in described:
        text = graph.get(dg.AssetKey(["staging", seed["name"]])).description or ""
        assert " ".join(seed["description"].split()) in " ".join(text.split())
        assert f"dbt_project/seeds/{seed['name']}.csv" in text
        assert "Raw SQL" not in text


def test_the_jobs_the_docs_name_exist(defs: dg.Definitions) -> None:
    """The README once told users to backfill a `warehouse_job` that did not exist (#12).
    Dagster's own functions (``execute_job()``) are written with their parentheses."""
    import re

    repo = Path(__file__).resolve().parents[2]
    texts = [repo / "README.md", repo / "dbt_project" / "README.md", *repo.glob("docs/*.md")]
    named = {
        name
        for path in texts
        for name in re.findall(
            r"(?<![\w/])([a-z]+(?:_[a-z]+)*_job)\b(?!\.py|\()", path.read_text(encoding="utf-8")
        )
    }
    jobs = {job.name for job in defs.resolve_all_job_defs()}
    assert named and named <= jobs, sorted(named - jobs)


def test_dbt_resource_skips_the_version_process_and_the_in_process_adapter() -> None:
    """DbtResource overrides two private members of dagster-dbt's DbtCliResource (a `dbt
    --version` process and an adapter opened in-process, seconds per run): an upgrade that
    renames them must fail here, not silently bring the cost back."""
    from dagster_dbt import DbtCliResource
    from dbt.version import __version__

    from orchestration.defs.resources import DbtResource

    assert isinstance(vars(DbtCliResource).get("_cli_version"), cached_property)
    assert callable(vars(DbtCliResource).get("_initialize_dbt_core_adapter"))
    # `false --version` exits 1: dagster-dbt's own _cli_version would raise
    resource = DbtResource(
        target_dir="/nowhere", project_dir=str(DBT_PROJECT_DIR), dbt_executable="/bin/false"
    )
    assert str(resource._cli_version) == __version__
    assert resource._initialize_dbt_core_adapter(["build"]) is None


def test_the_code_location_loads_without_dbt_core_in_the_process() -> None:
    """dbt runs as its own process; the code location (and every `pressroom` command) does not
    import dbt-core (~1 s on 2 cores), yet dbt-core stays importable afterwards."""
    probe = (
        "import sys; import orchestration.definitions as d; d.defs.resolve_all_job_defs(); "
        "print(sorted(name for name in sys.modules if name == 'dbt' or name.startswith('dbt.'))); "
        "import dbt.version; print(dbt.version.__version__)"
    )
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", probe], capture_output=True, text=True, check=True
    )
    loaded, dbt_version = result.stdout.splitlines()[-2:]
    assert loaded == "[]", loaded
    assert dbt_version == __import__("importlib.metadata").metadata.version("dbt-core")
