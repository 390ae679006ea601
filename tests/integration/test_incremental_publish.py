"""The incremental publish: a copy of the previous published file with only the changed
slices replaced holds, after every kind of run, exactly what a full copy holds; a publish
stopped midway (timed out, killed, or failed while the file copy runs in its thread) leaves the
old copy and no staging file; readers of the old copy see it unchanged; tables fingerprinted
in one query get the fingerprints they get one by one."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.deadlines import StepTimeoutError
from orchestration.warehouse.fingerprints import (
    Changes,
    Manifest,
    fingerprint,
    fingerprint_tables,
)
from orchestration.warehouse.publish import publish_copy

pytestmark = pytest.mark.timeout(180)

DAYS = 60


def _build(path: Path) -> None:
    """A warehouse shaped like pressroom's: partitioned raw tables with texts, writer-only
    tables, an intermediate table, marts keyed by their first column, a small dim, a view."""
    with duckdb.connect(str(path)) as conn:
        for schema in ("raw", "intermediate", "marts", "staging"):
            conn.execute(f"create schema {schema}")
        conn.execute(f"""create table raw.releases as
            select 'src:' || range as release_id, 1 as version,
                   'Title ' || range as title, repeat('body text ', 20 + range % 7) as body_text,
                   date '2024-01-01' + (range % {DAYS})::int as partition_date
            from range(3000)""")
        conn.execute("""create table raw.person_mentions as
            select 'm' || range as mention_id, 'src:' || (range % 3000) as release_id,
                   'Person ' || (range % 40) as full_name, partition_date
            from range(4500) join (select release_id, partition_date from raw.releases)
              on release_id = 'src:' || (range % 3000)""")
        conn.execute(
            "create table raw.quarantine (release_id varchar, reason varchar, partition_date date)"
        )
        conn.execute(
            "create table raw.http_responses as select 'sha' as payload_sha256, 'payload' as body"
        )
        conn.execute("create table raw.fetched_items as select * from raw.releases")
        conn.execute("create table intermediate.int_releases_latest as select * from raw.releases")
        conn.execute("""create table marts.fct_releases as
            select release_id, title, body_text, partition_date as published_date,
                   length(body_text) as word_count from raw.releases""")
        conn.execute("""create table marts.dim_people as
            select distinct full_name as person_id, count(*) over (partition by full_name)
                   as mention_count from raw.person_mentions""")
        conn.execute("create view staging.stg_releases as select * from raw.releases")


def _remake_marts(conn: duckdb.DuckDBPyConnection) -> None:
    """What dbt does: incremental facts merged by key, dims rebuilt whole."""
    conn.execute("""create or replace table marts.fct_releases as
        select release_id, title, body_text, partition_date as published_date,
               length(body_text) as word_count from raw.releases""")
    conn.execute("""create or replace table marts.dim_people as
        select distinct full_name as person_id, count(*) over (partition by full_name)
               as mention_count from raw.person_mentions""")


def _new_day(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("""insert into raw.releases select 'src:new' || range, 1, 'New ' || range,
        'fresh text', date '2024-03-15' from range(15)""")
    conn.execute("""insert into raw.person_mentions select 'mnew' || range,
        'src:new' || range, 'Newcomer', date '2024-03-15' from range(15)""")
    _remake_marts(conn)


def _moved_release(conn: duckdb.DuckDBPyConnection) -> None:
    # a re-fetched release whose date was corrected: a new version on another day
    conn.execute("""insert into raw.releases select release_id, 2, title, 'corrected text',
        date '2024-02-20' from raw.releases where release_id = 'src:7'""")
    conn.execute("delete from raw.releases where release_id = 'src:7' and version = 1")
    conn.execute(
        "update raw.person_mentions set partition_date = date '2024-02-20' "
        "where release_id = 'src:7'"
    )
    _remake_marts(conn)


def _reprocess(conn: duckdb.DuckDBPyConnection) -> None:
    # a window rebuilt from kept payloads by a newer extractor: its mentions all change
    conn.execute("""update raw.person_mentions set full_name = upper(full_name)
        where partition_date between date '2024-01-10' and date '2024-01-20'""")
    _remake_marts(conn)


def _quarantine(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("""insert into raw.quarantine select release_id, 'empty text', partition_date
        from raw.releases where release_id in ('src:11', 'src:12')""")
    # a held release whose day is unknown: the null slice
    conn.execute("insert into raw.quarantine values ('src:x', 'no day', null)")
    for table in ("releases", "person_mentions"):
        conn.execute(f"delete from raw.{table} where release_id in ('src:11', 'src:12')")
    _remake_marts(conn)


def _new_column(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("alter table marts.dim_people add column is_official boolean default false")
    conn.execute("create table marts.fct_new as select 1 as fact_id")


def _dropped_table(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("drop table marts.fct_new")


STEPS = [_new_day, _moved_release, _reprocess, _quarantine, _new_column, _dropped_table]


def _tables(path: Path) -> dict[str, list[tuple[str, str]]]:
    with duckdb.connect(str(path), read_only=True) as conn:
        names = conn.execute(
            "select schema_name || '.' || table_name from duckdb_tables() order by all"
        ).fetchall()
        return {
            name: conn.execute(
                "select column_name, data_type from duckdb_columns() "
                "where schema_name || '.' || table_name = ? order by column_index",
                [name],
            ).fetchall()
            for (name,) in names
        }


def _same_content(incremental: Path, full: Path) -> None:
    """Same schemas, tables, columns and types, and the same rows (as multisets)."""
    assert _tables(incremental) == _tables(full)
    with duckdb.connect() as conn:
        conn.execute(f"attach '{incremental}' as inc (read_only)")
        conn.execute(f"attach '{full}' as ful (read_only)")
        schemas = [
            conn.execute(
                "select schema_name from duckdb_schemas() where "
                f"database_name = '{name}' and not internal order by all"
            ).fetchall()
            for name in ("inc", "ful")
        ]
        assert schemas[0] == schemas[1]
        for name in _tables(full):
            schema, table = name.split(".")
            for left, right in (("inc", "ful"), ("ful", "inc")):
                extra = conn.execute(
                    f'select count(*) from (select * from {left}."{schema}".'
                    f'"{table}" except all select * from {right}."{schema}".'
                    f'"{table}")'
                ).fetchone()[0]
                assert extra == 0, f"{name}: {extra} rows in {left} not in {right}"
        assert (
            conn.execute(
                "select tags['storage_version'] from duckdb_databases() where database_name = 'inc'"
            ).fetchone()[0]
            == "v1.5.0+"
        )


def test_every_kind_of_run_publishes_incrementally_what_a_full_copy_holds(
    tmp_path: Path,
) -> None:
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "pub" / "pressroom.duckdb"
    _build(warehouse)
    first = publish_copy(warehouse, published)
    assert first.mode == "full" and first.reason == "no previous published copy"
    for step in STEPS:
        with duckdb.connect(str(warehouse)) as conn:
            step(conn)
        done = publish_copy(warehouse, published)
        assert done.mode == "incremental", (step.__name__, done.reason)
        full = publish_copy(warehouse, tmp_path / step.__name__ / "full.duckdb", incremental=False)
        assert full.mode == "full"
        _same_content(published, full.path)
    tables = _tables(published)
    assert "raw.http_responses" not in tables and "raw.fetched_items" not in tables
    assert not any(name.startswith("intermediate.") for name in tables)
    assert "staging.stg_releases" not in tables


def test_a_new_day_replaces_only_its_slices(tmp_path: Path) -> None:
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "pub" / "pressroom.duckdb"
    _build(warehouse)
    publish_copy(warehouse, published)
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("""insert into raw.releases select 'src:new', 1, 'New', 'text',
            date '2024-03-15'""")
    done = publish_copy(warehouse, published)
    assert (done.mode, done.tables_rewritten, done.slices_replaced) == ("incremental", [], 1)
    unchanged = publish_copy(warehouse, published)
    assert (unchanged.tables_rewritten, unchanged.slices_replaced) == ([], 0)


def test_without_its_manifest_the_previous_copy_is_fingerprinted(tmp_path: Path) -> None:
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "pub" / "pressroom.duckdb"
    _build(warehouse)
    publish_copy(warehouse, published)
    Manifest.path_for(published).unlink()
    with duckdb.connect(str(warehouse)) as conn:
        _new_day(conn)
    done = publish_copy(warehouse, published)
    assert done.mode == "incremental"
    _same_content(
        published, publish_copy(warehouse, tmp_path / "full.duckdb", incremental=False).path
    )


def test_a_stale_manifest_is_not_trusted(tmp_path: Path) -> None:
    # the manifest of another file (a crash between the two renames) must not be used
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "pub" / "pressroom.duckdb"
    _build(warehouse)
    publish_copy(warehouse, published)
    stale = Manifest.path_for(published).read_text()
    with duckdb.connect(str(warehouse)) as conn:
        _new_day(conn)
    publish_copy(warehouse, published)
    Manifest.path_for(published).write_text(stale)
    assert Manifest.read_for(published) is None
    with duckdb.connect(str(warehouse)) as conn:
        _quarantine(conn)
    publish_copy(warehouse, published)
    _same_content(
        published, publish_copy(warehouse, tmp_path / "full.duckdb", incremental=False).path
    )


def test_a_previous_copy_in_another_storage_format_gets_a_full_copy(tmp_path: Path) -> None:
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "pub" / "pressroom.duckdb"
    _build(warehouse)
    published.parent.mkdir()
    with duckdb.connect(str(published)) as conn:  # DuckDB's default format, not v1.5.0
        conn.execute("create table t as select 1 as n")
    done = publish_copy(warehouse, published)
    assert done.mode == "full" and "storage format" in done.reason
    _same_content(
        published, publish_copy(warehouse, tmp_path / "full.duckdb", incremental=False).path
    )


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _grow(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("""create table marts.big as select range as n, md5(range::varchar) as h,
                        md5((range * 7)::varchar) as g from range(2000000)""")


def test_a_timed_out_incremental_publish_leaves_the_old_copy(tmp_path: Path) -> None:
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "pub" / "pressroom.duckdb"
    _build(warehouse)
    publish_copy(warehouse, published)
    before = _digest(published)
    _grow(warehouse)
    with pytest.raises(StepTimeoutError, match="copying the warehouse"):
        publish_copy(warehouse, published, timeout_s=0.05)
    assert _digest(published) == before
    assert not list(published.parent.glob("*.next*"))
    assert publish_copy(warehouse, published).mode == "incremental"  # the manifest still fits


PUBLISH_IN_A_CHILD = """
import sys
from pathlib import Path
from orchestration.warehouse.publish import publish_copy
publish_copy(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def test_a_publish_killed_midway_leaves_the_old_copy_and_the_next_one_works(
    tmp_path: Path,
) -> None:
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "pub" / "pressroom.duckdb"
    _build(warehouse)
    publish_copy(warehouse, published)
    before = _digest(published)
    _grow(warehouse)
    child = subprocess.Popen(
        [sys.executable, "-c", PUBLISH_IN_A_CHILD, str(warehouse), str(published)]
    )
    staging = published.with_name(published.name + ".next")
    deadline = time.monotonic() + 60
    while not staging.exists() and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.01)
    assert staging.exists(), "the child never started writing the next copy"
    child.kill()
    child.wait()
    assert _digest(published) == before
    with duckdb.connect(str(published), read_only=True) as conn:
        assert "marts.big" not in {
            row[0]
            for row in conn.execute(
                "select schema_name || '.' || table_name from duckdb_tables()"
            ).fetchall()
        }
    done = publish_copy(warehouse, published)
    assert done.mode == "incremental" and done.tables_rewritten == ["marts.big"]
    with duckdb.connect(str(published), read_only=True) as conn:
        assert conn.execute("select count(*) from marts.big").fetchone()[0] == 2_000_000


