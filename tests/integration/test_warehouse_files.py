"""The warehouse file: one writer at a time, and a published copy that readers keep open."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.warehouse.connection import WarehouseLockedError, connect
from orchestration.warehouse.publish import publish

HOLD_LOCK = """
import sys, time, duckdb
conn = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


def _make(path: Path, rows: int) -> None:
    conn = duckdb.connect(str(path))
    conn.execute("create schema if not exists marts")
    conn.execute("create or replace table marts.t as select range as n from range(?)", [rows])
    conn.close()


def test_second_writer_gets_an_actionable_error(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    _make(path, 1)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path), "20"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(WarehouseLockedError, match="published copy"):
            connect(path, wait_s=1.0)
        assert time.monotonic() - started < 10
    finally:
        holder.kill()
        holder.wait()


def test_writer_waits_for_a_short_lock(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    _make(path, 1)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path), "1.5"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        conn = connect(path, wait_s=20.0)
        assert conn.execute("select count(*) from marts.t").fetchone()[0] == 1
        conn.close()
    finally:
        holder.wait()


def test_publish_swaps_atomically_while_a_reader_holds_the_old_copy(tmp_path: Path) -> None:
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "pub" / "p.duckdb"
    _make(warehouse, 10)
    publish(warehouse, published)
    reader = duckdb.connect(str(published), read_only=True)
    try:
        _make(warehouse, 25)
        publish(warehouse, published)  # the reader's open file does not block the swap
        assert reader.execute("select count(*) from marts.t").fetchone()[0] == 10
    finally:
        reader.close()
    fresh = duckdb.connect(str(published), read_only=True)
    assert fresh.execute("select count(*) from marts.t").fetchone()[0] == 25
    fresh.close()
    assert not list(published.parent.glob("*.next*"))
