"""Shared fixtures: an isolated PRESSROOM_HOME per test, the path to ../shared and a throwaway
PostgreSQL cluster."""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres_cluster import PostgresCluster, PostgresMissing

REPO_DIR = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_DIR.parent / "shared"

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

_DATABASE_NUMBERS = itertools.count(1)


def pytest_configure(config: pytest.Config) -> None:
    """The Dagster code location reads the dbt manifest when imported: parse dbt first (a
    fresh clone has no manifest; `dbt_project/target/` is not committed)."""
    from orchestration.cli import ensure_dbt_manifest

    ensure_dbt_manifest()


@pytest.fixture
def shared_dir() -> Path:
    """``../shared`` beside the clone (CI has it); tests that need it skip, saying why."""
    if not (SHARED_DIR / "seeds").is_dir():
        pytest.skip(f"{SHARED_DIR}/seeds is absent: the seed test needs ../shared beside the repo")
    return SHARED_DIR


@pytest.fixture
def pressroom_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data directory; the Dagster instance lives inside it."""
    home = tmp_path / "home"
    monkeypatch.setenv("PRESSROOM_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    monkeypatch.delenv("PRESSROOM_SOURCES", raising=False)
    return home


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL cluster on a free loopback port for the whole session.

    Fails (never skips) when PostgreSQL is not installed: `.ci/run` installs it.
    """
    try:
        cluster = PostgresCluster()
    except PostgresMissing as error:
        pytest.fail(str(error), pytrace=False)
    with cluster:
        yield cluster


@pytest.fixture
def postgres_dsn(postgres_cluster: PostgresCluster, request: pytest.FixtureRequest) -> str:
    """The URL (``postgresql://user:password@127.0.0.1:port/db``) of a new empty database
    for this test, on the session's cluster."""
    name = re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:40]
    return postgres_cluster.create_database(f"t{next(_DATABASE_NUMBERS)}_{name}")
