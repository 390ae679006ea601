"""The end-of-run summary: rows per table, rejections, where the files are."""

from __future__ import annotations

from orchestration.settings import Settings
from orchestration.warehouse.connection import open_warehouse


def print_summary(settings: Settings) -> None:
    if not settings.warehouse_path.exists():
        print(f"no warehouse yet at {settings.warehouse_path}")
        return
    with open_warehouse(settings.warehouse_path, read_only=True) as conn:
        tables = conn.execute("""
            select table_schema, table_name from information_schema.tables
            where table_schema in ('raw', 'marts') and table_type = 'BASE TABLE'
            order by table_schema, table_name
        """).fetchall()
        print("rows per table:")
        for schema, table in tables:
            count = conn.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
            print(f"  {schema + '.' + table:<32} {count:>8}")
        rejected = conn.execute("""
            select source, reason, count(*) as n, min(locator) as example
            from raw.rejected_items group by all order by source, reason
        """).fetchall()
    print(f"rejected items: {sum(row[2] for row in rejected)}")
    for source, reason, count, example in rejected:
        print(f"  {source:<18} {reason:<22} {count:>4}  e.g. {example}")
    print(f"warehouse (writer):      {settings.warehouse_path}")
    published = settings.published_path
    print(f"published (read-only):   {published}{'' if published.exists() else ' (not yet)'}")
