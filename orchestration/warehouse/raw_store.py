"""Writing fetched payloads, item references and rejections to the raw layer."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime

import duckdb
import polars as pl

from orchestration.sources.collect import Collected, ItemRef
from orchestration.sources.dates import to_naive_utc
from orchestration.sources.models import ParsedRelease
from orchestration.warehouse.connection import (
    MEMORY_LIMIT,
    insert_frame,
    registered,
    transaction,
)

# One item's payloads as a key: equal for every observation of the same payloads, in
# raw.fetched_items and in any frame with its columns.
PARSE_KEY = (
    "md5(to_json([source, item_key, feed_payload_sha256, detail_url, "
    "detail_payload_sha256, cast(detail_status as varchar), context_json]))"
)
REF_SCHEMA = {
    "source": pl.Utf8,
    "item_key": pl.Utf8,
    "feed_payload_sha256": pl.Utf8,
    "detail_url": pl.Utf8,
    "detail_payload_sha256": pl.Utf8,
    "detail_status": pl.Int32,
    "context_json": pl.Utf8,
}
PARSED_SCHEMA = {
    "parser": pl.Utf8,
    "release_id": pl.Utf8,
    "source_name": pl.Utf8,
    "native_id": pl.Utf8,
    "url": pl.Utf8,
    "title": pl.Utf8,
    "summary": pl.Utf8,
    "body_text": pl.Utf8,
    "published_at": pl.Datetime("us"),
    "is_truncated": pl.Boolean,
    "language": pl.Utf8,
    "release_type_hint": pl.Utf8,
    "metadata_json": pl.Utf8,
    "content_hash": pl.Utf8,
}
PARSED_COLUMNS = ", ".join(
    ["parse_key", "parser", "release_id", "source", *list(PARSED_SCHEMA)[2:]]
)


def ref_columns(ref: ItemRef) -> dict:
    """The raw.fetched_items columns that make up an item's parse key."""
    return {
        "source": ref.source,
        "item_key": ref.item_key,
        "feed_payload_sha256": ref.feed_payload_sha256,
        "detail_url": ref.detail_url,
        "detail_payload_sha256": ref.detail_payload_sha256,
        "detail_status": ref.detail_status,
        "context_json": json.dumps(ref.context, sort_keys=True) if ref.context else None,
    }


def parsed_columns(release: ParsedRelease, parser: str) -> tuple:
    """One raw.parsed_items row's release columns, in `PARSED_SCHEMA` order."""
    metadata = release.metadata
    return (
        parser,
        release.release_id,
        release.source_name,
        release.native_id,
        release.url,
        release.title,
        release.summary,
        release.body_text,
        to_naive_utc(release.published_at),
        release.is_truncated,
        release.language,
        release.release_type_hint,
        json.dumps(metadata, sort_keys=True, ensure_ascii=False) if metadata else "{}",
        release.content_hash,
    )


def store_parses(conn: duckdb.DuckDBPyConnection, parses: pl.DataFrame) -> int:
    """Keep parses (frame: `REF_SCHEMA` and `PARSED_SCHEMA` columns, one row per parse key),
    replacing any kept parse of the same key. Inside the caller's transaction."""
    if parses.height == 0:
        return 0
    # scanned by name, not registered: the rebuild calls this in a loop inside one
    # transaction, which kept every registered batch until its commit (see `registered`)
    incoming_parses = parses.to_arrow()  # noqa: F841
    conn.execute(
        f"delete from raw.parsed_items where parse_key in (select {PARSE_KEY} from incoming_parses)"
    )
    conn.execute(
        f"insert into raw.parsed_items ({PARSED_COLUMNS}) "
        f"select {PARSE_KEY}, {PARSED_COLUMNS.removeprefix('parse_key, ')} "
        "from incoming_parses"
    )
    return parses.height


def parse_rows(refs: list[tuple[dict, ParsedRelease, str]]) -> pl.DataFrame:
    """The parses of (ref columns, release, parser) as `store_parses` takes them: the first
    of a parse key wins."""
    rows, keys = [], set()
    for ref, release, parser in refs:
        key = tuple(ref[column] for column in REF_SCHEMA)
        if key not in keys:
            keys.add(key)
            rows.append(key + parsed_columns(release, parser))
    return pl.DataFrame(rows, schema={**REF_SCHEMA, **PARSED_SCHEMA}, orient="row")


