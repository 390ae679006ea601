"""Extraction asset: people, places, events and participants for each daily partition."""


import json
from collections.abc import Iterator

import dagster as dg

from orchestration.defs.ingestion.assets import RAW_RELEASES
from orchestration.defs.partitions import DUCKDB_POOL, daily_partitions, window_of
from orchestration.defs.resources import WarehouseResource
from orchestration.warehouse.mentions import latest_releases, replace_mentions
from orchestration.warehouse.schema import MENTION_TABLES

MENTION_KEYS = {table: dg.AssetKey(["raw", table]) for table in MENTION_TABLES}
RAW_PERSON_MENTIONS = MENTION_KEYS["person_mentions"]
RAW_LOCATION_MENTIONS = MENTION_KEYS["location_mentions"]
RAW_EVENT_MENTIONS = MENTION_KEYS["event_mentions"]


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


_GRAINS = {
    "release_annotations": "one row per release (latest version): its release type",
    "person_mentions": "one row per person mention, with its span into body_text",
    "location_mentions": "one row per place mention, geocoded, with its span",
    "event_mentions": "one row per dated event mention, with its evidence span",
    "event_participants": "one row per person taking part in an event mention",
}


@dg.multi_asset(
    name="extract_mentions",
    specs=[
        dg.AssetSpec(key, deps=[RAW_RELEASES], group_name="extraction", kinds={"duckdb"},
                     description=f"Grain: {_GRAINS[table]}.")
        for table, key in MENTION_KEYS.items()
    ],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=DUCKDB_POOL,
    description=(
        "Runs the extractor over the latest version of each release in the partition window "
        "and replaces that window's rows in the five raw mention tables in one transaction."
    ),
)
def extract_mentions(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    start, end = window_of(context)
    tally = {"releases": 0, "releases_with_no_mentions": 0}
    with warehouse.connect() as conn:
        counts = replace_mentions(conn, start, end,
                                  _extracted_rows(latest_releases(conn, start, end), tally))
    from orchestration.extract import EXTRACTOR_VERSION

    for table, key in MENTION_KEYS.items():
        yield dg.MaterializeResult(asset_key=key, metadata={
            "rows": counts[table], **tally, "extractor_version": EXTRACTOR_VERSION,
        })
