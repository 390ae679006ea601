"""`pressroom query`: read-only, marts on the search path, no file/extension access (issue 11.5),
and the output formats."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import duckdb
import pyarrow.parquet as parquet
import pytest

from orchestration.cli import main
from orchestration.cli.errors import UserError
from orchestration.cli.query import run_query


@pytest.fixture
def published(tmp_path: Path) -> Path:
    path = tmp_path / "home" / "published" / "pressroom.duckdb"
    path.parent.mkdir(parents=True)
    conn = duckdb.connect(str(path))
    conn.execute("create schema marts")
    conn.execute(
        "create table marts.fct_releases as select * from (values "
        "('nato:1', 'NATO', 'A title, with a comma', date '2023-10-02', ['x', 'y']), "
        "('europol:2', 'Europol', repeat('long text ', 40), null, [])) "
        "as t(release_id, source_name, title, published_date, tags)"
    )
    conn.close()
    path.chmod(0o444)
    return path


ESCAPES = {
    "read a local file": "select * from read_csv('/etc/passwd')",
    "read a local text": "select * from read_text('/etc/hostname')",
    "glob the file system": "select * from glob('/etc/*')",
    "copy to a file": "copy (select 1 as n) to '{tmp}/copied.csv'",
    "copy a table to a file": "copy marts.fct_releases to '{tmp}/table.parquet' (format parquet)",
    "export the database": "export database '{tmp}/exported'",
    "attach another file": "attach '{tmp}/other.duckdb' as other",
    "install an extension": "install httpfs",
    "load an extension": "load httpfs",
    "re-enable external access": "set enable_external_access = true",
    "unlock the configuration": "set lock_configuration = false",
    "write to the warehouse": "create table marts.evil as select 1",
    "delete rows": "delete from marts.fct_releases",
}


@pytest.mark.parametrize("sql", ESCAPES.values(), ids=ESCAPES.keys())
def test_query_cannot_leave_the_warehouse(published: Path, tmp_path: Path, sql: str) -> None:
    with pytest.raises(UserError, match="query failed"):
        run_query(published, sql.format(tmp=tmp_path))
    assert sorted(path.name for path in tmp_path.iterdir()) == ["home"]
    assert run_query(published, "select count(*) as n from fct_releases")[1].to_pylist() == [
        {"n": 2}
    ]


def test_unqualified_names_resolve_to_marts(published: Path) -> None:
    columns, table = run_query(published, "select release_id from fct_releases order by 1")
    assert columns == ["release_id"]
    assert table.column("release_id").to_pylist() == ["europol:2", "nato:1"]


def test_csv_json_and_parquet_formats(
    published: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = str(published.parents[1])
    sql = "select release_id, title, published_date, tags from fct_releases order by 1"
    assert main(["query", sql, "--format", "csv", "--home", home]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[1] == {
        "release_id": "nato:1",
        "title": "A title, with a comma",
        "published_date": "2023-10-02",
        "tags": '["x", "y"]',
    }
    assert main(["--home", home, "query", sql, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[1]["tags"] == ["x", "y"]
    target = tmp_path / "out.parquet"
    assert main(["query", sql, "--format", "parquet", "-o", str(target), "--home", home]) == 0
    assert parquet.read_table(target).num_rows == 2


def test_table_format_keeps_wide_text(published: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = str(published.parents[1])
    assert (
        main(
            [
                "--home",
                home,
                "query",
                "select title from fct_releases where release_id = 'europol:2'",
            ]
        )
        == 0
    )
    folded = re.sub(r"[\s│┃]", "", capsys.readouterr().out)  # wrapped, never cut
    assert folded.count("longtext") == 40
