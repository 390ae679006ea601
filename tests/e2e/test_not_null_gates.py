"""Not-null guarantees still stop a run before it publishes, end to end on the bundled sample.

The marts' not-null columns are constraints of their enforced dbt contracts (DuckDB refuses
the null as the row is written); intermediate and staging models check theirs in one
`columns_not_null` test per model. Each case puts a null into raw data the extractor can
never write (the raw column's own NOT NULL dropped first), runs the marts-and-publish job for
that day as the sensor would, and expects: the dbt step fails naming what broke, the publish
never runs, the published file is byte-identical, and the mart keeps its previous rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.cli import main
from orchestration.settings import SAMPLE_SOURCES_FILE, Settings
from orchestration.window import Window

pytestmark = pytest.mark.e2e
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home after one good `pressroom run` over the bundled sample."""
    home = tmp_path_factory.mktemp("not_null") / "home"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_HOME", str(home / "dagster"))
        patch.delenv("PRESSROOM_SOURCES", raising=False)
        assert main(["--home", str(home), "run"]) == 0
    return home


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _one_release(warehouse: Path) -> tuple[str, date]:
    """A release of the sample that has location mentions, and its partition day."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        row = conn.execute(
            "select release_id, min(partition_date) from raw.location_mentions"
            " group by release_id order by release_id limit 1"
        ).fetchone()
    assert row is not None
    return row[0], row[1]


@contextmanager
def _null_in_raw(warehouse: Path, table: str, column: str, release_id: str) -> Iterator[None]:
    """``column`` of ``release_id``'s rows in ``raw.table`` set to null (its NOT NULL dropped),
    then put back as it was."""
    with duckdb.connect(str(warehouse)) as conn:
        kept = conn.execute(
            f"select rowid, {column} from raw.{table} where release_id = ?", [release_id]
        ).fetchall()
        assert kept
        conn.execute(f"alter table raw.{table} alter column {column} drop not null")
        conn.execute(f"update raw.{table} set {column} = null where release_id = ?", [release_id])
    try:
        yield
    finally:
        with duckdb.connect(str(warehouse)) as conn:
            conn.executemany(
                f"update raw.{table} set {column} = ? where rowid = ?",
                [(value, rowid) for rowid, value in kept],
            )
            conn.execute(f"alter table raw.{table} alter column {column} set not null")


def _build_and_publish(home: Path, day: date) -> dg.ExecuteInProcessResult:
    """The run `marts_after_raw` asks for after a raw run of ``day``: dbt, audit, publish."""
    from orchestration.definitions import defs
    from orchestration.defs.automation import transform_run_config
    from orchestration.defs.resources import build_resources

    settings = Settings(home=home, sources_file=SAMPLE_SOURCES_FILE)
    return defs.resolve_job_def("transform_job").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        resources=build_resources(settings),
        raise_on_error=False,
        run_config={**QUIET, **transform_run_config(Window.of_days(day, day))},
    )


def _assert_dbt_failed_and_nothing_published(result: dg.ExecuteInProcessResult) -> None:
    """The dbt step failed and the publish never ran."""
    from orchestration.defs.publish.assets import PUBLISHED

    assert not result.success
    failed = [event.step_key for event in result.all_events if event.is_step_failure]
    assert failed == ["pressroom_dbt_models"]
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert PUBLISHED not in materialized


def _dbt_messages(home: Path) -> str:
    """What the latest dbt invocation logged (dbt.log holds one JSON line per message)."""
    path = Settings(home=home, sources_file=SAMPLE_SOURCES_FILE).dbt_target_path / "dbt.log"
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    latest = lines[-1]["info"]["invocation_id"]
    return "\n".join(
        line["info"]["msg"] for line in lines if line["info"]["invocation_id"] == latest
    )


def _source_names(warehouse: Path, release_id: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute(
            "select source_name from marts.fct_releases where release_id = ?", [release_id]
        ).fetchall()


def test_a_null_in_a_contracted_mart_column_fails_the_model_and_publishes_nothing(home):
    warehouse, published = home / "warehouse.duckdb", home / "published" / "pressroom.duckdb"
    release_id, day = _one_release(warehouse)
    before, marts_before = _sha256(published), _source_names(warehouse, release_id)
    assert marts_before and marts_before[0][0]

    with _null_in_raw(warehouse, "releases", "source_name", release_id):
        result = _build_and_publish(home, day)

    _assert_dbt_failed_and_nothing_published(result)
    messages = _dbt_messages(home)
    assert "Failure in model fct_releases" in messages
    assert "NOT NULL constraint failed: fct_releases.source_name" in messages
    assert _sha256(published) == before
    assert _source_names(warehouse, release_id) == marts_before  # the write rolled back


def test_a_null_in_an_intermediate_model_fails_its_one_test_and_publishes_nothing(home):
    warehouse, published = home / "warehouse.duckdb", home / "published" / "pressroom.duckdb"
    release_id, day = _one_release(warehouse)
    before = _sha256(published)

    with _null_in_raw(warehouse, "location_mentions", "place_id", release_id):
        result = _build_and_publish(home, day)

    _assert_dbt_failed_and_nothing_published(result)
    messages = _dbt_messages(home)
    assert "Failure in test columns_not_null_int_locations_resolved_location_id__place_id" in (
        messages
    )
    assert _sha256(published) == before


def test_a_mart_built_before_its_constraints_gets_them_and_still_fails_on_a_null(home):
    """An existing warehouse whose incremental mart was created before the contract declared
    the column not null: the null is written, then the end of the build adds the constraint,
    which fails on it (nothing published); once clean, the next build adds it for good."""
    warehouse, published = home / "warehouse.duckdb", home / "published" / "pressroom.duckdb"
    release_id, day = _one_release(warehouse)
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("alter table marts.fct_releases alter column source_name drop not null")
    before = _sha256(published)

    with _null_in_raw(warehouse, "releases", "source_name", release_id):
        result = _build_and_publish(home, day)

    _assert_dbt_failed_and_nothing_published(result)
    messages = _dbt_messages(home)
    assert "Failure in model fct_releases" not in messages  # the old table took the null
    assert "Failure in operation pressroom-on-run-end" in messages
    assert "NOT NULL constraint failed: fct_releases.source_name" in messages
    assert _sha256(published) == before

    assert _build_and_publish(home, day).success
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert conn.execute(
            "select is_nullable from information_schema.columns where table_schema = 'marts'"
            " and table_name = 'fct_releases' and column_name = 'source_name'"
        ).fetchone() == ("NO",)
