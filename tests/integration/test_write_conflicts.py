"""Matrix row 24: inside one process, two threads updating the same row conflict, and that
conflict is one of the errors the writers' retry policy retries (defs/retries.py); threads
that only append never conflict."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.retries import is_lock_error

pytestmark = pytest.mark.timeout(60)


def test_two_threads_updating_one_row_conflict_and_that_is_retried(tmp_path: Path) -> None:
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    conn.execute("create table counters (name varchar primary key, value integer)")
    conn.execute("insert into counters values ('runs', 0)")
    first, second = conn.cursor(), conn.cursor()
    first.execute("begin transaction")
    second.execute("begin transaction")
    first.execute("update counters set value = value + 1 where name = 'runs'")
    with pytest.raises(duckdb.TransactionException) as conflict:
        second.execute("update counters set value = value + 10 where name = 'runs'")
    assert is_lock_error(conflict.value), conflict.value
    second.execute("rollback")
    first.execute("commit")
    # The retry, as the policy would run it, succeeds on a fresh transaction.
    second.execute("update counters set value = value + 10 where name = 'runs'")
    assert conn.execute("select value from counters").fetchone() == (11,)
    assert not is_lock_error(duckdb.ConversionException("Could not convert string 'x'"))
    assert not is_lock_error(ValueError("parse error"))


def test_threads_that_only_append_never_conflict(tmp_path: Path) -> None:
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    conn.execute("create table events (thread integer, n integer)")
    errors: list[BaseException] = []

    def append(thread: int) -> None:
        cursor = conn.cursor()
        try:
            for n in range(50):
                cursor.execute("begin transaction")
                cursor.execute("insert into events values (?, ?)", [thread, n])
                cursor.execute("commit")
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=append, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert conn.execute("select count(*), count(distinct (thread, n)) from events").fetchone() == (
        400,
        400,
    )
