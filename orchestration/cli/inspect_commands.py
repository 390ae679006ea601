"""`status`, `query` and `export`: read what the pipeline left, never write the warehouse."""

from __future__ import annotations

import argparse

from orchestration.cli.errors import UserError
from orchestration.cli.output import Output
from orchestration.settings import Settings


def cmd_status(args: argparse.Namespace, settings: Settings, output: Output) -> int:
    from orchestration.summary import print_summary

    if not settings.warehouse.is_lake and not settings.warehouse_path.exists():
        raise UserError(
            f"no warehouse yet in {settings.home}",
            "run `pressroom run` first (or pass the --home that holds it)",
        )
    print_summary(settings)
    return 0


def cmd_query(args: argparse.Namespace, settings: Settings, output: Output) -> int:
    from orchestration.cli.query import output_result, run_query
    from orchestration.cli.validate import output_file, writing

    target = output_file(args.output, f"rows.{args.format}") if args.output else None
    if args.format == "parquet" and target is None:
        raise UserError("--format parquet writes a file", "add --output FILE.parquet")
    _columns, table = run_query(settings.published, args.sql)
    if table is None:
        output.stage("the statement returned no result set")
        return 0
    if target is None:
        output_result(table, args.format, target, args.limit)
    else:
        with writing(target):
            output_result(table, args.format, target, args.limit)
    if target is not None:
        output.stage(f"wrote {table.num_rows} rows to {target}")
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings, output: Output) -> int:
    from orchestration.warehouse.export import export_parquet

    if not settings.warehouse.is_lake and not settings.published_path.is_file():
        raise UserError(
            f"no published warehouse at {settings.published_path}",
            "run `pressroom run` first (or pass the --home that holds it)",
        )
    for path in export_parquet(settings.published, settings.exports_dir):
        print(path)
    return 0
