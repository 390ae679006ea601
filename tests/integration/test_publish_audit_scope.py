"""The publish audit reads only what the last published copy does not already hold: the raw
partition days whose rows differ from it. A bad row on such a day (a new day's, or one a
refused publish left behind) still stops the publish; without the copy's fingerprints every
day is audited."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.quality.audit import AuditResult, audit_warehouse, day_ranges
from orchestration.sources.collect import collect_dump
from orchestration.sources.config import DumpConfig, load_sources
from orchestration.sources.runner import collect_dumps, known_labels
from orchestration.warehouse.fingerprints import Changes, Manifest, fingerprint
from orchestration.warehouse.mentions import extract_batches, latest_releases, replace_mentions
from orchestration.warehouse.publish import publish_copy
from orchestration.warehouse.raw_store import store_collected
from orchestration.warehouse.releases import rebuild_releases
from orchestration.warehouse.schema import ensure_raw_schema

pytestmark = pytest.mark.timeout(300)

SAMPLE_CONFIG = Path(__file__).resolve().parents[2] / "orchestration/sources/sample/sources.yaml"
SAMPLE_DAY = date(2023, 11, 22)
NEW_DAY = date(2023, 11, 24)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """The bundled sample's dump loaded into a real raw layer (rebuilt and extracted)."""
    path = tmp_path / "warehouse.duckdb"
    sources = load_sources(SAMPLE_CONFIG)
    with duckdb.connect(str(path)) as conn:
        ensure_raw_schema(conn)
        for number, collected in enumerate(
            collect_dumps(sources.dumps, SAMPLE_CONFIG, known_labels(sources))
        ):
            store_collected(conn, collected, f"dump-{number}")
    _build(path, SAMPLE_DAY)
    return path


def _build(warehouse: Path, day: date) -> None:
    with duckdb.connect(str(warehouse)) as conn:
        rebuild_releases(conn, {}, day, date.fromordinal(day.toordinal() + 1),
                         now=datetime(2024, 1, 1, tzinfo=UTC))
        end = date.fromordinal(day.toordinal() + 1)
        replace_mentions(conn, day, end,
                         extract_batches(latest_releases(conn, day, end), processes=1))


def _add_day(warehouse: Path, tmp_path: Path, day: date) -> None:
    text = tmp_path / f"{day}.txt"
    text.write_text(
        f"OSCE chair visits Vienna on {day}\n\nSource: OSCE\n\n"
        "The chair met ministers in Vienna on Monday.",
        encoding="utf-8",
    )
    collected = collect_dump(text, DumpConfig(path=str(text), as_of=day), {"osce": "OSCE"})
    with duckdb.connect(str(warehouse)) as conn:
        store_collected(conn, collected, f"day-{day}")
    _build(warehouse, day)


def _publish(warehouse: Path, published: Path) -> tuple[bool, AuditResult]:
    audits: list[AuditResult] = []

    def audit(conn: duckdb.DuckDBPyConnection, changes: Changes) -> bool:
        audits.append(audit_warehouse(conn, ["osce"], changes=changes))
        return audits[-1].passed

    return publish_copy(warehouse, published, audit=audit) is not None, audits[-1]


def test_a_new_day_is_audited_alone_and_a_bad_row_on_it_stops_the_publish(
    warehouse: Path, tmp_path: Path
) -> None:
    published = tmp_path / "pub" / "pressroom.duckdb"
    passed, first = _publish(warehouse, published)
    assert passed and first.scope == "every day" and first.rules > 0
    all_rows = first.rows_validated

    _add_day(warehouse, tmp_path, NEW_DAY)
    passed, new_day = _publish(warehouse, published)
    assert passed, new_day.problems
    assert new_day.scope == f"1 days changed since the last publish ({NEW_DAY} to {NEW_DAY})"
    assert 0 < new_day.rows_validated < all_rows

    with duckdb.connect(str(warehouse)) as conn:  # a bad row on an old day: that day changed
        conn.execute("update raw.releases set title = '' where partition_date = ? and "
                     "release_id = (select min(release_id) from raw.releases "
                     "where partition_date = ?)", [SAMPLE_DAY, SAMPLE_DAY])
    passed, refused = _publish(warehouse, published)
    assert not passed
    assert refused.scope.startswith(f"1 days changed since the last publish ({SAMPLE_DAY}")
    assert any("releases_have_title_and_text" in problem for problem in refused.problems)

    # nothing was published, so the next run's audit still reads that day
    _add_day(warehouse, tmp_path, date(2023, 11, 25))
    passed, later = _publish(warehouse, published)
    assert not passed
    assert later.scope == "2 days changed since the last publish (2023-11-22 to 2023-11-25)"


