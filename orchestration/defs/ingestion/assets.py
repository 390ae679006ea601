"""Ingestion assets: fetch sources into raw.http_responses, then build raw.releases per day."""

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from orchestration.defs.partition_metadata import describe_partitions, rows_by_partition
from orchestration.defs.partitions import DUCKDB_POOL, release_partitions, window_of
from orchestration.defs.resources import SourcesResource, WarehouseResource
from orchestration.defs.retries import LOCK_RETRY, retry_on_lock_only
from orchestration.sources.collect import Collected
from orchestration.sources.config import DumpConfig, SourcesFile
from orchestration.sources.runner import collect_dumps, collect_sources, known_labels
from orchestration.warehouse.connection import retry_conflicts
from orchestration.warehouse.raw_store import store_all, store_collected
from orchestration.warehouse.releases import rebuild_releases
from orchestration.warehouse.schema import in_lake

if TYPE_CHECKING:
    from orchestration.sources.http_transport import HttpTransport

RAW_HTTP_RESPONSES = dg.AssetKey(["raw", "http_responses"])
RAW_FETCHED_ITEMS = dg.AssetKey(["raw", "fetched_items"])
RAW_REJECTED_ITEMS = dg.AssetKey(["raw", "rejected_items"])
RAW_RELEASES = dg.AssetKey(["raw", "releases"])
FETCH_ASSETS = (RAW_HTTP_RESPONSES, RAW_FETCHED_ITEMS, RAW_REJECTED_ITEMS)


class FetchConfig(dg.Config):
    """What one fetch run reads: the configured sources, and/or one extra text dump."""

    include_sources: bool = True
    dump_path: str | None = None
    dump_as_of: str | None = None


MAX_LOGGED_REJECTIONS = 50


def _known_release_ids(conn, sources_file: SourcesFile) -> frozenset[str]:
    """The releases already kept, where a source walking back through older items stops.
    An archive's whole set of ids (~100 MB at 1,000,000), so read only when an enabled
    source walks back."""
    if not any(
        source.enabled and source.backfill.method == "linked-list"
        for source in sources_file.sources
    ):
        return frozenset()
    rows = conn.execute("select distinct release_id from raw.releases").fetchall()
    return frozenset(row[0] for row in rows)


def _live_transport(sources: SourcesResource) -> "HttpTransport":
    from orchestration.sources.http import HttpSettings
    from orchestration.sources.http_transport import HttpTransport

    base = HttpSettings(allowed_private_endpoints=tuple(sources.allowed_endpoints))
    return HttpTransport(Path(sources.http_cache_path), base)


class FetchTally:
    """What a fetch stored, kept as counts (each source's payloads are written and dropped
    before the next source is fetched)."""

    def __init__(self) -> None:
        self.counts = {"payloads": 0, "items": 0, "rejected": 0}
        self.by_source: dict[str, int] = {}
        self.first: date | None = None
        self.last: date | None = None
        self.rejections: list[str] = []

    def add(self, collected: Collected, counts: dict[str, int]) -> None:
        for name, value in counts.items():
            self.counts[name] += value
        for ref in collected.items:
            self.by_source[ref.source] = self.by_source.get(ref.source, 0) + 1
            day = ref.partition_date
            self.first = day if self.first is None else min(self.first, day)
            self.last = day if self.last is None else max(self.last, day)
        for rejection, _payload, _partition in collected.rejections:
            self.rejections.append(
                f"rejected [{rejection.source}] {rejection.locator}: "
                f"{rejection.reason}: {rejection.detail}"
            )


