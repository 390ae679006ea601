"""The dbt docs as one static page (manifest and catalog inlined), served on 127.0.0.1 only."""

from __future__ import annotations

import functools
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from orchestration.cli.errors import EXIT_FAILED, UserError
from orchestration.settings import DBT_PROJECT_DIR, Settings

# The page needs inline scripts and styles, and nothing from anywhere else.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'"
)


def build_docs(settings: Settings) -> Path:
    """``dbt docs generate --static`` into ``$PRESSROOM_HOME/dbt_docs``; the catalog (column
    types) comes from a scratch copy of the published warehouse when there is one."""
    target = settings.home / "dbt_docs"
    with tempfile.TemporaryDirectory(prefix="pressroom-docs-") as scratch:
        database = Path(scratch) / "catalog.duckdb"
        if settings.published_path.is_file():
            shutil.copyfile(settings.published_path, database)
            database.chmod(stat.S_IRUSR | stat.S_IWUSR)
        environment = {
            **os.environ,
            "PRESSROOM_DUCKDB_PATH": str(database),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
        completed = subprocess.run(
            [
                str(Path(sys.executable).parent / "dbt"),
                "docs",
                "generate",
                "--static",
                "--quiet",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(target),
            ],
            capture_output=True,
            text=True,
            env=environment,
            check=False,
        )
    if completed.returncode != 0:
        lines = [line for line in (completed.stdout + completed.stderr).splitlines() if line]
        raise UserError(
            f"dbt docs generate failed: {lines[-1] if lines else 'no output'}",
            f"rerun with -v, or run dbt in {DBT_PROJECT_DIR}",
            exit_code=EXIT_FAILED,
        )
    page = target / "index.html"
    shutil.copyfile(target / "static_index.html", page)
    return page


class _DocsHandler(SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


def docs_server(folder: Path, port: int) -> ThreadingHTTPServer:
    """A server for ``folder`` bound to 127.0.0.1 (port 0 picks a free one)."""
    handler = functools.partial(_DocsHandler, directory=str(folder))
    try:
        return ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as error:
        raise UserError(
            f"cannot listen on 127.0.0.1:{port}: {error.strerror}",
            "pick another port with --port",
            exit_code=EXIT_FAILED,
        ) from None


def serve_docs(folder: Path, port: int) -> None:
    server = docs_server(folder, port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
