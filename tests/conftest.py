"""Shared fixtures: an isolated PRESSROOM_HOME per test and the path to ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_DIR.parent / "shared"

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


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