def test_a_reader_of_the_old_copy_is_not_disturbed(tmp_path: Path) -> None:
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "pub" / "pressroom.duckdb"
    _build(warehouse)
    publish_copy(warehouse, published)
    before = _digest(published)
    reader = duckdb.connect(str(published), read_only=True)
    try:
        count = reader.execute("select count(*) from raw.releases").fetchone()[0]
        old_file = published.with_name("held")
        old_file.hardlink_to(published)  # the inode the reader holds
        with duckdb.connect(str(warehouse)) as conn:
            _new_day(conn)
        assert publish_copy(warehouse, published).mode == "incremental"
        assert reader.execute("select count(*) from raw.releases").fetchone()[0] == count
        assert _digest(old_file) == before  # the old file was only read, never written
    finally:
        reader.close()
    with duckdb.connect(str(published), read_only=True) as fresh:
        assert fresh.execute("select count(*) from raw.releases").fetchone()[0] == count + 15


def _published_then_a_new_day(tmp_path: Path) -> tuple[Path, Path]:
    """A warehouse published once, then given a new day: (warehouse, published file)."""
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "pub" / "pressroom.duckdb"
    _build(warehouse)
    publish_copy(warehouse, published)
    with duckdb.connect(str(warehouse)) as conn:
        _new_day(conn)
    return warehouse, published


