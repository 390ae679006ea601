"""The waiting dbt process: ``python -m orchestration.dbt_warm.server CONFIG``.

It is handed its socket already listening (a launcher arriving early waits for it rather
than starting a dbt of its own), then imports dbt-core and runs ``dbt parse`` with the
build's project, profile, target directory and vars, its logs off: dbt's first invocation
in a process sets up what later ones reuse, and the parse refreshes the partial-parse state
the build then reads. It serves one command, from a launcher of the same user, with that
launcher's streams, directory and environment, and exits with it. Unused, it exits when its
parent does.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import struct
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from orchestration.dbt_warm.launcher import EXITED, STARTED

STARTED_AT = time.monotonic()
RECORD = "warm-dbt.json"
POLL_S = 1.0  # how often an unused process looks for its parent
# The warm-up yields the CPU to the run it is preparing for (2 cores: the run's own process
# and the GX worker's import already compete for them)
WARM_UP_NICENESS = 10


def _warm_up(parse_args: Sequence[str], cwd: str) -> None:
    """Import dbt and parse the project (in the environment the parent gave this process);
    a failure here is the build's to report."""
    os.chdir(cwd)
    from dbt.cli.main import dbtRunner

    quiet = ["--log-level", "none", "--log-level-file", "none", "--no-write-json"]
    dbtRunner().invoke([*quiet, "parse", *parse_args])


def _same_user(connection: socket.socket) -> bool:
    """An abstract socket is open to every local user: serve only our own."""
    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
    _pid, uid, _gid = struct.unpack("3i", credentials)
    return uid == os.getuid()


def _accepted(listener: socket.socket, parent: int) -> socket.socket | None:
    listener.settimeout(POLL_S)
    while os.getppid() == parent:
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            continue
        if _same_user(connection):
            connection.settimeout(None)
            return connection
        connection.close()
    return None


def _stop_when_dropped(connection: socket.socket, done: threading.Event) -> None:
    """A launcher that is killed (a deadline, a cancelled run) closes its end: dbt stops
    as it would had it been killed itself."""
    connection.recv(1)
    if not done.is_set():
        os._exit(137)


def _restore_priority(niceness: int) -> None:
    """Back to the parent's priority for the build, where allowed (lowering a niceness needs
    CAP_SYS_NICE). Where not, the build keeps it: under Linux's autogroup scheduling it then
    yields only to its own session's processes, which wait for it."""
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, 0, niceness)


def _close_warehouse() -> None:
    """Close dbt-duckdb's database now (its checkpoint: what dbt-duckdb does at exit)."""
    with contextlib.suppress(ImportError):
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager

        DuckDBConnectionManager.close_all_connections()


def exit_code(result: Any) -> int:
    """dbt's own exit codes: 0 success, 1 a node failed, 2 dbt itself failed."""
    if result.success:
        return 0
    return 2 if result.exception is not None else 1


def _record(target_dir: Path, warmed_up: float) -> None:
    """``warm-dbt.json`` beside dbt's log: which process ran the build, and whether the build
    waited for its warm-up (``served_after_s`` close to ``warm_up_s``) or not."""
    record = {
        "pid": os.getpid(),
        "warm_up_s": round(warmed_up - STARTED_AT, 3),
        "served_after_s": round(time.monotonic() - STARTED_AT, 3),
    }
    with contextlib.suppress(OSError):
        (target_dir / RECORD).write_text(json.dumps(record) + "\n", encoding="utf-8")


def _serve(connection: socket.socket, warmed_up: float) -> None:
    _, streams, _, _ = socket.recv_fds(connection, 1, 3)
    with connection.makefile("rb") as lines:
        request = json.loads(lines.readline())
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    for number, stream in enumerate(streams):
        os.dup2(stream, number)
        os.close(stream)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    done = threading.Event()
    threading.Thread(target=_stop_when_dropped, args=(connection, done), daemon=True).start()
    try:
        connection.sendall(json.dumps({STARTED: os.getpid()}).encode() + b"\n")
    except OSError:  # the launcher is gone already: nothing to run
        return
    _record(Path(request["env"].get("DBT_TARGET_PATH") or "."), warmed_up)
    from dbt.cli.main import dbtRunner

    code = exit_code(dbtRunner().invoke(list(request["args"])))
    _close_warehouse()
    logging.shutdown()  # dbt's file log
    sys.stdout.flush()
    sys.stderr.flush()
    done.set()
    connection.sendall(json.dumps({EXITED: code}).encode() + b"\n")
    # everything is written and closed: skip tearing down dbt's objects (~0.2 s), and the
    # launcher and dagster-dbt see this process's end at once
    os._exit(code)


def main(argv: Sequence[str]) -> None:
    """Listen, warm up, serve one command (see the module's docstring)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a parent ignoring it passes that on
    config = json.loads(argv[0])
    listener = socket.socket(fileno=config["listener"])  # bound and listening (prestart)
    os.nice(WARM_UP_NICENESS)
    _warm_up(config["parse_args"], config["cwd"])
    warmed_up = time.monotonic()
    connection = _accepted(listener, config["parent"])
    listener.close()
    if connection is not None:
        _restore_priority(config["niceness"])
        _serve(connection, warmed_up)  # exits the process


if __name__ == "__main__":
    main(sys.argv[1:])
