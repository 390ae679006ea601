"""``pressroom-dbt``: run a dbt command in the waiting dbt process, or as ``dbt`` itself.

dagster-dbt starts this in place of ``dbt``. It connects to the address of the dbt target
directory it was given (``DBT_TARGET_PATH``), hands over its standard streams, command,
working directory and environment, and exits with dbt's exit code. Signals it receives
(dagster-dbt's SIGINT on cancel) are passed on; if it is killed, the dbt process sees its
connection close and stops too. It exits once the dbt process has (and closed the warehouse),
as a ``dbt`` process of its own would. With no process waiting, it replaces itself with ``dbt``.

Standard library only, imported by nothing heavy: it starts in tens of milliseconds.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import sys
from pathlib import Path
from typing import NoReturn

STARTED = "started"
EXITED = "exit"


def address(target_dir: str) -> str:
    """The waiting process's address for one dbt target directory (one per home): a Linux
    abstract socket, so nothing is left on disk and no path is too long."""
    digest = hashlib.sha256(os.path.realpath(target_dir).encode()).hexdigest()[:32]
    return f"\0pressroom-dbt-{digest}"


def dbt_executable() -> Path:
    """The ``dbt`` installed beside this Python."""
    return Path(sys.executable).with_name("dbt")


def _become_dbt() -> NoReturn:
    dbt = dbt_executable()
    os.execv(dbt, [str(dbt), *sys.argv[1:]])


def _connected(target_dir: str) -> socket.socket | None:
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(address(target_dir))
    except OSError:
        connection.close()
        return None
    return connection


def _hand_over(connection: socket.socket) -> None:
    request = {"args": sys.argv[1:], "cwd": os.getcwd(), "env": dict(os.environ)}
    socket.send_fds(connection, [b"R"], [0, 1, 2])
    connection.sendall(json.dumps(request).encode() + b"\n")


def _forward_signals(pid: int) -> None:
    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, forward)


def main() -> NoReturn:
    """The console script."""
    target_dir = os.environ.get("DBT_TARGET_PATH", "")
    connection = _connected(target_dir) if target_dir else None
    if connection is None:
        _become_dbt()
    with connection, connection.makefile("rb") as replies:
        try:
            _hand_over(connection)
            started = json.loads(replies.readline() or "null")
        except OSError:
            started = None
        if not started or STARTED not in started:
            # the waiting process stopped before it began this command: nothing has run
            connection.close()
            _become_dbt()
        _forward_signals(int(started[STARTED]))
        finished = json.loads(replies.readline() or "null")
        replies.read()  # its end closes when the process has exited: dbt's files are closed
    if not finished or EXITED not in finished:
        print(
            f"pressroom-dbt: the dbt process (pid {started[STARTED]}) ended before reporting "
            "how its command ended",
            file=sys.stderr,
        )
        sys.exit(2)
    sys.exit(int(finished[EXITED]))


if __name__ == "__main__":
    main()