def test_a_failed_audit_publishes_nothing_and_reads_the_warehouse_under_its_plain_names(
    tmp_path: Path,
) -> None:
    warehouse, published = _published_then_a_new_day(tmp_path)
    before = _digest(published)
    seen: list[int] = []

    def refuse(conn: duckdb.DuckDBPyConnection, changes: Changes) -> bool:
        seen.append(conn.execute("select count(*) from raw.releases").fetchone()[0])
        return False

    assert publish_copy(warehouse, published, audit=refuse) is None
    assert seen == [3015]  # the audit saw the warehouse under its plain names
    assert _digest(published) == before
    assert not list(published.parent.glob("*.next*"))
    done = publish_copy(warehouse, published, audit=lambda conn, changes: True)
    assert done is not None and done.mode == "incremental"


def test_the_audit_runs_beside_the_copy_which_is_published_only_once_it_passed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.warehouse import publish

    warehouse, published = _published_then_a_new_day(tmp_path)
    synced = threading.Event()
    sync = publish._sync

    def sync_and_tell(*args, **kwargs) -> None:
        sync(*args, **kwargs)
        synced.set()

    monkeypatch.setattr(publish, "_sync", sync_and_tell)
    seen: list[bool] = []

    def wait_for_the_copy(conn: duckdb.DuckDBPyConnection, changes: Changes) -> bool:
        seen.append(synced.wait(30))  # the slices were replaced while the audit ran
        with duckdb.connect(str(published), read_only=True) as reader:  # not swapped in yet
            seen.append(reader.execute("select count(*) from raw.releases").fetchone()[0] == 3000)
        return True

    done = publish_copy(warehouse, published, audit=wait_for_the_copy)
    assert done is not None and done.mode == "incremental" and done.slices_replaced > 0
    assert seen == [True, True]
    with duckdb.connect(str(published), read_only=True) as reader:
        assert reader.execute("select count(*) from raw.releases").fetchone()[0] == 3015


