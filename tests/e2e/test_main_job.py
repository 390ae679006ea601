"""End to end: the main job on the bundled sample, and the seed dump, through real Dagster runs,
real dbt and a real DuckDB file."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.cli import main
from orchestration.defs.transform.project import dbt_project
from orchestration.warehouse.descriptions import from_manifest
from tests.conftest import SHARED_DIR

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sample_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("sample_home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_HOME", str(home / "dagster"))
        patch.delenv("PRESSROOM_SOURCES", raising=False)
        assert main(["--home", str(home), "run"]) == 0
    return home


def _query(path: Path, sql: str, parameters: list | None = None) -> list[tuple]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return conn.execute(sql, parameters or []).fetchall()
    finally:
        conn.close()


def test_sample_lands_in_the_published_warehouse(sample_home: Path) -> None:
    published = sample_home / "published" / "pressroom.duckdb"
    assert published.exists()
    by_source = dict(_query(published,
                            "select source, count(*) from marts.fct_releases group by 1"))
    assert by_source["nato"] == 33
    assert by_source["europol"] == 21
    assert by_source["frontex"] == 11
    assert sum(by_source.values()) >= 60
    days = _query(published, "select count(distinct published_date) from marts.fct_releases")[0][0]
    assert days >= 30


def test_the_dbt_build_ran_in_the_dbt_process_started_with_the_run(sample_home: Path) -> None:
    """The build's events in dbt's log come from the process `orchestration.dbt_warm` started
    while the run fetched (its record names it), and that process has exited."""
    record = json.loads((sample_home / "dbt_target" / "warm-dbt.json").read_text())
    lines = (sample_home / "dbt_target" / "dbt.log").read_text().splitlines()
    events = [json.loads(line) for line in lines if line.startswith("{")]
    starts = [i for i, event in enumerate(events) if event["info"]["name"] == "MainReportVersion"]
    build = events[starts[-1] :]
    assert {event["info"]["pid"] for event in build} == {record["pid"]}
    assert any(event["info"]["name"] == "LogModelResult" for event in build)
    assert not Path(f"/proc/{record['pid']}").exists()


def test_the_published_marts_carry_their_descriptions(sample_home: Path) -> None:
    """dbt's descriptions are comments on the published copy (what BI tools show)."""
    published = sample_home / "published" / "pressroom.duckdb"
    docs = from_manifest(Path(dbt_project.manifest_path))[("marts", "fct_events")]
    (table_comment,) = _query(
        published,
        "select comment from duckdb_tables() where schema_name = 'marts' "
        "and table_name = 'fct_events'",
    )[0]
    columns = dict(
        _query(
            published,
            "select column_name, comment from duckdb_columns() where schema_name = 'marts' "
            "and table_name = 'fct_events' and comment is not null",
        )
    )
    assert table_comment == docs.description
    assert columns == docs.columns


def test_sample_rejections_are_recorded_with_reasons(sample_home: Path) -> None:
    rows = set(_query(sample_home / "warehouse.duckdb",
                      "select source, reason from raw.rejected_items"))
    assert {("nato", "missing_title"), ("nato", "impossible_date"),
            ("frontex", "malformed_feed"), ("osce", "empty_body"),
            ("eurojust", "missing_title")} <= rows


def test_changed_item_is_a_second_version_of_one_release(sample_home: Path) -> None:
    rows = _query(sample_home / "warehouse.duckdb",
                  "select version from raw.releases where release_id = 'nato:news_220025' "
                  "order by version")
    assert rows == [(1,), (2,)]
    marts = _query(sample_home / "published" / "pressroom.duckdb",
                   "select version_count from marts.fct_releases "
                   "where release_id = 'nato:news_220025'")
    assert marts == [(2,)]


def test_rerunning_the_main_job_changes_nothing(sample_home: Path, monkeypatch) -> None:
    warehouse = sample_home / "warehouse.duckdb"
    snapshot = "select release_id, version, content_hash from raw.releases order by 1, 2"
    before = _query(warehouse, snapshot)
    monkeypatch.setenv("DAGSTER_HOME", str(sample_home / "dagster"))
    assert main(["--home", str(sample_home), "backfill", "--start", "2023-11-01",
                 "--end", "2023-11-30"]) == 0
    assert _query(warehouse, snapshot) == before


