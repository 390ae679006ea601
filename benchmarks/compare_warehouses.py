"""Do two warehouses hold the same rows? Row-for-row comparison of chosen tables.

    .venv/bin/python benchmarks/compare_warehouses.py BEFORE.duckdb AFTER.duckdb \
        [--tables intermediate.int_event_mentions_clustered,marts.fct_events,...]

Each table is compared as a multiset (``except all`` both ways, on the columns both files
share); prints the row counts and the rows only one side holds, and exits 1 on any difference.
Used to check that a rewritten model gives the rows the old one gave.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

TABLES = (
    "intermediate.int_event_mentions_clustered",
    "intermediate.int_events_deduplicated",
    "marts.fct_events",
    "marts.fct_event_releases",
    "marts.fct_appearances",
)


def compare(before: Path, after: Path, tables: list[str]) -> list[str]:
    """One line per table: its row counts and how many rows differ (none: identical)."""
    conn = duckdb.connect()
    conn.execute(f"attach '{before}' as before (read_only)")
    conn.execute(f"attach '{after}' as after (read_only)")
    lines = []
    for table in tables:
        schema, name = table.split(".")
        columns = [
            row[0]
            for row in conn.execute(
                "select column_name from duckdb_columns() where database_name = 'before'"
                " and schema_name = ? and table_name = ? order by column_index",
                [schema, name],
            ).fetchall()
        ]
        listed = ", ".join(f'"{column}"' for column in columns)
        counts = [
            conn.execute(f"select count(*) from {side}.{table}").fetchone()[0]
            for side in ("before", "after")
        ]
        only = [
            conn.execute(
                f"select count(*) from (select {listed} from {first}.{table}"
                f" except all select {listed} from {second}.{table})"
            ).fetchone()[0]
            for first, second in (("before", "after"), ("after", "before"))
        ]
        verdict = "identical" if only == [0, 0] and counts[0] == counts[1] else "DIFFERENT"
        lines.append(
            f"{table}: {counts[0]} rows before, {counts[1]} after;"
            f" only before {only[0]}, only after {only[1]}: {verdict}"
        )
    conn.close()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--tables", default=",".join(TABLES))
    args = parser.parse_args()
    lines = compare(args.before, args.after, args.tables.split(","))
    print("\n".join(lines))
    sys.exit(0 if all(line.endswith("identical") for line in lines) else 1)


if __name__ == "__main__":
    main()
