"""Extraction asset: people, places, events and participants for the run's window."""

import dagster as dg

from orchestration.deadlines import deadline
from orchestration.defs.ingestion.assets import RAW_RELEASES
from orchestration.defs.partition_metadata import describe_partitions, rows_by_partition
from orchestration.defs.partitions import DUCKDB_POOL, release_partitions, window_of
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.retries import LOCK_RETRY, retry_on_lock_only
from orchestration.extract.pipeline import EXTRACTOR_VERSION
from orchestration.settings import timeout_setting
from orchestration.warehouse.mentions import (
    extract_batches,
    latest_releases,
    replace_mentions,
)
from orchestration.warehouse.schema import MENTION_TABLES

MENTION_KEYS = {table: dg.AssetKey(["raw", table]) for table in MENTION_TABLES}
RAW_PERSON_MENTIONS = MENTION_KEYS["person_mentions"]
RAW_LOCATION_MENTIONS = MENTION_KEYS["location_mentions"]
RAW_EVENT_MENTIONS = MENTION_KEYS["event_mentions"]


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
        # code_version: the Dagster UI marks partitions materialized by an older extractor
        dg.AssetSpec(key, deps=[RAW_RELEASES], group_name="extraction", kinds={"duckdb"},
                     code_version=EXTRACTOR_VERSION,
                     description=f"Grain: {_GRAINS[table]}.")
        for table, key in MENTION_KEYS.items()
    ],
    partitions_def=release_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=DUCKDB_POOL,
    retry_policy=LOCK_RETRY,
    description=(
        "Runs the extractor over the latest version of each release in the run's window "
        "(its yearly partitions, or the days a fetch touched), in batches, and replaces that "
        "window's rows in the five raw mention tables in one transaction."
    ),
)
@retry_on_lock_only
def extract_mentions(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    window = window_of(context)
    tally = {"releases": 0, "releases_with_no_mentions": 0}
    keys = context.partition_keys

    def extract(conn):
        tally.update(releases=0, releases_with_no_mentions=0)  # a redo counts afresh
        batches = extract_batches(latest_releases(conn, window.start, window.end), tally)
        # Past the limit the insert is interrupted and rolled back, the workers killed.
        with deadline(f"extraction of {window}", warehouse.extraction_timeout_s,
                      timeout_setting("extraction"), stop=conn.interrupt):
            counts = replace_mentions(conn, window.start, window.end, batches)
        return counts, {table: rows_by_partition(conn, f"raw.{table}", keys)
                        for table in MENTION_KEYS}

    counts, per_year = warehouse.write(extract, what=f"raw mentions {window}",
                                       log=context.log.warning)
    for table, key in MENTION_KEYS.items():
        describe_partitions(context, {"rows": per_year[table]}, asset_key=key)  # the year's
        # What this run did, over its whole window (the same on every partition of the run).
        yield dg.MaterializeResult(asset_key=key, metadata={
            "run_window": str(window), "run_rows_written": counts[table],
            **{f"run_{name}": value for name, value in tally.items()},
            "extractor_version": EXTRACTOR_VERSION,
        })
