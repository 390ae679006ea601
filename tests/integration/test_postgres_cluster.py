"""The throwaway PostgreSQL cluster the DuckLake and Dagster-on-PostgreSQL tests run against."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.postgres_cluster import PostgresCluster, PostgresMissing, find_bindir


def test_cluster_serves_a_fresh_database_with_password_auth(
    postgres_cluster: PostgresCluster, postgres_dsn: str
) -> None:
    dbname = postgres_dsn.rsplit("/", 1)[1]
    assert postgres_dsn.startswith(f"postgresql://{postgres_cluster.user}:")
    assert postgres_cluster.psql("select current_database()", dbname) == dbname
    assert (
        postgres_cluster.psql("select count(*) from pg_tables where schemaname = 'public'", dbname)
        == "0"
    )
    assert int(postgres_cluster.psql("show server_version_num")) >= 130000


def test_wrong_password_is_refused(postgres_cluster: PostgresCluster) -> None:
    wrong = PostgresCluster(
        bindir=postgres_cluster.bindir, password="wrong", port=postgres_cluster.port
    )
    wrong.root = postgres_cluster.root
    with pytest.raises(RuntimeError, match="password authentication failed"):
        wrong.psql("select 1")


def test_missing_binaries_fail_with_the_install_hint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(
        "tests.postgres_cluster.Path",
        lambda *a: tmp_path / "none" if a == ("/usr/lib/postgresql",) else Path(*a),
    )
    with pytest.raises(PostgresMissing, match="apt-get install -y postgresql"):
        find_bindir(debian_root=tmp_path / "none")


def test_stop_removes_the_cluster_directory() -> None:
    with PostgresCluster() as cluster:
        root = cluster.root
        assert root is not None and (root / "data" / "PG_VERSION").is_file()
        assert cluster.psql("select 1") == "1"
    assert not root.exists()