@dg.multi_asset(
    name="fetch_sources",
    specs=[
        dg.AssetSpec(
            RAW_HTTP_RESPONSES,
            group_name="ingestion",
            kinds={"duckdb"},
            description="Grain: one row per distinct payload (sha256), compressed.",
        ),
        dg.AssetSpec(
            RAW_FETCHED_ITEMS,
            group_name="ingestion",
            kinds={"duckdb"},
            description="Grain: one row per release observed in one fetch, naming "
            "the payloads it is parsed from.",
        ),
        dg.AssetSpec(
            RAW_REJECTED_ITEMS,
            group_name="ingestion",
            kinds={"duckdb"},
            description="Grain: one row per refused item (source, locator, reason).",
        ),
    ],
    pool=DUCKDB_POOL,
    retry_policy=LOCK_RETRY,
    description=(
        "Fetches every enabled source (or replays the bundled sample) and any text dump, "
        "keeping every payload so that anything can be re-parsed without refetching."
    ),
)
@retry_on_lock_only
def fetch_sources(
    context: dg.AssetExecutionContext,
    config: FetchConfig,
    warehouse: WarehouseResource,
    sources: SourcesResource,
):
    sources_file = sources.load()
    config_path = Path(sources.path)
    tally = FetchTally()
    with warehouse.connect() as conn:
        known = _known_release_ids(conn, sources_file)

        lake, conflicts = in_lake(conn), []

        def store_one(collected: Collected) -> dict:  # on the writer thread: no Dagster log
            return retry_conflicts(  # a DuckLake commit another writer beat: redo it
                lambda: store_collected(conn, collected, context.run_id),
                what="storing a fetch (one source or dump)",
                log=conflicts.append,
            )

        def stored(collected: Collected, counts: dict) -> None:
            tally.add(collected, counts)
            for line in conflicts:
                context.log.warning(line)
            conflicts.clear()

        def store(results) -> None:
            # one source (or dump) at a time, written while the next is fetched: bounded memory
            store_all(conn, results, store_one, stored, checkpoint=not lake)

        if config.include_sources:
            needs_http = not sources_file.replay_dir and any(
                source.enabled for source in sources_file.sources
            )
            transport = _live_transport(sources) if needs_http else None
            try:
                store(
                    collect_sources(
                        sources_file,
                        config_path,
                        live_transport=transport,
                        known_release_ids=known,
                        source_timeout_s=sources.fetch_timeout_s,
                    )
                )
            finally:
                if transport is not None:
                    transport.close()
            store(collect_dumps(sources_file.dumps, config_path, known_labels(sources_file)))
        if config.dump_path:
            if not config.dump_as_of:
                raise dg.Failure("a text dump needs its as-of date (dump_as_of: YYYY-MM-DD)")
            extra = DumpConfig(
                path=str(Path(config.dump_path).resolve()),
                as_of=date.fromisoformat(config.dump_as_of),
            )
            store(collect_dumps([extra], None, known_labels(sources_file)))
    for line in tally.rejections[:MAX_LOGGED_REJECTIONS]:
        context.log.warning(line)
    if len(tally.rejections) > MAX_LOGGED_REJECTIONS:
        context.log.warning(
            f"... and {len(tally.rejections) - MAX_LOGGED_REJECTIONS} more "
            "rejections (raw.rejected_items has them all)"
        )
    yield dg.MaterializeResult(
        asset_key=RAW_HTTP_RESPONSES, metadata={"payloads": tally.counts["payloads"]}
    )
    yield dg.MaterializeResult(
        asset_key=RAW_FETCHED_ITEMS,
        metadata={
            "items_fetched": tally.counts["items"],
            "items_by_source": dg.MetadataValue.json(tally.by_source),
            "first_partition": tally.first.isoformat() if tally.first else "",
            "last_partition": tally.last.isoformat() if tally.last else "",
        },
    )
    yield dg.MaterializeResult(
        asset_key=RAW_REJECTED_ITEMS, metadata={"rejected": tally.counts["rejected"]}
    )


@dg.asset(
    key=RAW_RELEASES,
    deps=[RAW_FETCHED_ITEMS, RAW_HTTP_RESPONSES],
    partitions_def=release_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=DUCKDB_POOL,
    retry_policy=LOCK_RETRY,
    group_name="ingestion",
    kinds={"duckdb", "python"},
    description=(
        "Grain: one row per release version (release_id, version); partitioned by publication "
        "year. Rebuilt for the run's window from kept payloads (never refetched): same input, "
        "same rows."
    ),
)
@retry_on_lock_only
def raw_releases(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, sources: SourcesResource
) -> dg.MaterializeResult:
    window = window_of(context)
    configured = {source.name: source for source in sources.load().sources}
    keys = context.partition_keys

    def rebuild(conn):
        stats = rebuild_releases(conn, configured, window.start, window.end)
        return stats, {
            "releases": rows_by_partition(conn, "raw.releases", keys, "count(distinct release_id)"),
            "versions": rows_by_partition(conn, "raw.releases", keys),
            "rejected": rows_by_partition(conn, "raw.rejected_items", keys),
        }

    stats, per_year = warehouse.write(
        rebuild, what=f"raw.releases {window}", log=context.log.warning
    )
    context.log.info(f"raw.releases {window}: {stats}")
    describe_partitions(context, per_year)  # each year's own rows
    # What this run did, over its whole window (the same on every partition of the run).
    return dg.MaterializeResult(
        metadata={
            "run_window": str(window),
            "run_fetched": stats.observations,
            "run_releases_rebuilt": stats.releases,
            "run_new": stats.new,
            "run_changed": stats.changed,
            "run_unchanged": stats.unchanged,
            "run_versions_written": stats.versions_written,
        }
    )
