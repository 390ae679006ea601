"""Dagster's SQLite event log, with its connections kept open.

Dagster's `SqliteEventLogStorage` builds a SQLAlchemy engine, opens the file, commits with a
full fsync and disposes of the engine for every event it stores (a run's events go to the run's
own file, asset and check events also to the index file). A sample run stores ~300 events,
about 3 ms each on a quiet 2-core machine and 10 ms under load; the Dagster side of a run is
mostly this. `PooledSqliteEventLogStorage` keeps one engine per recently used file and sets
``synchronous=NORMAL``, SQLite's recommended setting in WAL mode (the mode Dagster creates
these files in): a commit survives the process crashing, only the last commits can be lost if
the machine loses power, and the file is never corrupted (https://sqlite.org/wal.html).
Same files, same schema: the UI, the daemon and an instance configured without it read them.

A new run's file is also a copy of a template rather than built from scratch: Dagster creates
its tables and stamps the schema revision through alembic for every run file (0.2-0.4 s a run
here), the same file each time. The template is made that way once per Dagster version, in the
home's ``history`` directory, and copied in under the run's name only if no file is there yet.
"""

from __future__ import annotations

import os
import shutil
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from dagster import StringSource
from dagster import __version__ as dagster_version

# the module dagster.yaml names for the default SQLite event log (Dagster's deployment docs)
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME

OPEN_FILES = 8
"""Engines kept open: the current run's file, the index, and a few runs a UI reads."""
BUSY_TIMEOUT_S = 15


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` under ``$DAGSTER_HOME/history/runs`` (Dagster's default place),
    reusing one connection per file instead of opening the file for every event."""

    def __init__(self, home: str, inst_data: Any = None) -> None:
        self._engines: OrderedDict[str, sa.Engine] = OrderedDict()
        self._engines_pid = os.getpid()
        super().__init__(str(Path(home) / "history" / "runs"), inst_data=inst_data)

    @classmethod
    def config_type(cls) -> dict[str, Any]:
        return {"home": StringSource}

    @classmethod
    def from_config_value(cls, inst_data: Any, config_value: Any) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> sa.Engine:
        if self._engines_pid != os.getpid():  # a forked child must not share the parent's files
            self._engines, self._engines_pid = OrderedDict(), os.getpid()
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        engine = sa.create_engine(
            self.conn_string_for_shard(shard),
            pool_size=1,
            connect_args={"timeout": BUSY_TIMEOUT_S},
        )
        sa.event.listen(engine, "connect", _relaxed_sync)
        self._engines[shard] = engine
        while len(self._engines) > OPEN_FILES:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[sa.Connection]:
        """The parent's `_connect` with a kept engine instead of a new one per call."""
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                if shard != INDEX_SHARD_NAME:
                    self._seed_run_file(shard)
                self._initdb(engine)  # on a seeded file: only the schema revision check
                self._initialized_dbs.add(shard)
            with engine.connect() as connection, connection.begin():
                yield connection

    def _template(self) -> Path:
        return Path(self._base_dir).parent / f"run_file_template-{dagster_version}.db"

    def _seed_run_file(self, shard: str) -> None:
        """Copy the template to a run's file that does not exist yet (never over one another
        process made meanwhile: the copy is linked in, which fails if the name is taken)."""
        target = Path(self.path_for_shard(shard))
        if target.exists():
            return
        template = self._template()
        if not template.exists():
            self._make_template(template)
        staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        shutil.copyfile(template, staging)
        try:
            os.link(staging, target)
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links: a plain rename, if still free
            if not target.exists():
                os.replace(staging, target)
        finally:
            staging.unlink(missing_ok=True)

    def _make_template(self, template: Path) -> None:
        """A run file as Dagster initialises one, closed (so its WAL is folded in)."""
        staging = template.with_name(f".{template.name}.{os.getpid()}.tmp")
        staging.unlink(missing_ok=True)
        engine = sa.create_engine(f"sqlite:///{staging}", poolclass=sa.pool.NullPool)
        try:
            super()._initdb(engine)
        finally:
            engine.dispose()
        os.replace(staging, template)

    def _close_files(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._close_files()  # before the parent deletes the files
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        self._close_files()


def _relaxed_sync(connection: Any, _record: Any) -> None:
    connection.execute("PRAGMA synchronous=NORMAL")