def test_without_the_copys_manifest_every_day_is_audited(warehouse: Path, tmp_path: Path) -> None:
    published = tmp_path / "pub" / "pressroom.duckdb"
    assert _publish(warehouse, published)[0]
    Manifest.path_for(published).unlink()
    _add_day(warehouse, tmp_path, NEW_DAY)
    passed, result = _publish(warehouse, published)
    assert passed and result.scope == "every day"


def test_a_copy_published_without_the_audit_does_not_spare_any_day(
    warehouse: Path, tmp_path: Path
) -> None:
    published = tmp_path / "pub" / "pressroom.duckdb"
    publish_copy(warehouse, published)  # no audit: what it holds was never audited
    assert not Manifest.read_for(published).audited
    passed, result = _publish(warehouse, published)
    assert passed and result.scope == "every day"
    assert Manifest.read_for(published).audited
    assert _publish(warehouse, published)[1].scope == "0 days changed since the last publish"


def test_nothing_changed_in_raw_audits_nothing(warehouse: Path, tmp_path: Path) -> None:
    published = tmp_path / "pub" / "pressroom.duckdb"
    assert _publish(warehouse, published)[0]
    passed, result = _publish(warehouse, published)
    assert passed
    assert (result.scope, result.rules, result.suites) == (
        "0 days changed since the last publish", 0, 0)


def _print(conn: duckdb.DuckDBPyConnection, table: str):
    return fingerprint(conn, "memory", "raw", table)


def test_changed_days_come_from_the_partitioned_slices() -> None:
    with duckdb.connect() as conn:
        conn.execute("create schema raw")
        conn.execute("""create table raw.releases as select 'r' || range as release_id,
            date '2024-01-01' + (range % 5)::int as partition_date from range(50)""")
        before = {"raw.releases": _print(conn, "releases")}
        conn.execute("update raw.releases set release_id = 'x' where release_id = 'r7'")
        conn.execute("insert into raw.releases values ('n', date '2024-01-09')")
        after = {"raw.releases": _print(conn, "releases")}
        assert Changes(before, after).days(["raw.releases"]) == [
            date(2024, 1, 3), date(2024, 1, 9)]
        assert Changes(None, after).days(["raw.releases"]) is None
        assert Changes({}, after).days(["raw.releases"]) is None  # a table new to the copy
        conn.execute("insert into raw.releases values ('undated', null)")
        undated = {"raw.releases": _print(conn, "releases")}
        assert Changes(after, undated).days(["raw.releases"]) is None
        conn.execute("alter table raw.releases add column title varchar")
        reshaped = {"raw.releases": _print(conn, "releases")}
        assert Changes(undated, reshaped).days(["raw.releases"]) is None


def test_day_ranges_join_consecutive_days_and_cap_their_number() -> None:
    days = [date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 5)]
    assert day_ranges(days) == [(date(2024, 1, 1), date(2024, 1, 3)),
                                (date(2024, 1, 5), date(2024, 1, 6))]
    scattered = [date.fromordinal(date(2024, 1, 1).toordinal() + 2 * n) for n in range(40)]
    last = date.fromordinal(scattered[-1].toordinal() + 1)
    assert day_ranges(scattered) == [(scattered[0], last)]
    assert day_ranges([]) == []
