"""Matrix row 30: an incremental model whose SQL fails mid-build (`--vars` names it in the
`injected_failure` hook: its select raises) leaves its table exactly as it was (its
pre-hook's delete is rolled back), its downstream models are skipped, and the next
successful run leaves no `__dbt_tmp`/`__dbt_backup` relation and the marts of a clean run."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.integration.dbt_fixtures import BATCH_1, BATCH_2, BATCH_2_WINDOW, load_releases, run_dbt

FAILING = "fct_events"
DOWNSTREAM = ("fct_appearances", "dim_people")
MARTS = ("fct_releases", FAILING, *DOWNSTREAM)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]  # five dbt builds: ~2 min


def _snapshot(db_path: Path) -> dict[str, tuple]:
    """Per mart: row count and an order-independent checksum of every row."""
    with duckdb.connect(str(db_path), read_only=True) as conn:
        return {
            table: conn.execute(
                f"select count(*), coalesce(sum(hash(t)), 0) from marts.{table} as t"
            ).fetchone()
            for table in MARTS
        }


def _leftovers(db_path: Path) -> list[str]:
    with duckdb.connect(str(db_path), read_only=True) as conn:
        return [
            row[0]
            for row in conn.execute(
                "select table_schema || '.' || table_name from information_schema.tables "
                "where table_name like '%__dbt_tmp%' or table_name like '%__dbt_backup%'"
            ).fetchall()
        ]


def test_failed_incremental_model_keeps_its_table_and_skips_downstream(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    load_releases(db, BATCH_1)
    run_dbt(db, tmp_path, "build")
    clean = tmp_path / "clean.duckdb"
    shutil.copy(db, clean)
    before = _snapshot(db)
    assert before[FAILING][0] > 0

    load_releases(db, BATCH_2)
    result = run_dbt(
        db,
        tmp_path,
        "build",
        "--vars",
        f"{{fail_model: {FAILING}}}",
        check=False,
        window=BATCH_2_WINDOW,
    )
    assert not result.success
    status = {node.node.name: str(node.status) for node in result.result.results}
    assert status[FAILING] == "error"
    assert "injected failure" in next(
        node.message for node in result.result.results if node.node.name == FAILING
    )
    for model in DOWNSTREAM:
        assert status[model] == "skipped", model
    after = _snapshot(db)
    assert after[FAILING] == before[FAILING]  # count and checksum: the delete rolled back
    for model in DOWNSTREAM:
        assert after[model] == before[model], model
    assert after["fct_releases"] != before["fct_releases"]  # not downstream: it did run

    run_dbt(db, tmp_path, "build", window=BATCH_2_WINDOW)
    assert _leftovers(db) == []
    load_releases(clean, BATCH_2)
    run_dbt(clean, tmp_path, "build", window=BATCH_2_WINDOW)
    assert _snapshot(db) == _snapshot(clean)
