"""Replaying recorded fetches and dumps into a warehouse, and rebuilding its releases: the
raw-layer tests' shared steps (run ids are stable across runs)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from orchestration.sources.config import SourcesFile
from orchestration.sources.runner import collect_dumps, collect_sources, known_labels
from orchestration.warehouse.raw_store import store_collected
from orchestration.warehouse.releases import LoadStats, rebuild_releases

NOW = datetime(2024, 1, 1, tzinfo=UTC)
WIDE = (date(2000, 1, 1), date(2100, 1, 1))


def store_replays(conn: duckdb.DuckDBPyConnection, config_path: Path,
                  sources_file: SourcesFile) -> None:
    """Collect and store every recorded fetch and dump."""
    for number, collected in enumerate(collect_sources(sources_file, config_path, now=NOW)):
        store_collected(conn, collected, f"replay-{number:02d}")
    labels = known_labels(sources_file)
    for number, collected in enumerate(collect_dumps(sources_file.dumps, config_path, labels)):
        store_collected(conn, collected, f"dump-{number:02d}")


def rebuild_all(conn: duckdb.DuckDBPyConnection, sources_file: SourcesFile) -> LoadStats:
    """Rebuild the releases of every day."""
    return rebuild_releases(conn, {s.name: s for s in sources_file.sources}, *WIDE, now=NOW)
