"""Great Expectations suites run in one worker process, started as early as a caller likes.

GX's import takes seconds of CPU (it pulls in scipy) and a couple of hundred megabytes. In a
worker of its own, that import runs on another core while the run fetches, and its memory
stays out of the process that holds the warehouse's buffer pool. Frames reach the worker
pickled (suites validate samples of at most ``frames.SAMPLE_ROWS`` rows). A suite running
past its limit is stopped by killing the worker; the next suite starts a new one.
"""

from __future__ import annotations

import atexit
import multiprocessing
import signal
import threading
from collections.abc import Mapping
from multiprocessing.connection import Connection
from typing import Any

from orchestration.deadlines import Deadline
from orchestration.quality.gx_runner import ValidationSummary

_lock = threading.Lock()  # one suite at a time through the one worker
_worker: tuple[multiprocessing.process.BaseProcess, Connection] | None = None
_stopped_at_exit = False


class GXWorkerError(RuntimeError):
    """A suite could not be run in the worker (it raised, or the worker died)."""


def _serve(requests: Connection) -> None:
    """The worker: import GX, then validate each ``(suite, frame, parameters)`` received."""
    # a parent started with SIGTERM ignored passes that on through exec: the worker would
    # then outlive multiprocessing's terminate() at exit, and the parent wait for it forever
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    from tqdm import tqdm

    from orchestration.quality.gx_runner import _gx, _validate

    # GX's (silenced) progress bars would make tqdm create a multiprocessing lock, a named
    # semaphore that the worker's kill leaves behind: Python then warned of a "leaked
    # semaphore" at the end of every run. One process needs no more than a thread lock.
    tqdm.set_lock(threading.RLock())
    _gx()
    while True:
        try:
            request = requests.recv()
        except EOFError:  # the parent is gone
            return
        try:
            requests.send(("ok", _validate(*request)))
        except Exception as error:
            try:
                requests.send(("raised", error))
            except Exception:  # an exception that does not pickle goes back as text
                requests.send(("error", f"{type(error).__name__}: {error}"))


def _started() -> tuple[multiprocessing.process.BaseProcess, Connection]:
    global _worker, _stopped_at_exit
    if not _stopped_at_exit:  # runs before multiprocessing's own exit handler (registered first)
        atexit.register(stop)
        _stopped_at_exit = True
    if _worker is None or not _worker[0].is_alive():
        # spawn, not fork: the caller holds DuckDB's and Dagster's threads, whose locks a fork
        # would copy in whatever state they are
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        process = context.Process(target=_serve, args=(theirs,), name="pressroom-gx", daemon=True)
        process.start()
        theirs.close()
        _worker = (process, ours)
    return _worker


def start() -> None:
    """Start the worker (and its GX import) now; idempotent. Suites later find it ready."""
    with _lock:
        _started()


def stop() -> None:
    """Kill the worker, if any (the next suite starts a new one)."""
    global _worker
    worker, _worker = _worker, None
    if worker is not None:
        worker[0].kill()
        worker[0].join()
        worker[1].close()


def validate(
    suite_name: str,
    frame,
    parameters: Mapping[str, Any] | None,
    limit: Deadline,
) -> ValidationSummary:
    """``gx_runner``'s validation of ``frame``, in the worker. Past ``limit`` (0: none, the
    clock includes the worker's start) the worker is killed and `StepTimeoutError` raised."""
    with _lock:
        process, connection = _started()
        try:
            connection.send((suite_name, frame, dict(parameters or {})))
            if not connection.poll(limit.remaining() if limit.seconds else None):
                stop()
                limit.expired = True
                raise limit.error()
            kind, value = connection.recv()
        except (EOFError, OSError) as error:  # died: out of memory, or killed
            code = process.exitcode
            stop()
            raise GXWorkerError(
                f"the Great Expectations worker died (exit code {code}) while validating "
                f"{suite_name}; the suite did not run"
            ) from error
    if kind == "raised":
        raise value  # type: ignore[misc]
    if kind == "error":
        raise GXWorkerError(f"Great Expectations suite {suite_name} raised {value}")
    return value  # type: ignore[return-value]
