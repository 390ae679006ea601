"""No wedged runs: one pipeline per home at a time, and what a killed run left is cleaned up.

A run killed with SIGKILL (out of memory, a closed laptop, ``kill -9``) cannot clean up after
itself: its Dagster run stays STARTED and its ``duckdb`` pool slot stays claimed, so every later
run would wait for that slot forever. `claim_home` takes an exclusive lock on the home (an
``flock`` that the kernel releases when the process dies, however it dies); holding it proves
that no other pipeline process of this home is alive, so every in-process run still marked as
running belongs to a dead process: it is marked failed with a message saying so, and every
pool slot a finished run still holds is freed.

When Dagster's storage is shared in PostgreSQL (docs/scaling.md), other homes and machines
run pipelines on the same instance: the lock proves nothing about their runs, so only runs
tagged with this home (`HOME_TAG`, `home_owner`) are failed.

Runs launched from the UI (``pressroom ui``) are the daemon's: run monitoring in the instance's
``dagster.yaml`` (`INSTANCE_YAML`) fails them and frees their slots.
"""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # dagster is imported where runs are handled, not by the CLI at start-up
    import dagster as dg

LOCK_FILE = ".pressroom.lock"
HOME_TAG = "pressroom/home"
"""Run tag naming the machine and home whose pipeline launched the run (`home_owner`)."""
INSTANCE_YAML = """\
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
run_monitoring:
  enabled: true
  start_timeout_seconds: 180
  cancel_timeout_seconds: 180
  poll_interval_seconds: 30
  free_slots_after_run_end_seconds: 30
run_retries:
  enabled: true
  max_retries: 1
  retry_on_asset_or_op_failure: false
"""
"""The Dagster instance settings pressroom writes into a new home (pools of one writer, run
monitoring that fails dead runs and frees their slots, and one automatic retry of a run whose
worker died, from its failure: Dagster's default ``FROM_FAILURE`` strategy; a run that failed
in an asset or a check is not retried, its failure is the answer)."""

_held: dict[Path, int] = {}


class HomeBusyError(RuntimeError):
    """Another pressroom pipeline is running on this home."""


class InstanceNotMigratedError(RuntimeError):
    """The Dagster instance's storage predates this Dagster version (a table is missing)."""

    def __init__(self, what: str, hint: str) -> None:
        super().__init__(f"{what}\n{hint}")
        self.what = what
        self.hint = hint


def check_instance_migrated(instance: dg.DagsterInstance) -> None:
    """Fail at the start of a run, in plain words, when the instance's storage lacks a table
    this Dagster version needs (e.g. ``kvs``, which run retries and sensors' cursors use),
    instead of failing in the middle of the run."""
    try:
        instance.run_storage.get_cursor_values({"pressroom/instance_check"})
    except Exception as error:  # sqlalchemy's OperationalError, psycopg2's UndefinedTable
        if "kvs" not in str(error).lower():
            raise
        home = instance.root_directory if instance.is_persistent else "the instance"
        raise InstanceNotMigratedError(
            f"the Dagster instance in {home} is not migrated (its 'kvs' table is missing)",
            f"run `DAGSTER_HOME={home} dagster instance migrate`, then run pressroom again",
        ) from error


def _holder(lock: Path) -> str:
    try:
        pid = lock.read_text(encoding="utf-8").strip()
    except OSError:
        return "another process"
    return f"process {pid}" if pid else "another process"


def lock_home(home: Path, *, wait: bool = True, notify: Callable[[str], None] = print) -> None:
    """Hold the home's lock until this process exits (idempotent within a process).

    With ``wait`` a second pipeline waits for the first (and says so); without, it raises
    HomeBusyError naming the holder.
    """
    home = home.resolve()
    if home in _held:
        return
    home.mkdir(parents=True, exist_ok=True)
    lock = home / LOCK_FILE
    descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        if not wait:
            os.close(descriptor)
            raise HomeBusyError(
                f"{home} is in use by {_holder(lock)}: another pressroom run "
                "is writing there; wait for it or stop it"
            ) from None
        notify(f"{home} is in use by {_holder(lock)}; waiting for it to finish…")
        fcntl.flock(descriptor, fcntl.LOCK_EX)
    os.ftruncate(descriptor, 0)
    os.write(descriptor, str(os.getpid()).encode())
    _held[home] = descriptor  # released by the kernel when this process ends


def unlock_home(home: Path) -> None:
    """Release the lock early (tests that run several homes in one process)."""
    descriptor = _held.pop(home.resolve(), None)
    if descriptor is not None:
        os.close(descriptor)


def home_owner(home: Path) -> str:
    """``host:/path/of/home``: the value of `HOME_TAG` on the runs this home launches."""
    return f"{socket.gethostname()}:{home.resolve()}"


def _running() -> tuple[dg.DagsterRunStatus, ...]:
    import dagster as dg

    status = dg.DagsterRunStatus
    return (status.NOT_STARTED, status.STARTING, status.STARTED, status.CANCELING)


def fail_dead_runs(
    instance: dg.DagsterInstance,
    notify: Callable[[str], None] = print,
    owner: str | None = None,
) -> list[str]:
    """Mark in-process runs still shown as running failed, and free every pool slot held by a
    run that is not running. Call only while holding the home's lock. With ``owner`` (a shared
    instance), only runs tagged with it are this home's. Returns the run ids marked failed."""
    import dagster as dg

    failed = []
    records = instance.get_run_records(filters=dg.RunsFilter(statuses=list(_running())))
    for record in records:
        run = record.dagster_run
        if run.remote_job_origin is not None:
            continue  # launched by the UI's daemon: run monitoring owns it
        if owner is not None and run.tags.get(HOME_TAG) != owner:
            continue  # another home's or machine's run on the shared instance
        instance.report_run_failed(
            run,
            message="This run's process died (killed or crashed) before it finished; "
            "pressroom marked it failed at the start of the next run. Its data "
            "changes were rolled back; rerun to rebuild what it was building.",
        )
        failed.append(run.run_id)
        notify(
            f"run {run.run_id[:8]} ({run.job_name}) had died without finishing; "
            "marked failed and freed its pool slot"
        )
    _free_orphaned_slots(instance)
    return failed


def _free_orphaned_slots(instance: dg.DagsterInstance) -> None:
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return
    holders: set[str] = set()
    for key in storage.get_concurrency_keys():
        info = storage.get_concurrency_info(key)
        holders.update(slot.run_id for slot in info.claimed_slots)
        holders.update(step.run_id for step in info.pending_steps)
    for run_id in holders:
        run = instance.get_run_by_id(run_id)
        if run is None or run.status not in _running():
            storage.free_concurrency_slots_for_run(run_id)


def claim_home(
    home: Path,
    instance: dg.DagsterInstance,
    notify: Callable[[str], None] = print,
    owner: str | None = None,
) -> None:
    """At the start of every pipeline: take the home's lock, check the instance is migrated,
    then clean up after dead runs (only ``owner``'s on a shared instance); ``notify`` tells
    the user about a wait and about each dead run."""
    lock_home(home, notify=notify)
    check_instance_migrated(instance)
    fail_dead_runs(instance, notify, owner=owner)
