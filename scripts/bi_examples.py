"""Keep the example queries in docs/bi.md honest: run each on a published sample warehouse and
write its output under it.

Each example is a ```sql block whose first line is ``-- example: <name>``, followed by a
```text block with the output. tests/e2e/test_operator_flow.py checks that the committed
outputs equal what the sample gives; after a change to the sample, models or extractors:

    .venv/bin/pressroom --home /tmp/sample run
    .venv/bin/python scripts/bi_examples.py /tmp/sample/published/pressroom.duckdb   # rewrite
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import duckdb

DOC = Path(__file__).resolve().parents[1] / "docs" / "bi.md"
EXAMPLE = re.compile(r"```sql\n(-- example: [^\n]*\n.*?)```\n\n```text\n(.*?)```", re.S)


def examples(markdown: str) -> list[tuple[str, str]]:
    """(sql, committed output) of every example block."""
    return [(sql, output) for sql, output in EXAMPLE.findall(markdown)]


def render(conn: duckdb.DuckDBPyConnection, sql: str) -> str:
    """Header and rows, columns joined by ' | ', NULL as 'null': stable across terminals."""
    result = conn.execute(sql)
    lines = [" | ".join(column[0] for column in result.description)]
    lines += [
        " | ".join("null" if value is None else str(value) for value in row)
        for row in result.fetchall()
    ]
    return "\n".join(lines) + "\n"


def rewrite(markdown: str, conn: duckdb.DuckDBPyConnection) -> str:
    def replace(match: re.Match[str]) -> str:
        sql = match.group(1)
        return f"```sql\n{sql}```\n\n```text\n{render(conn, sql)}```"

    return EXAMPLE.sub(replace, markdown)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    conn = duckdb.connect(argv[0], read_only=True)
    try:
        DOC.write_text(rewrite(DOC.read_text(encoding="utf-8"), conn), encoding="utf-8")
    finally:
        conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
