"""raw.releases has no key index (a DuckDB checkpoint rewrote it whole after every write);
the blocking rule is what refuses a duplicated (release_id, version), and a warehouse made
with the old keyed table is rebuilt without the key, rows unchanged, once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from orchestration.quality.rules import RULES
from orchestration.warehouse.schema import RAW_TABLES, ensure_raw_schema

DAY = date(2024, 3, 5)
RULE = next(rule for rule in RULES if rule.name == "release_versions_consecutive")


def _insert_release(conn: duckdb.DuckDBPyConnection, release_id: str, version: int,
                    text: str) -> None:
    conn.execute(
        "insert into raw.releases (release_id, version, source, source_name, native_id, title, "
        "body_text, partition_date, is_truncated, content_hash, fetched_at) "
        "values (?, ?, 'nato', 'NATO', ?, 'Title', ?, ?, false, md5(?), now())",
        [release_id, version, release_id, text, DAY, text],
    )


def _keys(conn: duckdb.DuckDBPyConnection) -> int:
    return conn.execute(
        "select count(*) from duckdb_constraints() where schema_name = 'raw' "
        "and table_name = 'releases' and constraint_type = 'PRIMARY KEY'").fetchone()[0]


def test_a_duplicated_release_version_is_refused_by_the_blocking_rule() -> None:
    with duckdb.connect() as conn:
        ensure_raw_schema(conn)
        assert _keys(conn) == 0
        _insert_release(conn, "nato:1", 1, "first text")
        _insert_release(conn, "nato:1", 2, "second text")
        assert RULE.offending_rows(conn, DAY, date(2024, 3, 6)) == []
        _insert_release(conn, "nato:1", 2, "second text, again")
        assert [row[0] for row in RULE.offending_rows(conn, DAY, date(2024, 3, 6))] == ["nato:1"]


def test_a_keyed_releases_table_is_rebuilt_without_its_key_rows_unchanged(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema raw")
        keyed = RAW_TABLES["releases"].rstrip().rstrip() + ",\n primary key (release_id, version)"
        conn.execute(f"create table raw.releases ({keyed})")
        for number in range(50):
            _insert_release(conn, f"nato:{number}", 1, f"text {number}")
        assert _keys(conn) == 1
        before = conn.execute("select count(*), sum(hash(r)) from raw.releases as r").fetchone()
    with duckdb.connect(str(path)) as conn:
        ensure_raw_schema(conn)
        ensure_raw_schema(conn)  # once: the second call finds nothing to do
        assert _keys(conn) == 0
        assert conn.execute(
            "select count(*), sum(hash(r)) from raw.releases as r").fetchone() == before
        assert conn.execute(
            "select count(*) from duckdb_tables() where table_name like 'releases_%'"
        ).fetchone()[0] == 0
