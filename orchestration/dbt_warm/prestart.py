"""Start the waiting dbt process for a home (`server`), early in a pipeline run, and stop it
when the run is over if no build used it."""

from __future__ import annotations

import atexit
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

from orchestration.dbt_warm.launcher import address, dbt_executable
from orchestration.warehouse.dbt_command import dbt_parse_args
from orchestration.warehouse.target import WarehouseTarget

LAUNCHER = Path(sys.executable).with_name("pressroom-dbt")

_lock = threading.Lock()
_waiting: dict[str, subprocess.Popen[bytes]] = {}  # by address (target directory)
_stopped_at_exit = False


def dbt_command() -> Path:
    """What dagster-dbt should run as ``dbt``: the launcher, when installed."""
    return LAUNCHER if LAUNCHER.exists() else dbt_executable()


def dbt_environment(target_dir: Path, project_dir: Path) -> dict[str, str]:
    """What dagster-dbt adds to a dbt process's environment that dbt's parse depends on
    (`orchestration.defs.resources.DbtResource` gives dbt the same directories)."""
    return {
        "DBT_TARGET_PATH": str(target_dir),
        "DBT_LOG_PATH": str(target_dir),
        "DBT_PROFILES_DIR": str(project_dir),
        "DBT_PROJECT_DIR": str(project_dir),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "PYTHONUNBUFFERED": "1",
    }


def start(
    target_dir: Path, project_dir: Path, warehouse: WarehouseTarget | str
) -> subprocess.Popen[bytes] | None:
    """Start a dbt process for ``target_dir``'s next build: it imports dbt and parses the
    project now, on the other core, while the run fetches. Without the ``pressroom-dbt``
    launcher installed, does nothing (dagster-dbt then runs ``dbt`` as usual). Returns the
    waiting process (a second call for the same directory returns the first's, if it waits)."""
    global _stopped_at_exit
    if not LAUNCHER.exists():
        return None
    config = {
        "parse_args": dbt_parse_args(warehouse),
        "cwd": str(project_dir),
        "parent": os.getpid(),
        "niceness": os.getpriority(os.PRIO_PROCESS, 0),
    }
    where = address(str(target_dir))
    with _lock:
        waiting = _waiting.get(where)
        if waiting is not None and waiting.poll() is None:
            return waiting
        if not _stopped_at_exit:
            atexit.register(stop)
            _stopped_at_exit = True
        listener = _listening(where)
        if listener is None:
            return None
        with listener:
            config["listener"] = listener.fileno()
            waiting = _waiting[where] = _spawned(config, target_dir, project_dir)
        return waiting


def _listening(where: str) -> socket.socket | None:
    """The waiting process's socket, listening before it starts: a launcher that comes
    first waits in its queue. None: another process already listens there."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(where)
        listener.listen(1)
    except OSError:
        listener.close()
        return None
    return listener


def _spawned(config: dict, target_dir: Path, project_dir: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "orchestration.dbt_warm.server", json.dumps(config)],
        env={**os.environ, **dbt_environment(target_dir, project_dir)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # its own process group, so that a Ctrl-C reaches it through the launcher only;
        # the same session, so that Linux's autogroup scheduling counts it as ours
        process_group=0,
        pass_fds=[config["listener"]],
    )


def stop() -> None:
    """Kill the waiting processes no build took (one that served a build has exited)."""
    with _lock:
        waiting = list(_waiting.values())
        _waiting.clear()
    for process in waiting:
        if process.poll() is None:
            process.kill()
        process.wait()
