"""The executor of every job, chosen by `PRESSROOM_EXECUTOR` (settings.py).

``in_process`` (the default) runs one step at a time in the run's process. ``multiprocess``
runs independent steps (checks, sources, partitions' writers when the pool allows) in parallel
child processes started by a fork server (house style 17: no fork while threads run), which
loads the code location once instead of once per step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg

from orchestration.settings import DagsterSettings

if TYPE_CHECKING:
    from dagster._core.definitions.reconstruct import ReconstructableJob

FORKSERVER_PRELOAD = ["orchestration.definitions"]


def executor_for(settings: DagsterSettings) -> dg.ExecutorDefinition:
    """The executor the code location's jobs use."""
    if settings.executor == "multiprocess":
        return dg.multiprocess_executor.configured(
            {"start_method": {"forkserver": {"preload_modules": FORKSERVER_PRELOAD}}},
            name="multiprocess",
        )
    return dg.in_process_executor


def code_location_job(name: str) -> dg.JobDefinition:
    """The code location's job ``name``; child processes of the multiprocess executor rebuild
    the job from this (`reconstructable_job`)."""
    from orchestration.definitions import defs

    return defs.resolve_job_def(name)


def reconstructable_job(name: str) -> ReconstructableJob:
    """Job ``name`` in a form the multiprocess executor's children can load by themselves."""
    return dg.build_reconstructable_job(
        __name__, code_location_job.__name__, reconstructable_args=(name,)
    )
