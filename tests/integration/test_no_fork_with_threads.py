"""No process forks while holding threads: extraction workers come from a fork server, never
from the pressroom process (which holds DuckDB and Dagster threads).

Regression: on a 10,000-release run the process waited at exit for over five minutes on a
worker blocked on a lock that a thread of the parent held when it forked; the same deadlock
stopped a test-suite run here (a worker forked from pytest, stuck on a futex).
"""

from __future__ import annotations

import os
import threading
from datetime import date
from pathlib import Path

import pytest

from orchestration.extract import ReleaseInput, extract_many
from orchestration.extract.pipeline import MIN_PARALLEL_BATCH

pytestmark = pytest.mark.timeout(300)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(child) for child in text)
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_extraction_workers_are_not_forked_from_a_threaded_process() -> None:
    held = threading.Lock()
    held.acquire()  # a lock held by another thread while the pool starts, as DuckDB's are
    waiter = threading.Thread(target=held.acquire, daemon=True)
    waiter.start()
    releases = [
        ReleaseInput(
            f"t:{n}",
            "Visit",
            f"The Secretary General visited Vilnius on {n % 28 + 1} March.",
            date(2024, 3, 1),
        )
        for n in range(MIN_PARALLEL_BATCH + 10)
    ]
    ours = _cmdline(os.getpid())
    results = extract_many(releases, processes=2)
    first = next(results)
    forked_copies = [child for child in _children(os.getpid()) if _cmdline(child) == ours]
    rest = list(results)
    assert forked_copies == []  # no child runs our program image: none was forked from us
    assert [first.release_id, *(r.release_id for r in rest)] == [r.release_id for r in releases]
    held.release()
