"""Matrix row 28: a backfill over several yearly partitions where one year fails.

The failure comes from the data: one stored payload of one year is damaged (its compressed
body no longer inflates), so rebuilding that year raises. The other years materialize; the
failed year is not shown materialized; once the payload is repaired, rerunning the failed
year (twice) leaves every table equal to a clean backfill's."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.ingestion.assets import RAW_RELEASES, fetch_sources, raw_releases
from orchestration.defs.resources import build_resources
from orchestration.settings import Settings

pytestmark = pytest.mark.timeout(300)

QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
YEARS = ["2021", "2022", "2023"]
SOURCES = """\
replay_dir: fetches
sources:
  - name: agency
    display_name: Agency
    kind: rss
    base_url: https://feeds.example.org
    feed_url: /rss.xml
    full_text: {method: none}
"""


def _rss(year: str) -> str:
    """A feed of two releases published in ``year``."""
    items = "".join(
        f"<item><title>Release {year}-{n}</title>"
        f"<link>https://feeds.example.org/news/{year}-{n}</link>"
        f'<guid isPermaLink="false">{year}-{n}</guid>'
        f"<description>Text of release {n} of {year}.</description>"
        f"<pubDate>0{n} Mar {year} 10:00:00 GMT</pubDate></item>"
        for n in (1, 2)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T'
        f"</title>{items}</channel></rss>"
    )


def _replay(root: Path) -> Path:
    """One recorded fetch per year, each a payload of its own; the sources file using them."""
    for number, year in enumerate(YEARS, start=1):
        folder = root / "fetches" / f"{number:02d}" / "agency"
        folder.mkdir(parents=True)
        (folder.parent / "fetch.yaml").write_text(f'fetched_at: "{year}-03-09T12:00:00Z"\n')
        (folder / "rss.xml").write_text(_rss(year), encoding="utf-8")
        (folder / "index.yaml").write_text(
            'responses:\n  - url: "https://feeds.example.org/rss.xml"\n    file: "rss.xml"\n'
            '    status: 200\n    content_type: "application/rss+xml"\n'
        )
    config = root / "sources.yaml"
    config.write_text(SOURCES, encoding="utf-8")
    return config


def _fetch(settings: Settings, instance: dg.DagsterInstance) -> None:
    result = dg.materialize(
        [fetch_sources], instance=instance, resources=build_resources(settings), run_config=QUIET
    )
    assert result.success


def _backfill(
    settings: Settings, instance: dg.DagsterInstance, years: list[str]
) -> dict[str, bool]:
    """One run per year, as a multi-run backfill launches them; whether each succeeded."""
    outcome = {}
    for year in years:
        result = dg.materialize(
            [raw_releases],
            partition_key=year,
            instance=instance,
            resources=build_resources(settings),
            run_config=QUIET,
            raise_on_error=False,
        )
        outcome[year] = result.success
    return outcome


def _years(settings: Settings) -> list[str]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as conn:
        rows = conn.execute(
            "select distinct year(partition_date)::varchar from raw.fetched_items "
            "where partition_date is not null order by 1"
        ).fetchall()
    return [row[0] for row in rows]


def _tables(settings: Settings) -> dict[str, list[tuple]]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as conn:
        return {
            "raw.releases": conn.execute("select * from raw.releases order by all").fetchall(),
            "raw.fetched_items": conn.execute(
                "select * exclude (run_id) from raw.fetched_items order by all"
            ).fetchall(),
            "raw.http_responses": conn.execute(
                "select payload_sha256, body_zlib from raw.http_responses order by all"
            ).fetchall(),
            "raw.rejected_items": conn.execute(
                "select * exclude (rejected_at) from raw.rejected_items order by all"
            ).fetchall(),
        }


def _one_payload_of(settings: Settings, year: str) -> tuple[str, bytes]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as conn:
        return conn.execute(
            """
            select r.payload_sha256, r.body_zlib from raw.http_responses r
            join raw.fetched_items i on i.feed_payload_sha256 = r.payload_sha256
            group by all
            having count(distinct year(i.partition_date)) = 1
               and any_value(year(i.partition_date))::varchar = ?
            order by 1 limit 1
        """,
            [year],
        ).fetchone()


def _set_payload(settings: Settings, sha: str, body: bytes) -> None:
    """Replace a kept payload and drop the fetch's kept parses (else the rebuild would not
    read the payload again)."""
    with duckdb.connect(str(settings.warehouse_path)) as conn:
        conn.execute(
            "update raw.http_responses set body_zlib = ? where payload_sha256 = ?", [body, sha]
        )
        conn.execute("delete from raw.parsed_items")


def test_one_failing_year_leaves_the_others_and_reruns_to_a_clean_backfill(tmp_path: Path) -> None:
    sources_file = _replay(tmp_path / "replay")
    clean = Settings(home=tmp_path / "clean", sources_file=sources_file)
    clean_instance = dg.DagsterInstance.ephemeral()
    _fetch(clean, clean_instance)
    years = _years(clean)
    assert years == YEARS
    assert all(_backfill(clean, clean_instance, years).values())
    expected = _tables(clean)

    damaged = Settings(home=tmp_path / "damaged", sources_file=sources_file)
    (tmp_path / "dagster").mkdir()
    with dg.DagsterInstance.local_temp(str(tmp_path / "dagster")) as instance:
        _fetch(damaged, instance)
        failing = years[1]
        sha, body = _one_payload_of(damaged, failing)
        _set_payload(damaged, sha, b"not zlib")
        outcome = _backfill(damaged, instance, years)
        assert outcome == {year: year != failing for year in years}
        shown = instance.get_materialized_partitions(RAW_RELEASES)
        assert shown == set(years) - {failing}
        with duckdb.connect(str(damaged.warehouse_path), read_only=True) as conn:
            assert conn.execute(
                "select count(*) from raw.releases where year(partition_date) = ?", [int(failing)]
            ).fetchone() == (0,)  # nothing half-written
        others = _tables(damaged)["raw.releases"]
        assert others == [
            row for row in expected["raw.releases"] if str(row[10].year) != failing
        ]  # partition_date

        _set_payload(damaged, sha, body)  # the payload repaired
        for _ in range(2):  # the rerun is idempotent
            assert _backfill(damaged, instance, [failing]) == {failing: True}
            assert _tables(damaged) == expected
        assert instance.get_materialized_partitions(RAW_RELEASES) == set(years)
