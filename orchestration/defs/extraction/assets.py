"""Extraction asset: people, places, events and participants for each daily partition."""

from __future__ import annotations

import json
from collections.abc import Iterator

import dagster as dg

from orchestration.defs.ingestion.assets import RAW_RELEASES
from orchestration.defs.partitions import DUCKDB_POOL, daily_partitions, window_of
from orchestration.defs.resources import WarehouseResource
from orchestration.warehouse.mentions import latest_releases, replace_mentions

RAW_MENTIONS = dg.AssetKey(["raw", "mentions"])


def _extracted_rows(batches: Iterator[list[dict]], tally: dict[str, int]
                    ) -> Iterator[dict[str, list[dict]]]:
    from orchestration.extract import (
        EXTRACTOR_VERSION,
        ReleaseInput,
        extract_many,
        extraction_rows,
    )

    for batch in batches:
        inputs = [
            ReleaseInput(
                release_id=row["release_id"], title=row["title"], body_text=row["body_text"],
                reference_date=row["reference_date"], source_name=row["source_name"],
                release_type_hint=row["release_type_hint"],
                metadata=json.loads(row["metadata_json"] or "{}"),
                is_truncated=row["is_truncated"],
            )
            for row in batch
        ]
        by_id = {row["release_id"]: row for row in batch}
        processes = 2 if len(inputs) >= 400 else 1
        out: dict[str, list[dict]] = {}
        for extraction in extract_many(inputs, processes=processes):
            release = by_id[extraction.release_id]
            tables = extraction_rows(extraction)
            tally["releases"] += 1
            if not any(tables.get(name) for name in ("person_mentions", "location_mentions",
                                                     "event_mentions")):
                tally["releases_with_no_mentions"] += 1
            for table, rows in tables.items():
                for row in rows:
                    row["partition_date"] = release["partition_date"]
                    row["extractor_version"] = EXTRACTOR_VERSION
                    if table == "release_annotations":
                        row["version"] = release["version"]
                out.setdefault(table, []).extend(rows)
        yield out


@dg.asset(
    key=RAW_MENTIONS,
    deps=[RAW_RELEASES],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=DUCKDB_POOL,
    group_name="extraction",
    kinds={"duckdb", "python"},
    description=(
        "Grain: one row per mention (person, place, event, participant) in the latest version "
        "of each release of the partition, each with its character span into body_text; plus "
        "raw.release_annotations (one row per release: release type). Writes "
        "raw.person_mentions, raw.location_mentions, raw.event_mentions, "
        "raw.event_participants and raw.release_annotations."
    ),
)
def raw_mentions(context: dg.AssetExecutionContext, warehouse: WarehouseResource
                 ) -> dg.MaterializeResult:
    start, end = window_of(context)
    tally = {"releases": 0, "releases_with_no_mentions": 0}
    with warehouse.connect() as conn:
        counts = replace_mentions(conn, start, end,
                                  _extracted_rows(latest_releases(conn, start, end), tally))
    from orchestration.extract import EXTRACTOR_VERSION

    return dg.MaterializeResult(metadata={
        **{f"rows_{table}": count for table, count in counts.items()},
        **tally,
        "extractor_version": EXTRACTOR_VERSION,
    })
