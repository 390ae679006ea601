"""The warehouse's descriptions reach the published copy as DuckDB comments (what BI tools
show), are written whole on a full copy, carried over by an incremental one, and written
again only for what a publish rewrote; the real project's manifest gives the marts theirs."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.defs.transform.project import dbt_project
from orchestration.warehouse.descriptions import TableDocs, apply_comments, from_manifest
from orchestration.warehouse.publish import publish_copy

DOCS = {
    ("marts", "fct_things"): TableDocs(
        "Grain: one row per thing.", {"thing_id": "The thing's id.", "label": "It's name."}
    ),
    ("marts", "dim_kinds"): TableDocs("Grain: one row per kind.", {"kind_id": "A kind."}),
    ("marts", "not_in_the_warehouse"): TableDocs("Gone.", {"x": "Gone too."}),
}


def _build(path: Path) -> None:
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema marts")
        conn.execute(
            "create table marts.fct_things as "
            "select range as thing_id, 'thing ' || range as label, range % 3 as kind_id "
            "from range(500)"
        )
        conn.execute("create table marts.dim_kinds as select range as kind_id from range(3)")


def _comments(path: Path) -> set[tuple[str, str, str]]:
    with duckdb.connect(str(path), read_only=True) as conn:
        tables = conn.execute(
            "select table_name, '', comment from duckdb_tables() where comment is not null"
        ).fetchall()
        columns = conn.execute(
            "select table_name, column_name, comment from duckdb_columns() "
            "where comment is not null"
        ).fetchall()
    return set(tables) | set(columns)


EXPECTED = {
    ("fct_things", "", "Grain: one row per thing."),
    ("fct_things", "thing_id", "The thing's id."),
    ("fct_things", "label", "It's name."),
    ("dim_kinds", "", "Grain: one row per kind."),
    ("dim_kinds", "kind_id", "A kind."),
}


def test_a_publish_comments_the_copy_and_then_only_what_it_rewrote(tmp_path: Path) -> None:
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "pub" / "pressroom.duckdb"
    _build(warehouse)

    first = publish_copy(warehouse, published, descriptions=DOCS)
    assert (first.mode, first.comments_written) == ("full", 5)
    assert _comments(published) == EXPECTED
    assert _comments(warehouse) == set()  # the writer's file is not touched

    again = publish_copy(warehouse, published, descriptions=DOCS)
    assert (again.mode, again.comments_written) == ("incremental", 0)
    assert _comments(published) == EXPECTED

    with duckdb.connect(str(warehouse)) as conn:  # a dim rebuilt with another shape
        conn.execute("create or replace table marts.dim_kinds as select 1 as kind_id, 2 as n")
    rewritten = publish_copy(warehouse, published, descriptions=DOCS)
    assert rewritten.tables_rewritten == ["marts.dim_kinds"]
    assert rewritten.comments_written == 2
    assert _comments(published) == EXPECTED


def test_a_changed_description_is_written_over_the_old_one(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    _build(database)
    with duckdb.connect(str(database)) as conn:
        assert apply_comments(conn, "w", DOCS) == 5
        changed = {**DOCS, ("marts", "dim_kinds"): TableDocs("Grain: one row per kind (v2).")}
        assert apply_comments(conn, "w", changed) == 1
        assert apply_comments(conn, "w", changed) == 0


def test_the_projects_manifest_describes_the_marts_and_the_raw_sources() -> None:
    docs = from_manifest(Path(dbt_project.manifest_path))
    for table in ("fct_releases", "fct_events", "fct_appearances", "dim_people"):
        assert docs[("marts", table)].description.startswith("Grain")
        assert docs[("marts", table)].columns
    assert ("raw", "releases") in docs
    assert ("staging", "countries") in docs  # a seed
