"""The ``pressroom`` command: run the pipeline, ingest a dump, backfill, inspect, query, export."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR, Settings, export_environment, load_settings

DAGSTER_YAML = """\
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
"""


def _prepare(args: argparse.Namespace) -> Settings:
    if getattr(args, "home", None):
        os.environ["PRESSROOM_HOME"] = args.home
    if getattr(args, "sources", None):
        os.environ["PRESSROOM_SOURCES"] = args.sources
    settings = load_settings()
    export_environment(settings)
    settings.home.mkdir(parents=True, exist_ok=True)
    dagster_home = settings.dagster_home  # the Dagster instance lives in PRESSROOM_HOME too
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    dagster_home.mkdir(parents=True, exist_ok=True)
    if not (dagster_home / "dagster.yaml").exists():
        (dagster_home / "dagster.yaml").write_text(DAGSTER_YAML, encoding="utf-8")
    ensure_dbt_manifest()
    return settings


def _newest_mtime(root: Path) -> float:
    newest = 0.0
    for folder in ("models", "macros", "seeds", "tests", "snapshots"):
        for path in (root / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return max(newest, (root / "dbt_project.yml").stat().st_mtime)


def ensure_dbt_manifest() -> None:
    """Parse the dbt project when its manifest is missing or older than the project files."""
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    if manifest.exists() and manifest.stat().st_mtime >= _newest_mtime(DBT_PROJECT_DIR):
        return
    dbt = Path(sys.executable).parent / "dbt"
    environment = {"PRESSROOM_DUCKDB_PATH": str(load_settings().warehouse_path),
                   "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **os.environ}
    completed = subprocess.run(
        [str(dbt), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR)],
        capture_output=True, text=True, check=False, env=environment,
    )
    if completed.returncode != 0:
        raise SystemExit(f"dbt parse failed:\n{completed.stdout}\n{completed.stderr}")


def _run_jobs(settings: Settings, run_config: dict | None = None,
              window: tuple[date, date] | None = None) -> int:
    from orchestration.pipeline import run_pipeline

    return run_pipeline(settings, fetch_config=run_config, window=window)


def cmd_run(args: argparse.Namespace) -> int:
    settings = _prepare(args)
    return _run_jobs(settings)


def cmd_ingest_dump(args: argparse.Namespace) -> int:
    settings = _prepare(args)
    path = Path(args.file).resolve()
    if not path.is_file():
        print(f"error: {path} does not exist", file=sys.stderr)
        return 2
    config = {"include_sources": False, "dump_path": str(path),
              "dump_as_of": date.fromisoformat(args.as_of).isoformat()}
    return _run_jobs(settings, run_config=config)


def cmd_backfill(args: argparse.Namespace) -> int:
    from datetime import timedelta

    settings = _prepare(args)
    start, end = date.fromisoformat(args.start), date.fromisoformat(args.end)
    if end < start:
        print("error: --end is before --start", file=sys.stderr)
        return 2
    return _run_jobs(settings, window=(start, end + timedelta(days=1)))


def cmd_reprocess(args: argparse.Namespace) -> int:
    from orchestration.reprocess import reprocess

    settings = _prepare(args)
    start = date.fromisoformat(args.start) if args.start else None
    end = date.fromisoformat(args.end) if args.end else None
    return reprocess(settings, lambda s, window: _run_jobs(s, window=window),
                     start=start, end=end, dry_run=args.dry_run)


def cmd_status(args: argparse.Namespace) -> int:
    from orchestration.summary import print_summary

    settings = _prepare(args)
    print_summary(settings)
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    import duckdb

    settings = _prepare(args)
    if not settings.published_path.exists():
        print(f"error: no published warehouse at {settings.published_path}; run `pressroom run`",
              file=sys.stderr)
        return 2
    conn = duckdb.connect(str(settings.published_path), read_only=True)
    try:
        conn.sql(args.sql).show(max_rows=args.limit)
    finally:
        conn.close()
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from orchestration.warehouse.export import export_parquet

    settings = _prepare(args)
    for path in export_parquet(settings.published_path, settings.exports_dir):
        print(path)
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    _prepare(args)
    workspace = Path(__file__).resolve().parent.parent / "workspace.yaml"
    dagster = Path(sys.executable).parent / "dagster"
    return subprocess.call([str(dagster), "dev", "-h", "127.0.0.1", "-p", str(args.port),
                            "-w", str(workspace)])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pressroom", description=__doc__)
    parser.add_argument("--home", help="data directory (default: $PRESSROOM_HOME or ./data)")
    parser.add_argument("--sources", help="sources YAML (default: the bundled sample)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="fetch, extract, model, check and publish (default: sample)"
                        ).set_defaults(func=cmd_run)
    dump = commands.add_parser("ingest-dump", help="ingest a text dump and build downstream")
    dump.add_argument("file")
    dump.add_argument("--as-of", required=True, help="date that resolves year-less dates")
    dump.set_defaults(func=cmd_ingest_dump)
    backfill = commands.add_parser("backfill", help="rebuild a date range from kept payloads")
    backfill.add_argument("--start", required=True)
    backfill.add_argument("--end", required=True, help="inclusive")
    backfill.set_defaults(func=cmd_backfill)
    reprocess = commands.add_parser(
        "reprocess", help="re-extract partitions an older extractor version made")
    reprocess.add_argument("--start", help="first partition date (default: the first)")
    reprocess.add_argument("--end", help="last partition date, inclusive (default: the last)")
    reprocess.add_argument("--dry-run", action="store_true", help="only list stale partitions")
    reprocess.set_defaults(func=cmd_reprocess)
    commands.add_parser("status", help="row counts and rejections").set_defaults(func=cmd_status)
    query = commands.add_parser("query", help="run SQL on the published warehouse (read-only)")
    query.add_argument("sql")
    query.add_argument("--limit", type=int, default=40)
    query.set_defaults(func=cmd_query)
    commands.add_parser("export", help="export marts to Parquet").set_defaults(func=cmd_export)
    ui = commands.add_parser("ui", help="open the Dagster UI on 127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=cmd_ui)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    started = time.monotonic()
    code = args.func(args)
    if args.command in {"run", "ingest-dump", "backfill", "reprocess"}:
        print(f"finished in {time.monotonic() - started:.1f} s (exit {code})")
    return code


if __name__ == "__main__":
    sys.exit(main())
