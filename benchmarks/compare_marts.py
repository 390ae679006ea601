"""Two warehouses' marts, row for row: the check behind an incremental dbt change.

    .venv/bin/python benchmarks/compare_marts.py LEFT.duckdb RIGHT.duckdb [--ignore fetched_at]

Compares every table of schema ``marts`` (names, columns, then every row, as sorted
multisets) in two DuckDB files, for instance the published warehouses of two homes that
loaded the same feeds with two checkouts (main and a branch), or a warehouse after a
windowed run and a copy of it rebuilt with ``dbt build --full-refresh``. Clock columns
(``--ignore``, default ``fetched_at``: when a home fetched an item) are left out, as two
homes fetch at different times. Prints one line per table; exits 1 on any difference.

How it was used for the incremental intermediate models (docs/performance.md): for each of
main (a `git archive` tree run with this venv) and the branch, a fresh home, a full run,
a copy of `published/pressroom.duckdb`, then a second run (the sample) or a new day (10,000:
benchmarks/corpus.py's `write_new_day`); both published copies compared across trees; then
the branch's `warehouse.duckdb` against a copy rebuilt with `dbt build --full-refresh`
(``--ignore ""``: every column).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb


def mart_tables(conn: duckdb.DuckDBPyConnection, alias: str) -> dict[str, list[str]]:
    """Table name -> column names (in order) of schema marts in the attached ``alias``."""
    rows = conn.execute(
        "select table_name, column_name from information_schema.columns"
        " where table_catalog = ? and table_schema = 'marts' order by table_name, ordinal_position",
        [alias],
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


def compare(left: Path, right: Path, ignore: set[str]) -> list[str]:
    """One line per table, prefixed ``ok`` or ``DIFF``."""
    conn = duckdb.connect()
    conn.execute(f"attach '{left}' as lhs (read_only)")
    conn.execute(f"attach '{right}' as rhs (read_only)")
    left_tables, right_tables = mart_tables(conn, "lhs"), mart_tables(conn, "rhs")
    lines = []
    for table in sorted(set(left_tables) | set(right_tables)):
        if left_tables.get(table) != right_tables.get(table):
            lines.append(
                f"DIFF {table}: columns {left_tables.get(table)} != {right_tables.get(table)}"
            )
            continue
        columns = ", ".join(f'"{column}"' for column in left_tables[table] if column not in ignore)
        counts = []
        for first, second in (("lhs", "rhs"), ("rhs", "lhs")):
            counts.append(
                conn.execute(
                    f"select count(*) from (select {columns} from {first}.marts.{table}"
                    f" except all select {columns} from {second}.marts.{table})"
                ).fetchone()[0]
            )
        total = conn.execute(f"select count(*) from lhs.marts.{table}").fetchone()[0]
        verdict = "ok" if counts == [0, 0] else "DIFF"
        lines.append(
            f"{verdict} {table}: {total} rows; only left {counts[0]}, only right {counts[1]}"
        )
    conn.close()
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("left", type=Path)
    parser.add_argument("right", type=Path)
    parser.add_argument("--ignore", default="fetched_at", help="comma-separated clock columns")
    args = parser.parse_args()
    lines = compare(args.left, args.right, {name for name in args.ignore.split(",") if name})
    print("\n".join(lines))
    return 1 if any(line.startswith("DIFF") for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