def test_a_refusing_audit_stops_the_copy(tmp_path: Path) -> None:
    """A full copy waits for the audit (nothing is copied); an incremental one, written beside
    the audit, stops before its next table or in the statement it is running."""
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "pub" / "pressroom.duckdb"
    _build(warehouse)
    with duckdb.connect(str(warehouse)) as conn:  # a table that takes a second to copy
        conn.execute("""create table marts.big as select range as id,
            repeat(md5(range::varchar), 20) as text from range(300000)""")
    started = time.monotonic()
    assert publish_copy(warehouse, published, audit=lambda conn, changes: False) is None
    refused_s = time.monotonic() - started
    assert not published.exists() and not list(published.parent.glob("*.next*"))
    started = time.monotonic()
    assert publish_copy(warehouse, published).mode == "full"
    copied_s = time.monotonic() - started
    assert refused_s < copied_s / 2, (refused_s, copied_s)

    before = _digest(published)
    with duckdb.connect(str(warehouse)) as conn:  # a new table: the incremental copy adds it
        conn.execute("create table marts.bigger as select * from marts.big")
    started = time.monotonic()
    assert publish_copy(warehouse, published, audit=lambda conn, changes: False) is None
    refused_s = time.monotonic() - started
    assert _digest(published) == before and not list(published.parent.glob("*.next*"))
    started = time.monotonic()
    done = publish_copy(warehouse, published)
    assert done.mode == "incremental" and "marts.bigger" in done.tables_rewritten
    copied_s = time.monotonic() - started
    assert refused_s < 0.7 * copied_s, (refused_s, copied_s)


