"""The fetch reads the ids of every kept release (an archive's whole set) only when an enabled
source walks back through older items, the one thing that uses them."""

from __future__ import annotations

from pathlib import Path

from orchestration.defs.ingestion.assets import _known_release_ids
from orchestration.sources.config import load_sources
from orchestration.warehouse.connection import open_warehouse
from orchestration.warehouse.schema import ensure_raw_schema
from tests.integration.raw_replay import rebuild_all, store_replays

SAMPLE_CONFIG = (
    Path(__file__).resolve().parents[2] / "orchestration" / "sources" / "sample" / "sources.yaml"
)


def test_ids_are_read_only_for_a_source_that_walks_back(tmp_path: Path) -> None:
    sample = load_sources(SAMPLE_CONFIG)
    walking = [s for s in sample.sources if s.enabled and s.backfill.method == "linked-list"]
    assert walking  # the sample's Europol feed walks back
    feeds_only = sample.model_copy(
        update={
            "sources": [
                s.model_copy(update={"enabled": False}) if s in walking else s
                for s in sample.sources
            ]
        }
    )
    with open_warehouse(tmp_path / "warehouse.duckdb") as conn:
        ensure_raw_schema(conn)
        store_replays(conn, SAMPLE_CONFIG, sample)
        rebuild_all(conn, sample)
        kept = {row[0] for row in conn.execute("select release_id from raw.releases").fetchall()}
        assert _known_release_ids(conn, sample) == kept
        assert _known_release_ids(conn, feeds_only) == frozenset()
    assert len(kept) > 60
