"""`pressroom query`: SQL on the published warehouse through a confined, read-only connection."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import IO, Any

import duckdb

from orchestration.cli.errors import EXIT_FAILED, UserError, first_line
from orchestration.warehouse.published import Published
from orchestration.warehouse.target import DuckLake

FORMATS = ("table", "csv", "json", "parquet")
CONFINED = {  # no files outside the warehouse, no extensions, settings frozen after setup
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


def connect_confined(published: Published) -> duckdb.DuckDBPyConnection:
    """Open the published copy (a DuckLake: its published snapshot) read-only, `marts` first on
    the search path, config locked."""
    if isinstance(published, DuckLake):
        return _confined_lake(published)
    if not published.is_file():
        raise UserError(
            f"no published warehouse at {published}",
            "run `pressroom run` first (or pass the --home that holds it)",
        )
    try:
        conn = duckdb.connect(str(published), read_only=True, config=dict(CONFINED))
    except duckdb.Error as error:
        raise UserError(
            f"cannot open {published}: {first_line(str(error))}", exit_code=EXIT_FAILED
        ) from None
    conn.execute("set search_path = 'marts,main'")
    conn.execute("set lock_configuration = true")
    return conn


def _confined_lake(lake: DuckLake) -> duckdb.DuckDBPyConnection:
    from orchestration.warehouse.lake import NotPublishedError
    from orchestration.warehouse.published import connect_lake_snapshot

    try:
        conn, _snapshot = connect_lake_snapshot(lake, confined=True)
    except NotPublishedError:
        raise UserError(f"no published snapshot in {lake.describe()}",
                        "run `pressroom run` first (its audit publishes one)") from None
    except duckdb.Error as error:
        raise UserError(f"cannot open {lake.describe()}: {first_line(str(error))}",
                        "check PRESSROOM_WAREHOUSE and that PostgreSQL is up",
                        exit_code=EXIT_FAILED) from None
    conn.execute("set search_path = 'marts,main'")
    conn.execute("set lock_configuration = true")
    return conn


def run_query(published: Published, sql: str) -> tuple[list[str], Any]:
    """(column names, Arrow table) of ``sql``; user mistakes become `UserError`."""
    if not sql.strip().strip(";").strip():
        raise UserError("the query is empty", 'pass SQL, e.g. pressroom query "select 1"')
    conn = connect_confined(published)
    try:
        result = conn.execute(sql)
        if result.description is None:
            return [], None
        table = result.fetch_arrow_table()
    except duckdb.Error as error:
        raise UserError(
            f"query failed: {first_line(str(error))}",
            "tables are in schema marts (see docs/warehouse.md)",
            exit_code=EXIT_FAILED,
        ) from None
    finally:
        conn.close()
    return [str(column) for column in table.column_names], table


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)


def write_csv(table: Any, stream: IO[str]) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in table.to_pylist():
        writer.writerow(
            [
                json.dumps(_plain(v), ensure_ascii=False)
                if isinstance(v, list | dict)
                else _plain(v)
                for v in row.values()
            ]
        )


def write_json(table: Any, stream: IO[str]) -> None:
    rows = [{key: _plain(value) for key, value in row.items()} for row in table.to_pylist()]
    json.dump(rows, stream, ensure_ascii=False, indent=1)
    stream.write("\n")


def write_parquet(table: Any, target: Path) -> None:
    import pyarrow.parquet as parquet

    parquet.write_table(table, str(target))


def print_table(table: Any, limit: int) -> None:
    """A terminal table that wraps wide text instead of cutting it."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(highlight=False, soft_wrap=False)
    view = Table(show_lines=False, header_style="bold")
    for name in table.column_names:
        view.add_column(escape(name), overflow="fold")
    rows = table.slice(0, limit).to_pylist()
    for row in rows:
        view.add_row(
            *("" if value is None else escape(str(_plain(value))) for value in row.values())
        )
    console.print(view)
    shown = f"{len(rows)} of {table.num_rows} rows"
    if table.num_rows > limit:
        shown += " (use --limit N, or --format csv|json|parquet for all)"
    Console(stderr=True, highlight=False).print(shown)


def output_result(table: Any, fmt: str, output: Path | None, limit: int) -> None:
    if fmt == "parquet":
        if output is None:
            raise UserError("--format parquet writes a file", "add --output FILE.parquet")
        write_parquet(table, output)
        return
    if fmt == "table":
        if output is not None:
            raise UserError(
                "--format table prints to the terminal",
                "use --format csv, json or parquet with --output",
            )
        print_table(table, limit)
        return
    writer = write_csv if fmt == "csv" else write_json
    if output is None:
        writer(table, sys.stdout)
        return
    with open(output, "w", encoding="utf-8", newline="") as stream:
        writer(table, stream)
