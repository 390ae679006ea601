"""Dagster run events, relayed to whoever listens in this process (the CLI's progress).

The instance's ``dagster.yaml`` attaches `RunEventRelay` to every run's log manager
(``python_logs.dagster_handler_config``), so progress needs nothing from the jobs themselves
and survives changes to how the pipeline launches them. Without a listener it does nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Listener = Callable[[Any], None]  # receives a dagster DagsterEvent
_listeners: list[Listener] = []


class RunEventRelay(logging.Handler):
    """Passes each Dagster event of a run (step starts, materializations, checks) on."""

    def emit(self, record: logging.LogRecord) -> None:
        if not _listeners:
            return
        metadata = getattr(record, "dagster_meta", None) or {}
        event = metadata.get("dagster_event")
        if event is not None:
            relay(event)


def relay(event: Any) -> None:
    """Pass one Dagster event to this process's listeners. The multiprocess executor's step
    processes log their events there, not here: the pipeline relays those after each run."""
    for listener in list(_listeners):
        try:
            listener(event)
        except Exception:  # progress must never fail a run
            continue


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Call ``listener`` with every Dagster event logged in this process inside the block."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)
