"""PRESSROOM_WAREHOUSE: the one setting that says where the warehouse lives."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest

from orchestration.defs.resources import build_resources
from orchestration.settings import load_settings
from orchestration.warehouse.dbt_command import dbt_build_args
from orchestration.warehouse.published import published_of
from orchestration.warehouse.target import DuckDBFile, DuckLake, parse_warehouse
from orchestration.window import Window

HOME = Path("/srv/pressroom")


def test_unset_is_todays_file_under_the_home() -> None:
    target = parse_warehouse("", HOME)
    assert target == DuckDBFile(HOME / "warehouse.duckdb", HOME / "published" / "pressroom.duckdb")
    assert parse_warehouse(None, HOME) == target
    assert parse_warehouse("   ", HOME) == target
    assert not target.is_lake


def test_duckdb_names_a_file_elsewhere(tmp_path: Path) -> None:
    target = parse_warehouse(f"duckdb:{tmp_path}/w.duckdb", HOME)
    assert target == DuckDBFile(tmp_path / "w.duckdb", HOME / "published" / "pressroom.duckdb")
    assert parse_warehouse(f"DuckDB: {tmp_path}/w.duckdb ", HOME) == target


def test_ducklake_on_postgres_with_its_data_path() -> None:
    target = parse_warehouse("ducklake:postgres:host=127.0.0.1 port=5432 dbname=lake", HOME)
    assert target == DuckLake("host=127.0.0.1 port=5432 dbname=lake", HOME / "lake")
    assert target.is_lake
    assert target.attach_path == "ducklake:postgres:host=127.0.0.1 port=5432 dbname=lake"
    assert parse_warehouse("ducklake:postgres:dbname=lake", HOME, "/data/lake/") == DuckLake(
        "dbname=lake", Path("/data/lake")
    )


def test_a_url_conninfo_keeps_its_colons() -> None:
    url = "postgresql://pressroom:s3cret@127.0.0.1:5432/lake"
    target = parse_warehouse(f"ducklake:postgres:{url}", HOME)
    assert isinstance(target, DuckLake) and target.catalog == url


@pytest.mark.parametrize(
    ("catalog", "shown"),
    [
        ("postgresql://pressroom:s3cret@127.0.0.1:5432/lake",
         "postgresql://pressroom:…@127.0.0.1:5432/lake"),
        ("host=db password=s3cret dbname=lake", "host=db password=… dbname=lake"),
        ("host=db password='s3 cret' dbname=lake", "host=db password=… dbname=lake"),
    ],
)  # fmt: skip
def test_describe_never_shows_the_password(catalog: str, shown: str) -> None:
    text = DuckLake(catalog, Path("/d")).describe()
    assert "s3" not in text and shown in text


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("duckdb:", "names no file"),
        ("ducklake:postgres:", "no PostgreSQL connection string"),
        ("ducklake:sqlite:/tmp/x.sqlite", "catalog in PostgreSQL"),
        ("ducklake:", "catalog in PostgreSQL"),
        ("/tmp/warehouse.duckdb", "neither form"),
        ("postgres://h/db", "neither form"),
    ],
)
def test_malformed_settings_say_what_to_write(spec: str, says: str) -> None:
    with pytest.raises(ValueError, match=says) as caught:
        parse_warehouse(spec, HOME)
    assert "PRESSROOM_WAREHOUSE" in str(caught.value)
    assert "ducklake:postgres:" in str(caught.value)


def test_load_settings_reads_both_variables_and_refuses_a_bad_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PRESSROOM_HOME", str(tmp_path))
    monkeypatch.delenv("PRESSROOM_WAREHOUSE", raising=False)
    monkeypatch.delenv("PRESSROOM_LAKE_DATA", raising=False)
    default = load_settings()
    assert default.warehouse == DuckDBFile(
        tmp_path / "warehouse.duckdb", tmp_path / "published" / "pressroom.duckdb"
    )
    assert default.published == default.published_path
    monkeypatch.setenv("PRESSROOM_WAREHOUSE", "ducklake:postgres:dbname=lake")
    monkeypatch.setenv("PRESSROOM_LAKE_DATA", str(tmp_path / "parquet"))
    lake = load_settings()
    assert lake.warehouse == DuckLake("dbname=lake", tmp_path / "parquet")
    assert lake.published == lake.warehouse
    monkeypatch.setenv("PRESSROOM_WAREHOUSE", "sqlite:/tmp/x")
    with pytest.raises(ValueError, match="PRESSROOM_WAREHOUSE"):
        load_settings()


def test_a_new_home_moves_the_default_lake_data_along(tmp_path: Path) -> None:
    """`--home` replaces the home after the environment was read (cli/instance.py)."""
    settings = dataclasses.replace(
        load_settings(), home=tmp_path, warehouse_spec="ducklake:postgres:dbname=lake", lake_data=""
    )
    assert settings.warehouse == DuckLake("dbname=lake", tmp_path / "lake")


def test_resources_and_dbt_follow_the_setting(tmp_path: Path) -> None:
    settings = dataclasses.replace(
        load_settings(), home=tmp_path, warehouse_spec="ducklake:postgres:dbname=lake"
    )
    warehouse = build_resources(settings)["warehouse"]
    assert warehouse.target == DuckLake("dbname=lake", tmp_path / "lake")
    args = dbt_build_args(Window(date(2023, 11, 1), date(2023, 11, 2)), warehouse.target)
    assert args[:3] == ["build", "--target", "lake"]
    assert json.loads(args[4]) == {
        "ducklake_catalog": "dbname=lake", "ducklake_data_path": str(tmp_path / "lake"),
    }  # fmt: skip
    assert args[5:9] == ["--event-time-start", "2023-11-01", "--event-time-end", "2023-11-02"]
    file_mode = build_resources(dataclasses.replace(settings, warehouse_spec=""))["warehouse"]
    assert file_mode.target == DuckDBFile(
        tmp_path / "warehouse.duckdb", tmp_path / "published" / "pressroom.duckdb"
    )
    assert dbt_build_args(None, file_mode.target) == [
        "--no-write-json",
        "build",
        "--vars",
        json.dumps({"duckdb_path": str(tmp_path / "warehouse.duckdb")}),
        "--threads",
        "1",
        "--exclude",
        "resource_type:unit_test",
    ]
    assert published_of(file_mode.target, settings.published_path) == settings.published_path
