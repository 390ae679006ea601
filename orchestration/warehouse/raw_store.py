"""Writing fetched payloads, item references and rejections to the raw layer."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime

import duckdb
import polars as pl

from orchestration.sources.collect import Collected
from orchestration.sources.dates import to_naive_utc
from orchestration.warehouse.connection import insert_frame, registered, transaction


def store_collected(conn: duckdb.DuckDBPyConnection, collected: Collected, run_id: str) -> dict:
    """Persist one fetch run in a single transaction; payloads already kept are not duplicated."""
    payloads = pl.DataFrame(
        [{"payload_sha256": sha, "url": response.url, "final_url": response.final_url,
          "status": response.status, "content_type": response.content_type,
          "etag": response.etag, "last_modified": response.last_modified,
          "fetched_at": to_naive_utc(response.fetched_at), "source": source,
          "body_zlib": zlib.compress(response.body, 6), "body_bytes": len(response.body)}
         for sha, (source, response) in collected.payloads.items()],
        schema={"payload_sha256": pl.Utf8, "url": pl.Utf8, "final_url": pl.Utf8,
                "status": pl.Int32, "content_type": pl.Utf8, "etag": pl.Utf8,
                "last_modified": pl.Utf8, "fetched_at": pl.Datetime("us"), "source": pl.Utf8,
                "body_zlib": pl.Binary, "body_bytes": pl.Int64},
    )
    items = pl.DataFrame(
        [{"run_id": run_id, "fetched_at": to_naive_utc(ref.fetched_at), "source": ref.source,
          "item_key": ref.item_key, "feed_payload_sha256": ref.feed_payload_sha256,
          "detail_url": ref.detail_url, "detail_payload_sha256": ref.detail_payload_sha256,
          "detail_status": ref.detail_status,
          "context_json": json.dumps(ref.context, sort_keys=True) if ref.context else None,
          "release_id": ref.release_id, "partition_date": ref.partition_date}
         for ref in collected.items],
        schema={"run_id": pl.Utf8, "fetched_at": pl.Datetime("us"), "source": pl.Utf8,
                "item_key": pl.Utf8, "feed_payload_sha256": pl.Utf8, "detail_url": pl.Utf8,
                "detail_payload_sha256": pl.Utf8, "detail_status": pl.Int32,
                "context_json": pl.Utf8, "release_id": pl.Utf8, "partition_date": pl.Date},
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    rejections = pl.DataFrame(
        [{"rejected_at": now, "source": rejection.source, "locator": rejection.locator,
          "reason": rejection.reason, "detail": rejection.detail, "payload_sha256": payload,
          "partition_date": partition}
         for rejection, payload, partition in collected.rejections],
        schema={"rejected_at": pl.Datetime("us"), "source": pl.Utf8, "locator": pl.Utf8,
                "reason": pl.Utf8, "detail": pl.Utf8, "payload_sha256": pl.Utf8,
                "partition_date": pl.Date},
    )
    rejections = rejections.unique(subset=["source", "locator", "reason"], keep="last",
                                   maintain_order=True)
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
    return {"payloads": payloads.height, "items": items.height, "rejected": rejections.height}


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

    def prefetch(self, refs: list[dict]) -> None:
        """Hold the payloads of these item rows (and drop the previous batch's)."""
        wanted = sorted({sha for ref in refs for sha in (ref.get("feed_payload_sha256"),
                                                        ref.get("detail_payload_sha256")) if sha})
        self._compressed = {}
        if wanted:
            with registered(self.conn, "wanted_payloads", pl.DataFrame({"payload_sha256": wanted})):
                self._compressed = dict(self.conn.execute(
                    "select payload_sha256, body_zlib from raw.http_responses "
                    "where payload_sha256 in (select payload_sha256 from wanted_payloads)"
                ).fetchall())

    def get(self, sha: str) -> bytes:
        body = self._compressed.get(sha)
        return zlib.decompress(body) if body is not None else load_payload(self.conn, sha)
