"""A warehouse left with a write-ahead log is opened in a child process first.

DuckDB replays the WAL (``warehouse.duckdb.wal``) an unclean shutdown left when the file is
next opened. A damaged WAL makes that open fail, and a bad enough one could abort the process
that opens it: the first open therefore happens in a child process. If it fails, copies of
the file and its WAL are kept under ``<home>/damaged/<time>/`` (nothing is deleted or
replaced) and the run stops with the recovery steps.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

_PROBE = "import sys, duckdb; duckdb.connect(sys.argv[1]).close()"
PROBE_TIMEOUT_S = 1800  # replaying a large WAL is legitimately slow


class DamagedWarehouseError(RuntimeError):
    """The warehouse file (with its WAL) cannot be opened."""

    def __init__(self, what: str, hint: str) -> None:
        super().__init__(f"{what}\n{hint}")
        self.what = what
        self.hint = hint


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def check_warehouse(path: Path) -> None:
    """Open ``path`` in a child process when it has a WAL; raise DamagedWarehouseError (after
    keeping copies) when that fails. Call while holding the home's lock."""
    wal = _wal(path)
    if not path.exists() or not wal.exists():
        return
    try:
        probe = subprocess.run(
            [sys.executable, "-c", _PROBE, str(path)],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return  # slow, not broken: the run opens it itself
    if probe.returncode == 0:
        return
    lines = [line for line in probe.stderr.splitlines() if line.strip()]
    reason = lines[-1].strip() if lines else f"the opening process died ({probe.returncode})"
    if "Could not set lock" in reason:
        return  # held by another process: the writers' lock handling says so
    kept = path.parent / "damaged" / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept.mkdir(parents=True, exist_ok=True)
    for source in (path, wal):
        shutil.copy2(source, kept / source.name)
    published = path.parent / "published" / "pressroom.duckdb"
    raise DamagedWarehouseError(
        f"{path} cannot be opened: {reason[:300]}",
        f"copies of it and its WAL are in {kept} (nothing was deleted). To recover: move "
        f"{path.name} and {wal.name} aside, then copy {published} in its place (its releases, "
        "mentions and marts; not the kept payloads) or start empty, and `pressroom run` "
        "(docs/reliability.md)",
    )