def test_an_audit_that_fails_leaves_the_published_copy_and_no_staging_file(
    tmp_path: Path,
) -> None:
    warehouse, published = _published_then_a_new_day(tmp_path)
    before = _digest(published)

    def broken(conn: duckdb.DuckDBPyConnection, changes: Changes) -> bool:
        raise RuntimeError("the audit broke")

    with pytest.raises(RuntimeError, match="the audit broke"):
        publish_copy(warehouse, published, audit=broken)
    assert _digest(published) == before
    assert not list(published.parent.glob("*.next*"))


SAMPLE_CONFIG = Path(__file__).resolve().parents[2] / "orchestration/sources/sample/sources.yaml"


def test_real_raw_runs_publish_incrementally_what_a_full_copy_holds(tmp_path: Path) -> None:
    """The raw layer's own writers (dumps stored, windows rebuilt and extracted, releases
    quarantined): a full load, a new day, releases moved to a later day, a reprocess of a
    window and a quarantine, each published incrementally and compared with a full copy."""
    from datetime import UTC, date, datetime

    from orchestration.sources.collect import collect_dump
    from orchestration.sources.config import DumpConfig, load_sources
    from orchestration.sources.runner import collect_dumps, known_labels
    from orchestration.warehouse.mentions import (
        extract_batches,
        latest_releases,
        replace_mentions,
    )
    from orchestration.warehouse.raw_store import store_collected
    from orchestration.warehouse.releases import rebuild_releases
    from orchestration.warehouse.schema import ensure_raw_schema

    warehouse, published = tmp_path / "warehouse.duckdb", tmp_path / "pub" / "pressroom.duckdb"
    sources = load_sources(SAMPLE_CONFIG)
    labels = known_labels(sources)
    day = date(2023, 11, 22)

    def build(start: date, end: date) -> None:
        with duckdb.connect(str(warehouse)) as conn:
            rebuild_releases(conn, {}, start, end, now=datetime(2024, 1, 1, tzinfo=UTC))
            batches = extract_batches(latest_releases(conn, start, end), processes=1)
            replace_mentions(conn, start, end, batches)

    def load_dump(path: Path, as_of: date, run: str) -> None:
        collected = collect_dump(path, DumpConfig(path=str(path), as_of=as_of), {"osce": "OSCE"})
        with duckdb.connect(str(warehouse)) as conn:
            store_collected(conn, collected, run)

    def published_like_a_full_copy(step: str, changed: bool = True) -> None:
        done = publish_copy(warehouse, published)
        assert done is not None and done.mode == "incremental", (step, done)
        assert bool(done.slices_replaced or done.tables_rewritten) == changed, (step, done)
        full = publish_copy(warehouse, tmp_path / step / "full.duckdb", incremental=False)
        assert full is not None
        _same_content(published, full.path)

    with duckdb.connect(str(warehouse)) as conn:
        ensure_raw_schema(conn)
        for number, collected in enumerate(collect_dumps(sources.dumps, SAMPLE_CONFIG, labels)):
            store_collected(conn, collected, f"dump-{number}")
    build(day, date(2023, 11, 23))
    assert publish_copy(warehouse, published).mode == "full"

    text = tmp_path / "new_day.txt"
    text.write_text(
        "OSCE chair visits Vienna\n\nSource: OSCE\n\nThe chair met ministers in Vienna on Monday.",
        encoding="utf-8",
    )
    load_dump(text, date(2023, 11, 24), "new-day")
    build(date(2023, 11, 24), date(2023, 11, 25))
    published_like_a_full_copy("new_day")

    later = date(2023, 11, 25)  # the sample dump again, on a later day: its releases move
    repeat = DumpConfig(path=sources.dumps[0].path, as_of=later)
    with duckdb.connect(str(warehouse)) as conn:
        for collected in collect_dumps([repeat], SAMPLE_CONFIG, labels):
            store_collected(conn, collected, "moved")
    build(later, date(2023, 11, 26))
    published_like_a_full_copy("moved")

    # a reprocess from kept payloads rewrites the window's rows; the same rows come back
    # (here over rows an older extractor left), so nothing is published again
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute(
            "update raw.person_mentions set extractor_version = 'older' where partition_date = ?",
            [later],
        )
    build(later, date(2023, 11, 26))
    published_like_a_full_copy("reprocess", changed=False)

    oversized = tmp_path / "oversized.txt"
    oversized.write_text(
        "A release far too long\n\nSource: OSCE\n\n" + "word " * 220_000, encoding="utf-8"
    )
    load_dump(oversized, date(2023, 11, 27), "quarantine")
    build(date(2023, 11, 27), date(2023, 11, 28))
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert conn.execute("select count(*) from raw.quarantine").fetchone()[0] == 1
    published_like_a_full_copy("quarantine")


