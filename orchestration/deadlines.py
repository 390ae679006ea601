"""Step timeouts: a step that runs past its limit is stopped and fails with a message.

`deadline` arms a timer for the calling thread. When it fires it runs the step's own stop
action (interrupt a DuckDB query, kill a dbt process) and, unless told not to, raises an
exception inside the thread at its next Python instruction (for pure-Python work such as a
Great Expectations suite). The exception derives from BaseException so that code catching
``Exception`` (GX records those as an errored expectation) cannot swallow it; the ``with``
block turns it into a `StepTimeoutError` naming the step, its limit and the setting to raise.
"""

from __future__ import annotations

import contextlib
import ctypes
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


class StepTimeoutError(RuntimeError):
    """A step ran past its configured limit and was stopped."""


class _Expired(BaseException):
    """Raised inside the timed thread when its deadline passes (never escapes `deadline`)."""


@dataclass
class Deadline:
    """One armed limit: what it times, how long, and the setting that changes it."""

    what: str
    seconds: float
    setting: str
    started: float = field(default_factory=time.monotonic)
    expired: bool = False

    def remaining(self) -> float:
        return max(0.0, self.started + self.seconds - time.monotonic())

    def error(self) -> StepTimeoutError:
        return StepTimeoutError(
            f"{self.what} took longer than its limit of {self.seconds:g} s and was stopped "
            f"(a hung server, process or query?); if it is legitimately that slow, raise "
            f"{self.setting}"
        )


def _raise_in(thread_id: int, exception: type[BaseException] | None) -> None:
    """Schedule ``exception`` in a thread (None cancels a scheduled one)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exception) if exception else None
    )


class deadline:
    """Run a ``with`` block under a limit of ``seconds`` (None or 0: no limit).

    On expiry ``stop`` runs (from the timer's thread); if the block is still running
    ``grace_s`` later (at once without ``stop``) and ``interrupt_thread`` is on, its thread is
    interrupted. The block then raises `StepTimeoutError`. With ``interrupt_thread`` on, do
    not ``yield`` to foreign code inside the block: the interruption would land there.
    """

    def __init__(
        self,
        what: str,
        seconds: float | None,
        setting: str,
        *,
        stop: Callable[[], object] | None = None,
        interrupt_thread: bool = True,
        grace_s: float = 2.0,
    ) -> None:
        self.limit = Deadline(what, seconds or 0.0, setting)
        self._stop = stop
        self._interrupt = interrupt_thread
        self._grace = grace_s if stop is not None else 0.0
        self._guard = threading.Lock()
        self._done = False
        self._injected = False
        self._timer: threading.Timer | None = None
        self._target = 0

    def __enter__(self) -> Deadline:
        if self.limit.seconds > 0:
            self._target = threading.get_ident()
            self._timer = threading.Timer(self.limit.seconds, self._expire)
            self._timer.daemon = True
            self._timer.start()
        return self.limit

    def _expire(self) -> None:
        with self._guard:
            if self._done:
                return
            self.limit.expired = True
        if self._stop is not None:
            with contextlib.suppress(Exception):  # the step fails with the timeout anyway
                self._stop()
        if not self._interrupt:
            return
        if self._grace:
            time.sleep(self._grace)
        with self._guard:
            if not self._done:
                self._injected = True
                _raise_in(self._target, _Expired)

    def _finish(self) -> None:
        with self._guard:
            self._done = True
            if self._injected:
                _raise_in(self._target, None)  # landed nowhere yet: cancel it
        if self._timer is not None:
            self._timer.cancel()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _traceback: object
    ) -> bool:
        try:
            self._finish()
        except _Expired:  # the one interruption landed here instead of in the block
            self._finish()
        if self.limit.expired:
            raise self.limit.error() from (None if isinstance(error, _Expired) else error)
        return False
