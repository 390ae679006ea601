"""Step timeouts (orchestration/deadlines.py): pure-Python work and DuckDB queries are stopped
at their limit with a message naming the setting; a block that ends in time is left alone."""

from __future__ import annotations

import time

import duckdb
import pytest

from orchestration.deadlines import StepTimeoutError, deadline
from orchestration.settings import SettingsError, Timeouts, load_settings

pytestmark = pytest.mark.timeout(60)


def test_a_busy_python_loop_is_stopped_even_if_it_swallows_exceptions() -> None:
    started = time.monotonic()
    limit = deadline("spin", 0.3, "PRESSROOM_TIMEOUT_GX_S")
    with (
        pytest.raises(StepTimeoutError, match=r"spin took longer than its limit of 0\.3 s") as info,
        limit,
    ):
        while True:
            try:
                sum(range(100))
            except Exception:  # what GX does with an expectation's error
                continue
    assert "PRESSROOM_TIMEOUT_GX_S" in str(info.value)
    assert time.monotonic() - started < 5


def test_a_duckdb_query_is_interrupted() -> None:
    conn = duckdb.connect()
    started = time.monotonic()
    limit = deadline("query", 0.5, "PRESSROOM_TIMEOUT_PUBLISH_S", stop=conn.interrupt)
    with pytest.raises(StepTimeoutError, match="query took longer"), limit:
        conn.execute("select count(*) from range(1000000000000)").fetchall()
    assert time.monotonic() - started < 5
    assert conn.execute("select 42").fetchone() == (42,)  # the connection still works


def test_a_block_that_ends_in_time_is_never_interrupted_later() -> None:
    for _ in range(20):
        with deadline("quick", 0.01, "X"):
            pass
    time.sleep(0.2)  # a late interruption would land here
    with deadline("no limit", None, "X"), deadline("zero", 0, "X"):
        time.sleep(0.05)


def test_an_error_inside_the_block_is_not_replaced() -> None:
    with pytest.raises(KeyError), deadline("quick", 5, "X"):
        raise KeyError("own error")


def test_settings_read_each_limit_and_refuse_nonsense(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSROOM_TIMEOUT_DBT_S", "90")
    monkeypatch.setenv("PRESSROOM_TIMEOUT_FETCH_SOURCE_S", "2.5")
    timeouts = load_settings().timeouts
    assert (timeouts.dbt, timeouts.fetch_source) == (90.0, 2.5)
    assert timeouts.gx == Timeouts().gx
    for bad in ("-1", "0", "soon", "1e9"):
        monkeypatch.setenv("PRESSROOM_TIMEOUT_GX_S", bad)
        with pytest.raises(SettingsError, match="PRESSROOM_TIMEOUT_GX_S"):
            load_settings()
