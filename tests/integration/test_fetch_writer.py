"""The fetch writes each source on a writer thread while the next source is fetched, and the
warehouse checkpoints once when the fetch is done (not at every source's commit).

Real DuckDB files and the bundled sample's recorded fetches (real parsers, real writes).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.sources.collect import Collected
from orchestration.sources.config import load_sources
from orchestration.sources.runner import collect_sources
from orchestration.warehouse.connection import open_warehouse
from orchestration.warehouse.raw_store import store_all, store_collected
from orchestration.warehouse.schema import ensure_raw_schema
from tests.integration.raw_replay import NOW

pytestmark = pytest.mark.timeout(120)

SAMPLE_CONFIG = (
    Path(__file__).resolve().parents[2] / "orchestration" / "sources" / "sample" / "sources.yaml"
)
TABLES = ("http_responses", "fetched_items", "rejected_items", "parsed_items")


def _sample() -> list[Collected]:
    return list(collect_sources(load_sources(SAMPLE_CONFIG), SAMPLE_CONFIG, now=NOW))


def _threshold(conn) -> str:
    return conn.execute("select current_setting('checkpoint_threshold')").fetchone()[0]


def _memory_limit(conn) -> str:
    return conn.execute("select current_setting('memory_limit')").fetchone()[0]


def _rows(conn, table: str) -> list[tuple]:
    columns = "* exclude (rejected_at)" if table == "rejected_items" else "*"
    return sorted(conn.execute(f"select {columns} from raw.{table}").fetchall(), key=repr)


def test_each_source_is_written_while_the_next_is_fetched(tmp_path: Path) -> None:
    """The write of source 1 waits until source 2 is being fetched: were the writes done
    between fetches (the old loop), it would wait forever (here: 20 s, then fail)."""
    collected = _sample()[:3]
    fetching, threads, order = threading.Event(), set(), []

    def fetched() -> Iterator[Collected]:
        for number, result in enumerate(collected):
            if number:
                fetching.set()
            yield result

    def store(result: Collected) -> dict:
        threads.add(threading.get_ident())
        assert fetching.wait(20), "source 2 was not fetched while source 1 was written"
        return store_collected(conn, result, "run")

    with open_warehouse(tmp_path / "w.duckdb") as conn:
        ensure_raw_schema(conn)
        store_all(conn, fetched(), store, lambda result, counts: order.append((result, counts)))
        assert threading.get_ident() not in threads
        assert [result for result, _ in order] == collected  # told in the fetch's order
        assert [counts["items"] for _, counts in order] == [len(c.items) for c in collected]


def test_the_rows_are_those_of_one_write_after_another(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "serial.duckdb") as conn:
        ensure_raw_schema(conn)
        for number, result in enumerate(_sample()):
            store_collected(conn, result, f"replay-{number:02d}")
        expected = {table: _rows(conn, table) for table in TABLES}
    runs = iter(f"replay-{number:02d}" for number in range(100))
    with open_warehouse(tmp_path / "writer.duckdb") as conn:
        ensure_raw_schema(conn)
        store_all(
            conn,
            iter(_sample()),
            lambda result: store_collected(conn, result, next(runs)),
            lambda *_: None,
        )
        for table in TABLES:
            assert _rows(conn, table) == expected[table], table


def test_one_checkpoint_when_the_fetch_is_done(tmp_path: Path) -> None:
    """During the fetch, commits leave their writes in the log (the threshold is raised) and
    DuckDB's pool is the fetch's smaller one; afterwards both are as they were and the log
    has been checkpointed away."""
    path = tmp_path / "w.duckdb"
    wal = Path(f"{path}.wal")
    thresholds, limits, logs = [], [], []

    def store(result: Collected) -> dict:
        counts = store_collected(conn, result, "run")
        thresholds.append(_threshold(conn))
        limits.append(_memory_limit(conn))
        logs.append(wal.stat().st_size if wal.exists() else 0)
        return counts

    with open_warehouse(path) as conn:
        ensure_raw_schema(conn)
        conn.execute("checkpoint")
        before = _threshold(conn)
        conn.execute("set checkpoint_threshold = '1KB'")  # every commit would checkpoint
        pool = _memory_limit(conn)
        store_all(conn, iter(_sample()[:3]), store, lambda *_: None)
        assert set(thresholds) == {"1.0 GiB"}
        assert set(limits) == {"244.1 MiB"} != {pool}  # 256 MB
        assert _memory_limit(conn) == pool
        assert logs[-1] > logs[0] > 0  # the writes stayed in the log
        after = _threshold(conn)
        assert after == "1000 bytes" != before
        assert not wal.exists() or wal.stat().st_size == 0  # checkpointed at the end
        assert conn.execute("select count(*) from raw.fetched_items").fetchone()[0] > 0


def test_a_failed_write_or_fetch_is_raised_after_the_write_in_progress(tmp_path: Path) -> None:
    collected = _sample()[:2]
    stored = []

    def broken_fetch() -> Iterator[Collected]:
        yield collected[0]
        raise RuntimeError("the fetch broke")

    with open_warehouse(tmp_path / "w.duckdb") as conn:
        ensure_raw_schema(conn)
        with pytest.raises(RuntimeError, match="the fetch broke"):
            store_all(
                conn,
                broken_fetch(),
                lambda r: store_collected(conn, r, "run"),
                lambda result, counts: stored.append(result),
            )
        # the source fetched before the failure was written (committed), not half-written
        assert conn.execute("select count(*) from raw.fetched_items").fetchone()[0] == len(
            collected[0].items
        )

        def broken_store(result: Collected) -> dict:
            raise ValueError("the disk is full")

        with pytest.raises(ValueError, match="the disk is full"):
            store_all(conn, iter(collected), broken_store, lambda *_: None)
        assert _threshold(conn) == ("16.0 MiB")
        assert _memory_limit(conn) == "572.2 MiB"  # the warehouse's 600 MB
