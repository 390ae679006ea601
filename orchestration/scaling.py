"""How many writers the warehouse takes at once: the limit of the ``duckdb`` pool that every
asset writing the warehouse claims (``pool=DUCKDB_POOL``).

A DuckDB file has one writer, so the pool's limit is 1 whatever the executor: steps and runs
that write queue for the slot, readers use the published copy. A DuckLake commits each writer's
changes as a snapshot in its PostgreSQL catalog and retries a conflicting commit, so several
partitions may be written at once (`LAKE_WRITERS`). docs/scaling.md has the rules.
"""

from __future__ import annotations

from orchestration.settings import Settings

FILE_WRITERS = 1
LAKE_WRITERS = 4
"""Parallel writers of a DuckLake: each is a process with its own DuckDB memory, so a few."""


def writer_pool_limit(settings: Settings) -> int:
    """The ``duckdb`` pool's limit for this warehouse (the instance's ``default_limit``)."""
    return LAKE_WRITERS if settings.warehouse.is_lake else FILE_WRITERS
