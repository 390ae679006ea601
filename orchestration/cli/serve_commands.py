"""`report`, `ui` and `docs`: pages for people (a report file, the Dagster UI, the dbt docs)."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

from orchestration.cli.errors import UserError
from orchestration.cli.instance import prepare
from orchestration.cli.output import Output
from orchestration.settings import PROJECT_DIR, Settings


def cmd_report(args: argparse.Namespace, settings: Settings, output: Output) -> int:
    from orchestration.cli.validate import output_file, writing
    from orchestration.report import write_report

    target = output_file(args.out, "report.html")
    if not settings.warehouse.is_lake and not settings.published_path.is_file():
        raise UserError(
            f"no published warehouse at {settings.published_path}",
            "run `pressroom run` first (or pass the --home that holds it)",
        )
    with writing(target):
        write_report(settings, target, as_of=args.as_of)
    output.stage(f"✓ report written: {target}")
    return 0


def _port_free(port: int) -> None:
    """Refuse a port another program listens on before anything starts (`dagster dev` would
    fail after a minute of loading, in a stack trace)."""
    import socket

    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            what = f"cannot listen on 127.0.0.1:{port}: {error.strerror}"
            raise UserError(what, "pick another port with --port") from error


def cmd_ui(args: argparse.Namespace, settings: Settings, output: Output) -> int:
    _port_free(args.port)
    prepare(settings)
    _create_instance_storage(settings)
    tools = Path(sys.executable).parent
    dagster = tools / "dagster"
    # the code server finds dbt on PATH (dagster-dbt's dev-mode project preparation)
    environment = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"}
    from orchestration.cli.ui_links import backfill_page, data_years, year_range

    base = f"http://127.0.0.1:{args.port}"
    output.stage(f"Dagster UI on {base} (Ctrl-C stops it)")
    years = data_years(settings.warehouse_path, settings.first_year)
    if years is not None:
        output.stage(
            f"backfill the years that hold data ({year_range(years)}): open "
            f"{backfill_page(base, years)} and press Materialize…"
        )
    return _serve_until_stopped(
        [
            str(dagster),
            "dev",
            "-h",
            "127.0.0.1",
            "-p",
            str(args.port),
            "-w",
            str(PROJECT_DIR / "workspace.yaml"),
        ],
        environment,
    )


def _create_instance_storage(settings: Settings) -> None:
    """Open the instance once before `dagster dev` starts: on a new home the daemon's threads
    would otherwise race to create the same SQLite tables ("table runs already exists")."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        instance.get_runs(limit=1)


def _serve_until_stopped(command: list[str], environment: dict[str, str]) -> int:
    """Run `dagster dev` until it ends; Ctrl-C or SIGTERM shut it down with its webserver,
    daemon and code server. Its interrupt handler (SIGTERM too) is Python's, which a process
    started in the background by a shell inherits as "ignore": a handler set here first is
    reset to the default in the child, so it can be stopped."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    process = subprocess.Popen(command, env=environment)
    signal.signal(signal.SIGTERM, lambda *_: process.send_signal(signal.SIGINT))
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:  # Ctrl-C reaches the whole group: wait for its shutdown
            continue


def cmd_docs(args: argparse.Namespace, settings: Settings, output: Output) -> int:
    from orchestration.cli.dbt_docs import build_docs, serve_docs

    if not args.no_serve:
        _port_free(args.port)  # before a build that takes a while
    prepare(settings)
    output.stage("building the dbt docs (offline) ...")
    page = build_docs(settings)
    if args.no_serve:
        print(page)
        return 0
    output.stage(f"dbt docs on http://127.0.0.1:{args.port}/ (Ctrl-C stops it)")
    serve_docs(page.parent, args.port)
    return 0
