"""The end-of-run summary: rows per table, rejections, where the files are."""

from __future__ import annotations

from orchestration.settings import Settings
from orchestration.sources.text import terminal_safe
from orchestration.warehouse.connection import open_warehouse
from orchestration.warehouse.quarantine import quarantined
from orchestration.warehouse.target import DuckLake


def _has_quarantine(conn) -> bool:
    return bool(conn.execute("select count(*) from information_schema.tables "
                             "where table_schema = 'raw' and table_name = 'quarantine' "
                             "and table_catalog = current_database()"
                             ).fetchone()[0])


def print_summary(settings: Settings) -> None:
    target = settings.warehouse
    if not target.is_lake and not settings.warehouse_path.exists():
        print(f"no warehouse yet at {settings.warehouse_path}")
        return
    with open_warehouse(target, read_only=True) as conn:
        tables = conn.execute("""
            select table_schema, table_name from information_schema.tables
            where table_schema in ('raw', 'marts') and table_type = 'BASE TABLE'
              and table_catalog = current_database()
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
        held = quarantined(conn) if _has_quarantine(conn) else []
    print(f"rejected items: {sum(row[2] for row in rejected)}")
    for source, reason, count, example in rejected:
        print(f"  {terminal_safe(source):<18} {reason:<22} {count:>4}  "
              f"e.g. {terminal_safe(example)}")
    print(f"quarantined releases: {len(held)}"
          + (" (released when their days are rebuilt: pressroom backfill)" if held else ""))
    for release_id, day, check, reason, _at in held:
        print(f"  {day}  {terminal_safe(release_id, 60):<40} {check:<28} {terminal_safe(reason)}")
    if isinstance(target, DuckLake):
        print(f"warehouse (writers):     {target.describe()}")
        print(f"published (read-only):   {_lake_publication(target)}")
        return
    print(f"warehouse (writer):      {settings.warehouse_path}")
    published = settings.published_path
    print(f"published (read-only):   {published}{'' if published.exists() else ' (not yet)'}")


def _lake_publication(lake: DuckLake) -> str:
    from orchestration.warehouse.lake import NotPublishedError
    from orchestration.warehouse.published import lake_publication

    try:
        snapshot, at = lake_publication(lake)
    except NotPublishedError:
        return "no snapshot published yet"
    return f"DuckLake snapshot {snapshot} (published {at:%Y-%m-%d %H:%M:%S} UTC)"
