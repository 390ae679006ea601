"""End to end: the main job on the bundled sample, and the seed dump, through real Dagster runs,
real dbt and a real DuckDB file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sample_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("sample_home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_HOME", str(home / "dagster"))
        patch.delenv("PRESSROOM_SOURCES", raising=False)
        assert main(["--home", str(home), "run"]) == 0
    return home


def _query(path: Path, sql: str) -> list[tuple]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return conn.execute(sql).fetchall()
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


def test_seed_dump_gives_ten_releases(shared_dir: Path, tmp_path: Path, monkeypatch) -> None:
    home = tmp_path / "seed_home"
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    monkeypatch.setenv("PRESSROOM_SOURCES", str(tmp_path / "no_sources.yaml"))
    (tmp_path / "no_sources.yaml").write_text("sources: []\n", encoding="utf-8")
    seed = shared_dir / "seeds" / "000_921cdd6db4130189.txt"
    assert main(["--home", str(home), "ingest-dump", str(seed), "--as-of", "2023-11-08"]) == 0
    published = home / "published" / "pressroom.duckdb"
    rows = _query(published, """
        select source_name, count(*), sum(is_truncated::int) from marts.fct_releases
        group by 1 order by 1""")
    assert rows == [("Europol", 3, 3), ("NATO", 7, 0)]
    people = {row[0] for row in _query(published, "select full_name from marts.dim_people")}
    assert {"Jens Stoltenberg", "Olaf Scholz", "Katalin Novák"} <= people
    events = _query(published, """
        select event_type, start_date, starts_at from marts.fct_events
        where start_time is not null and start_date = date '2023-11-09' order by starts_at""")
    assert events[0][0] == "press_conference"
    assert str(events[0][2]) == "2023-11-09 12:30:00"  # 13:30 CET
