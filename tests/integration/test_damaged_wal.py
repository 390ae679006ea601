"""Matrix rows 20 and 21: rows committed before a kill (checkpoints off) come back from the
WAL; a damaged WAL is detected in a child process, the run stops with the recovery steps,
copies of the file and its WAL are kept, nothing is deleted. A WAL cut short (a crash
mid-write) is replayed up to its last complete entry."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from orchestration.warehouse.integrity import DamagedWarehouseError, check_warehouse

pytestmark = pytest.mark.timeout(120)

LEAVE_WAL = """
import os, sys, duckdb
conn = duckdb.connect(sys.argv[1], config={"wal_autocheckpoint": "1TB"})
conn.execute("pragma disable_checkpoint_on_shutdown")
conn.execute("create table t as select range as i from range(10)")
conn.execute("checkpoint")
for _ in range(20):
    conn.execute("insert into t select range from range(1000)")
os._exit(0)  # committed, never checkpointed: the rows live in the WAL only
"""


def _warehouse_with_wal(home: Path) -> tuple[Path, Path]:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "warehouse.duckdb"
    subprocess.run([sys.executable, "-c", LEAVE_WAL, str(path)], check=True, timeout=60)
    wal = path.with_name(path.name + ".wal")
    assert wal.stat().st_size > 10_000
    return path, wal


def _garble(wal: Path) -> bytes:
    with wal.open("r+b") as handle:
        handle.seek(100)
        handle.write(os.urandom(3000))
    return wal.read_bytes()


def test_a_damaged_wal_stops_the_run_and_keeps_copies(tmp_path: Path) -> None:
    path, wal = _warehouse_with_wal(tmp_path)
    garbled = _garble(wal)
    with pytest.raises(DamagedWarehouseError) as info:
        check_warehouse(path)
    assert "cannot be opened" in info.value.what and "WAL" in info.value.what
    assert "nothing was deleted" in info.value.hint
    assert wal.read_bytes() == garbled  # never deleted nor replayed away
    kept = list((tmp_path / "damaged").iterdir())
    assert len(kept) == 1
    assert (kept[0] / "warehouse.duckdb.wal").read_bytes() == garbled
    assert (kept[0] / "warehouse.duckdb").read_bytes() == path.read_bytes()


def test_a_wal_cut_short_is_replayed_up_to_its_last_complete_entry(tmp_path: Path) -> None:
    path, wal = _warehouse_with_wal(tmp_path)
    os.truncate(wal, 5000)
    check_warehouse(path)  # opens: nothing to report
    with duckdb.connect(str(path), read_only=True) as conn:
        assert conn.execute("select count(*) from t").fetchone()[0] >= 10
    with duckdb.connect(str(path)) as conn:
        conn.execute("insert into t values (1)")  # and it is writable again


def test_the_cli_says_what_to_do(capfd, tmp_path: Path, monkeypatch) -> None:
    home = tmp_path / "home"
    _, wal = _warehouse_with_wal(home)
    _garble(wal)
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    assert main(["--home", str(home), "run", "-q"]) == 1
    _, err = capfd.readouterr()
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines[0].startswith("error: ") and "cannot be opened" in lines[0], err
    assert "copies of it and its WAL are in" in err and "pressroom run" in err
    assert wal.exists()


def test_rows_committed_before_a_kill_are_replayed_from_the_wal(tmp_path: Path) -> None:
    # Matrix row 20: committed with checkpoints off, then killed: the WAL alone holds them.
    path, _ = _warehouse_with_wal(tmp_path)
    check_warehouse(path)
    with duckdb.connect(str(path), read_only=True) as conn:
        assert conn.execute("select count(*) from t").fetchone() == (20_010,)