def store_collected(conn: duckdb.DuckDBPyConnection, collected: Collected, run_id: str) -> dict:
    """Persist one fetch run in a single transaction; payloads already kept are not duplicated."""
    payloads = pl.DataFrame(
        [
            {
                "payload_sha256": sha,
                "url": response.url,
                "final_url": response.final_url,
                "status": response.status,
                "content_type": response.content_type,
                "etag": response.etag,
                "last_modified": response.last_modified,
                "fetched_at": to_naive_utc(response.fetched_at),
                "source": source,
                "body_zlib": zlib.compress(response.body, 6),
                "body_bytes": len(response.body),
            }
            for sha, (source, response) in collected.payloads.items()
        ],
        schema={
            "payload_sha256": pl.Utf8,
            "url": pl.Utf8,
            "final_url": pl.Utf8,
            "status": pl.Int32,
            "content_type": pl.Utf8,
            "etag": pl.Utf8,
            "last_modified": pl.Utf8,
            "fetched_at": pl.Datetime("us"),
            "source": pl.Utf8,
            "body_zlib": pl.Binary,
            "body_bytes": pl.Int64,
        },
    )
    items = pl.DataFrame(
        [
            {
                "run_id": run_id,
                "fetched_at": to_naive_utc(ref.fetched_at),
                **ref_columns(ref),
                "release_id": ref.release_id,
                "partition_date": ref.partition_date,
            }
            for ref in collected.items
        ],
        schema={
            "run_id": pl.Utf8,
            "fetched_at": pl.Datetime("us"),
            **REF_SCHEMA,
            "release_id": pl.Utf8,
            "partition_date": pl.Date,
        },
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    rejections = pl.DataFrame(
        [
            {
                "rejected_at": now,
                "source": rejection.source,
                "locator": rejection.locator,
                "reason": rejection.reason,
                "detail": rejection.detail,
                "payload_sha256": payload,
                "partition_date": partition,
            }
            for rejection, payload, partition in collected.rejections
        ],
        schema={
            "rejected_at": pl.Datetime("us"),
            "source": pl.Utf8,
            "locator": pl.Utf8,
            "reason": pl.Utf8,
            "detail": pl.Utf8,
            "payload_sha256": pl.Utf8,
            "partition_date": pl.Date,
        },
    )
    rejections = rejections.unique(
        subset=["source", "locator", "reason"], keep="last", maintain_order=True
    )
    parses = parse_rows(
        [
            (ref_columns(ref), ref.release, ref.parser)
            for ref in collected.items
            if ref.release is not None and ref.parser
        ]
    )
    with transaction(conn):
        if payloads.height:
            with registered(conn, "incoming_payloads", payloads):
                conn.execute("""
                    insert into raw.http_responses
                    select * from incoming_payloads
                    where payload_sha256 not in (select payload_sha256 from raw.http_responses)
                """)
        # A fetch run replayed with the same fetch time (sample, tests) replaces itself.
        if items.height:
            keys = items.select("source", "item_key", "fetched_at")
            with registered(conn, "incoming_items", keys):
                conn.execute("""
                    delete from raw.fetched_items as kept using incoming_items as incoming
                    where kept.source = incoming.source and kept.item_key = incoming.item_key
                      and kept.fetched_at = incoming.fetched_at
                """)
        insert_frame(conn, "raw.fetched_items", items)
        if rejections.height:
            with registered(conn, "incoming_rejections", rejections):
                conn.execute("""
                    delete from raw.rejected_items as kept using incoming_rejections as incoming
                    where kept.source = incoming.source and kept.locator = incoming.locator
                      and kept.reason = incoming.reason
                """)
        insert_frame(conn, "raw.rejected_items", rejections)
        store_parses(conn, parses)
    return {"payloads": payloads.height, "items": items.height, "rejected": rejections.height}


# While a fetch stores, DuckDB checkpoints when its write-ahead log passes this size rather
# than DuckDB's 16 MB: at 16 MB each source's commit (a 5,000-entry archive page, ~30 MB)
# rewrote the tables into the file, a quarter of a 100,000-release fetch; the fetch
# checkpoints once when it is done instead (see `store_all`).
FETCH_CHECKPOINT_THRESHOLD = "1GiB"

# A fetch only appends, so DuckDB's buffer pool is smaller while it stores than the
# warehouse's `MEMORY_LIMIT`: committed rows not yet checkpointed stay in the pool (or spill
# to the temp directory beyond it), so a 1,000,000-release fetch filled the whole 600 MB
# (RSS 1.23 GB median, 1.35 GB peak over its first 480,000 items); at 256 MB, 0.96 and
# 1.06 GB, storing as fast.
FETCH_MEMORY_LIMIT = "256MB"


@contextmanager
def fetch_settings(conn: duckdb.DuckDBPyConnection, *, checkpoint: bool) -> Iterator[None]:
    """DuckDB's settings while a fetch stores: `FETCH_MEMORY_LIMIT`, then the warehouse's
    `MEMORY_LIMIT` again (DuckDB prints a limit rounded, so the one read back is not set
    back), and on a DuckDB file `FETCH_CHECKPOINT_THRESHOLD`, then the threshold before."""
    previous = {"memory_limit": MEMORY_LIMIT}
    settings = {"memory_limit": FETCH_MEMORY_LIMIT}
    if checkpoint:
        settings["checkpoint_threshold"] = FETCH_CHECKPOINT_THRESHOLD
        previous["checkpoint_threshold"] = conn.execute(
            "select current_setting('checkpoint_threshold')"
        ).fetchone()[0]  # type: ignore[index]
    for name, value in settings.items():
        conn.execute(f"set {name} = '{value}'")
    try:
        yield
    finally:
        for name, value in previous.items():
            conn.execute(f"set {name} = '{value}'")


def store_all(
    conn: duckdb.DuckDBPyConnection,
    results: Iterable[Collected],
    store: Callable[[Collected], dict],
    stored: Callable[[Collected, dict], None],
    *,
    checkpoint: bool = True,
) -> None:
    """Store every fetched source with ``store(collected)`` (its counts go to ``stored``),
    each on a writer thread while the next source is fetched and parsed: zlib and DuckDB
    release the GIL, so one source's writes overlap the next one's parse. At most one source
    waits to be written (memory stays bounded by two sources). With ``checkpoint`` (a DuckDB
    file, not a lake), the database checkpoints once at the end, not at every commit.

    ``store`` and ``stored`` run one at a time, in the order of ``results``; an error of
    either (or of the fetch) is raised here once the write in progress has finished."""
    with fetch_settings(conn, checkpoint=checkpoint):
        with ThreadPoolExecutor(1, thread_name_prefix="fetch-writer") as writer:
            pending: tuple[Collected, Future[dict]] | None = None
            for collected in results:
                if pending is not None:
                    stored(pending[0], pending[1].result())
                pending = (collected, writer.submit(store, collected))
            if pending is not None:
                stored(pending[0], pending[1].result())
        if checkpoint:
            conn.execute("checkpoint")


def load_payload(conn: duckdb.DuckDBPyConnection, sha: str) -> bytes:
    row = conn.execute(
        "select body_zlib from raw.http_responses where payload_sha256 = ?", [sha]
    ).fetchone()
    if row is None:
        raise KeyError(f"payload {sha} is not in raw.http_responses")
    return zlib.decompress(row[0])


class PayloadCache:
    """Compressed payloads of a batch of item rows, fetched in one query, inflated on demand;
    a payload outside the batch is read on its own."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self.conn = conn
        self._compressed: dict[str, bytes] = {}
        self._types: dict[str, str | None] = {}

    def prefetch(self, refs: list[dict]) -> None:
        """Hold the payloads of these item rows (and drop the previous batch's)."""
        wanted = sorted(
            {
                sha
                for ref in refs
                for sha in (ref.get("feed_payload_sha256"), ref.get("detail_payload_sha256"))
                if sha
            }
        )
        self._compressed, self._types = {}, {}
        if wanted:
            with registered(self.conn, "wanted_payloads", pl.DataFrame({"payload_sha256": wanted})):
                for sha, body, content_type in self.conn.execute(
                    "select payload_sha256, body_zlib, content_type from raw.http_responses "
                    "where payload_sha256 in (select payload_sha256 from wanted_payloads)"
                ).fetchall():
                    self._compressed[sha], self._types[sha] = body, content_type

    def get(self, sha: str) -> bytes:
        body = self._compressed.get(sha)
        return zlib.decompress(body) if body is not None else load_payload(self.conn, sha)

    def content_type(self, sha: str) -> str | None:
        """The content type the payload was served with (feeds are parsed with it)."""
        if sha in self._types:
            return self._types[sha]
        row = self.conn.execute(
            "select content_type from raw.http_responses where payload_sha256 = ?", [sha]
        ).fetchone()
        return row[0] if row else None
