"""The command line: global options before or after the subcommand, an example for each command."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from orchestration.cli.errors import EXIT_USAGE
from orchestration.cli.query import FORMATS
from orchestration.cli.validate import iso_date, port_number, positive_int

DESCRIPTION = """\
pressroom: institutions' press releases into a DuckDB warehouse.

The pipeline (run, ingest-dump, backfill) prints one line per stage and a summary;
Dagster's and dbt's own output goes to $PRESSROOM_HOME/logs/<command>.log (-v shows it).
"""
EPILOG = """\
examples:
  pressroom run                                   the bundled sample, offline
  pressroom query "select title from fct_releases limit 5"
  pressroom report report.html                    one page of charts, works offline
  pressroom --home /srv/pressroom --sources sources.yaml run -q
"""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is two plain lines (what, and where to read more)."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"error: {message}\n  see `{self.prog} --help`\n")
        raise SystemExit(EXIT_USAGE)


def _global_options(parser: argparse.ArgumentParser, *, default: object) -> None:
    """The options every command takes; ``default=SUPPRESS`` on subcommands so that a value
    given before the subcommand is not reset by the subcommand's parser."""
    group = parser.add_argument_group("global options (before or after the command)")
    group.add_argument(
        "--home",
        metavar="DIR",
        default=default,
        help="data directory (default: $PRESSROOM_HOME, else ./data)",
    )
    group.add_argument(
        "--sources",
        metavar="FILE",
        default=default,
        help="sources YAML (default: $PRESSROOM_SOURCES, else the bundled sample)",
    )
    flag = False if default is None else default
    group.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=flag,
        help="show Dagster's and dbt's own output",
    )
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=flag,
        help="print only results (the summary, query rows) and errors",
    )


def _command(commands, name: str, help_text: str, example: str, func) -> argparse.ArgumentParser:
    sub = commands.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _global_options(sub, default=argparse.SUPPRESS)
    sub.set_defaults(func=func)
    return sub


def build_parser() -> argparse.ArgumentParser:
    from orchestration.cli import inspect_commands, pipeline_commands, serve_commands

    parser = Parser(
        prog="pressroom",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _global_options(parser, default=None)
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=Parser
    )
    _command(
        commands,
        "run",
        "fetch every enabled source, build what changed, check, publish",
        "pressroom run",
        pipeline_commands.cmd_run,
    )
    dump = _command(
        commands,
        "ingest-dump",
        "load a text dump (Title / Source: X / body) and build what it touched",
        "pressroom ingest-dump dump.txt --as-of 2023-11-22",
        pipeline_commands.cmd_ingest_dump,
    )
    dump.add_argument("file", help="the text dump")
    dump.add_argument(
        "--as-of",
        required=True,
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="the dump's date: its partition, and the year for year-less dates",
    )
    backfill = _command(
        commands,
        "backfill",
        "rebuild a range of days from kept payloads (nothing is refetched), check, publish",
        "pressroom backfill --start 2023-10-01 --end 2023-10-31",
        pipeline_commands.cmd_backfill,
    )
    backfill.add_argument(
        "--start",
        required=True,
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="first day (UTC publication date)",
    )
    backfill.add_argument(
        "--end", required=True, type=iso_date, metavar="YYYY-MM-DD", help="last day, included"
    )
    reprocess = _command(
        commands,
        "reprocess",
        "list partitions an older extractor version made (stale) and re-extract them "
        "from kept payloads, check, publish",
        "pressroom reprocess --start 2023-10-01 --end 2023-10-31 --dry-run",
        pipeline_commands.cmd_reprocess,
    )
    reprocess.add_argument(
        "--start", type=iso_date, metavar="YYYY-MM-DD", help="first day (default: the first)"
    )
    reprocess.add_argument(
        "--end", type=iso_date, metavar="YYYY-MM-DD", help="last day, included (default: the last)"
    )
    reprocess.add_argument("--dry-run", action="store_true", help="only list stale partitions")
    _command(
        commands,
        "status",
        "rows per table, rejected items, where the files are",
        "pressroom status",
        inspect_commands.cmd_status,
    )
    query = _command(
        commands,
        "query",
        "run SQL on the published warehouse (read-only; schema "
        "marts is on the search path; no file, network or extension access)",
        'pressroom query "select source, count(*) from fct_releases group by 1" --format csv',
        inspect_commands.cmd_query,
    )
    query.add_argument("sql", help="one SQL query (quote it)")
    query.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table (terminal, default), csv, json (an array of objects) or "
        "parquet (needs --output)",
    )
    query.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    query.add_argument(
        "--limit",
        type=positive_int,
        default=40,
        metavar="N",
        help="rows shown by --format table (default 40; other formats: all)",
    )
    _command(
        commands,
        "export",
        "write every mart table as Parquet to $PRESSROOM_HOME/exports",
        "pressroom export",
        inspect_commands.cmd_export,
    )
    report = _command(
        commands,
        "report",
        "write a one-page HTML report of the published "
        "warehouse (charts, map, network, data quality; works offline)",
        "pressroom report report.html",
        serve_commands.cmd_report,
    )
    report.add_argument("out", metavar="OUT.html", help="the page to write")
    report.add_argument(
        "--as-of",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="'upcoming' means from this day on (default: today, UTC)",
    )
    ui = _command(
        commands,
        "ui",
        "the Dagster UI and its daemon on 127.0.0.1 (graph, partitions, backfills, checks); "
        "prints a link whose backfill dialog selects the years that hold data; Ctrl-C stops it",
        "pressroom ui --port 3000",
        serve_commands.cmd_ui,
    )
    ui.add_argument(
        "--port", type=port_number, default=3000, help="port on 127.0.0.1 (default 3000)"
    )
    docs = _command(
        commands,
        "docs",
        "build the dbt docs of the warehouse (offline) and serve them on 127.0.0.1",
        "pressroom docs --port 8580",
        serve_commands.cmd_docs,
    )
    docs.add_argument(
        "--port", type=port_number, default=8580, help="port on 127.0.0.1 (default 8580)"
    )
    docs.add_argument("--no-serve", action="store_true", help="only build; print the page's path")
    return parser
