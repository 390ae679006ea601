"""`run`, `ingest-dump`, `backfill`: validate, launch the pipeline, report progress and result."""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path

from orchestration.cli.errors import EXIT_FAILED, UserError
from orchestration.cli.instance import prepare
from orchestration.cli.output import Output
from orchestration.cli.validate import check_sources, check_window
from orchestration.settings import Settings
from orchestration.warehouse.published import describe

LOCKED = "is locked by another process"
LOCKED_HINT = (
    "another process has it open read-write: wait for it or stop it; "
    "readers should open the published copy"
)


def _launch(
    settings: Settings,
    output: Output,
    command: str,
    *,
    fetch_config: dict | None = None,
    window: tuple[date, date] | None = None,
) -> int:
    """Run the pipeline with its noise in a log file and its events as progress lines."""
    from orchestration.cli.events import listening
    from orchestration.cli.progress import RunProgress, dbt_node_count
    from orchestration.summary import print_summary

    log_path = settings.home / "logs" / f"{command}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text("", encoding="utf-8")
    with output.captured(log_path):
        prepare(settings)
        progress = RunProgress(output, dbt_node_count())
        from orchestration.pipeline import run_pipeline
        from orchestration.window import Window

        with listening(progress):
            try:
                result = run_pipeline(settings, fetch_config=fetch_config,
                                      window=Window(*window) if window else None,
                                      notify=output.stage)
            finally:
                progress.finish()
    for warning in result.warnings:
        output.warn(warning)
    if result.published:
        output.stage(f"✓ published {describe(settings.published)}")
    if not any(LOCKED in failure for failure in result.failures):  # else it would wait too
        print_summary(settings)
    _raise_on_failure(result, progress, settings, log_path)
    return 0


def _raise_on_failure(result, progress, settings: Settings, log_path: Path) -> None:
    """Turn a failed run into one plain error (the failing checks listed above it)."""
    if any(LOCKED in line for line in result.failures):
        raise UserError(f"{settings.warehouse_path} {LOCKED}", LOCKED_HINT, exit_code=EXIT_FAILED)
    if result.failures:
        for failure in result.failures:
            progress.output.err.print(f"  - {failure}", markup=False, highlight=False)
        window = f" of {result.window}" if result.window else ""
        raise UserError(
            f"build{window} stopped; the published warehouse was left unchanged",
            f"full log: {log_path}",
            exit_code=EXIT_FAILED,
        )
    if result.nothing_fetched and progress.fetch.get("rejected"):
        raise UserError(
            f"no source delivered anything ({progress.fetch['rejected']} rejected; "
            "`pressroom status` lists them)",
            f"check the network and the sources file; full log: {log_path}",
            exit_code=EXIT_FAILED,
        )
    if result.nothing_fetched:
        progress.output.stage("nothing fetched: no source or dump had a release")


def cmd_run(args: argparse.Namespace, settings: Settings, output: Output) -> int:
    if check_sources(settings.sources_file) == 0:
        raise UserError(
            f"no enabled source or dump in {settings.sources_file}",
            "set `enabled: true` on a source, or use `pressroom ingest-dump`",
        )
    return _launch(settings, output, "run")


def cmd_ingest_dump(args: argparse.Namespace, settings: Settings, output: Output) -> int:
    path = Path(args.file).expanduser().resolve()
    if not path.is_file():
        raise UserError(
            f"dump file {path} does not exist"
            if not path.exists()
            else f"dump file {path} is not a file",
            "pass the text dump's path",
        )
    check_sources(settings.sources_file)
    config = {
        "include_sources": False,
        "dump_path": str(path),
        "dump_as_of": args.as_of.isoformat(),
    }
    return _launch(settings, output, "ingest-dump", fetch_config=config)


def cmd_backfill(args: argparse.Namespace, settings: Settings, output: Output) -> int:
    check_window(args.start, args.end)
    check_sources(settings.sources_file)
    return _launch(settings, output, "backfill", window=(args.start, args.end + timedelta(days=1)))


def cmd_reprocess(args: argparse.Namespace, settings: Settings, output: Output) -> int:
    from orchestration.reprocess import reprocess

    if args.start and args.end:
        check_window(args.start, args.end)
    if not settings.warehouse.is_lake and not settings.warehouse_path.exists():
        raise UserError(f"no warehouse at {settings.warehouse_path}", "run `pressroom run` first")
    check_sources(settings.sources_file)
    return reprocess(
        settings,
        lambda settings, window: _launch(settings, output, "reprocess", window=window),
        start=args.start,
        end=args.end,
        dry_run=args.dry_run,
    )