def _reader_names(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return conn.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = 'w' order by all"
    ).fetchall()


def test_tables_fingerprinted_in_one_query_get_their_own_fingerprints(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    _build(warehouse)
    with duckdb.connect(str(warehouse)) as conn:
        _new_day(conn)
        _quarantine(conn)  # a null slice too
    with duckdb.connect() as conn:
        conn.execute(f"attach '{warehouse}' as w (read_only)")
        tables = _reader_names(conn)
        together = fingerprint_tables(conn, "w", tables)
        assert list(together) == [f"{schema}.{table}" for schema, table in tables]
        for schema, table in tables:  # each table's rows went to that table
            assert together[f"{schema}.{table}"] == fingerprint(conn, "w", schema, table)
            alone = conn.execute(
                f'select count(*), sum(hash(t))::varchar from w."{schema}"."{table}" as t'
            ).fetchone()
            prints = together[f"{schema}.{table}"]
            assert prints.rows == alone[0]
            assert sum(int(total) for _, total in prints.slices.values()) == int(alone[1] or 0)
        # slice keys as earlier versions wrote them in manifests (Python's text of the value)
        days = conn.execute("select distinct partition_date from w.raw.quarantine").fetchall()
        assert set(together["raw.quarantine"].slices) == {
            "null" if day is None else str(day) for (day,) in days
        }
        buckets = conn.execute(
            "select distinct hash(release_id) % 1024 from w.marts.fct_releases"
        ).fetchall()
        assert set(together["marts.fct_releases"].slices) == {str(key) for (key,) in buckets}
        # a table dropped since it was listed fails the whole query, naming it
        with pytest.raises(LookupError, match=r"w\.raw\.gone is gone"):
            fingerprint_tables(conn, "w", [*tables[:3], ("raw", "gone"), *tables[3:]])
        assert fingerprint_tables(conn, "w", []) == {}


def test_a_publish_that_fails_while_the_file_copy_runs_leaves_no_staging_file(
    tmp_path: Path,
) -> None:
    # the previous file is copied in a thread from the start; a publish that fails at once
    # (here the warehouse is gone) must wait for that copy before removing what it made
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "pub" / "pressroom.duckdb"
    _build(warehouse)
    _grow(warehouse)
    publish_copy(warehouse, published)  # a previous copy big enough to take a while
    before = _digest(published)
    missing = tmp_path / "missing.duckdb"
    threads = threading.active_count()
    for _ in range(3):
        with pytest.raises(duckdb.Error):
            publish_copy(missing, published)
        assert threading.active_count() == threads  # the copy was waited for, not left running
        assert not list(published.parent.glob("*.next*"))
        assert _digest(published) == before
