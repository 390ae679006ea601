"""A writer killed mid-transaction (SIGKILL) leaves the warehouse as it was before the run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.warehouse.schema import ensure_raw_schema

KILLED_WRITER = """
import sys
import duckdb
from orchestration.warehouse.connection import connect, transaction
conn = connect(sys.argv[1])
with transaction(conn):
    conn.execute("delete from raw.releases")
    conn.execute('''
        insert into raw.releases (release_id, version, source, source_name, native_id, title,
            body_text, partition_date, is_truncated, content_hash, fetched_at)
        select 'x:' || range, 1, 'x', 'X', range::varchar, 'new', 'new', date '2023-01-01',
               false, 'h', timestamp '2023-01-01'
        from range(200000)''')
    print("mid-transaction", flush=True)
    sys.stdin.readline()  # wait here until killed
"""


def test_sigkill_mid_write_keeps_the_previous_state(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    conn = duckdb.connect(str(path))
    ensure_raw_schema(conn)
    conn.execute("""
        insert into raw.releases (release_id, version, source, source_name, native_id, title,
            body_text, partition_date, is_truncated, content_hash, fetched_at)
        values ('nato:news_1', 1, 'nato', 'NATO', 'news_1', 'Kept', 'Kept body',
                date '2023-11-01', false, 'abc', timestamp '2023-11-01 12:00:00')""")
    conn.close()
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "mid-transaction"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    reopened = duckdb.connect(str(path))
    try:
        rows = reopened.execute("select release_id, title from raw.releases").fetchall()
    finally:
        reopened.close()
    assert rows == [("nato:news_1", "Kept")]