@pytest.fixture(scope="module")
def seed_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The seed dump ingested (as-of 2023-11-08) into a fresh home; skips without ../shared."""
    seeds = SHARED_DIR / "seeds"
    if not seeds.is_dir():
        pytest.skip(f"{seeds} is absent: the seed tests need ../shared beside the repo")
    home = tmp_path_factory.mktemp("seed_home")
    empty_sources = home / "no_sources.yaml"
    empty_sources.write_text("sources: []\n", encoding="utf-8")
    seed = seeds / "000_921cdd6db4130189.txt"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PRESSROOM_SOURCES", str(empty_sources))
        assert main(["--home", str(home), "ingest-dump", str(seed), "--as-of", "2023-11-08"]) == 0
    return home / "published" / "pressroom.duckdb", seeds / "000_921cdd6db4130189.expected.yaml"


def test_seed_dump_gives_ten_releases(seed_home: tuple[Path, Path]) -> None:
    published, _ = seed_home
    rows = _query(published, """
        select source_name, count(*), sum(is_truncated::int) from marts.fct_releases
        group by 1 order by 1""")
    assert rows == [("Europol", 3, 3), ("NATO", 7, 0)]
    events = _query(published, """
        select event_type, start_date, starts_at from marts.fct_events
        where start_time is not null and start_date = date '2023-11-09' order by starts_at""")
    assert events[0][0] == "press_conference"
    assert str(events[0][2]) == "2023-11-09 12:30:00"  # 13:30 CET


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def _person_found(label: str, found: list[tuple[str, list[str]]]) -> bool:
    wanted = _fold(label)
    for full_name, variants in found:
        names = {_fold(full_name), *(_fold(variant) for variant in variants or [])}
        if wanted in names or (" " not in wanted and _fold(full_name).endswith(" " + wanted)):
            return True
    return False


def _load_labels(path: Path) -> dict:
    class Labels(yaml.SafeLoader):  # YAML 1.1 would read the country code NO as False
        pass

    def boolean_or_text(loader: yaml.SafeLoader, node: yaml.Node) -> bool | str:
        text = loader.construct_scalar(node)
        return {"true": True, "false": False}.get(str(text).lower(), text)

    Labels.add_constructor("tag:yaml.org,2002:bool", boolean_or_text)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=Labels)


def test_seed_requirements_are_in_the_marts(seed_home: tuple[Path, Path]) -> None:
    published, expected_path = seed_home
    expected = _load_labels(expected_path)
    ids = dict(_query(published, "select title, release_id from marts.fct_releases"))
    missing = []
    for release in expected["releases"]:
        release_id = ids[release["title"]]
        people = _query(published, """
            select distinct people.full_name, people.name_variants
            from marts.fct_person_mentions as mentions
            inner join marts.dim_people as people using (person_id)
            where mentions.release_id = ?""", [release_id])
        for label in release["people"].get("required", []):
            if not _person_found(label["name"], people):
                missing.append(f"person {label['name']} in {release['title'][:40]}")
        places = {(_fold(name), code) for name, code in _query(published, """
            select locations.name, locations.country_code
            from marts.fct_location_mentions as mentions
            inner join marts.dim_locations as locations using (location_id)
            where mentions.release_id = ?""", [release_id])}
        for label in release["locations"].get("required", []):
            if (_fold(label["name"]), label.get("country")) not in places:
                missing.append(f"place {label['name']} in {release['title'][:40]}")
        events = _query(published, """
            select events.start_date, events.end_date, events.start_time
            from marts.fct_events as events
            inner join marts.fct_event_releases as lineage using (event_id)
            where lineage.release_id = ?""", [release_id])
        for label in release["events"].get("required", []):
            found = any(
                start == label["start_date"]
                and ("end_date" not in label or end == label["end_date"])
                and ("time" not in label or str(time or "").startswith(label["time"]))
                for start, end, time in events)
            if not found:
                missing.append(f"event {label['type']} {label['start_date']} "
                               f"in {release['title'][:40]}")
    assert missing == []


def test_status_query_and_export_read_the_published_copy(sample_home: Path, capsys) -> None:
    assert main(["--home", str(sample_home), "status"]) == 0
    assert "rejected items: " in capsys.readouterr().out
    assert main(["--home", str(sample_home), "query",
                 "select count(*) as releases from marts.fct_releases"]) == 0
    assert "releases" in capsys.readouterr().out
    assert main(["--home", str(sample_home), "export"]) == 0
    exported = duckdb.sql(
        f"select count(*) from '{sample_home / 'exports' / 'fct_releases.parquet'}'").fetchone()
    assert exported[0] == _query(sample_home / "published" / "pressroom.duckdb",
                                 "select count(*) from marts.fct_releases")[0][0]
