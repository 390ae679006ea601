"""Re-parse releases from kept payloads (backfills and reprocessing never refetch)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache

from orchestration.sources.config import SourceConfig
from orchestration.sources.dump import parse_dump
from orchestration.sources.feeds import FeedItem, parse_feed
from orchestration.sources.models import ParsedRelease, Rejection
from orchestration.sources.releases import (
    Detail,
    ItemContext,
    articles_in_sitemap,
    release_from_feed_item,
    release_from_node,
    release_from_sitemap_entry,
)
from orchestration.sources.sitemap import SitemapEntry

PayloadLoader = Callable[[str], bytes]
ContentTypeOf = Callable[[str], "str | None"]
PAYLOADS_CACHED = 32  # inflated article pages (feeds, dumps and sitemaps are cached parsed)
PARSED_CACHED = 4  # parsed feeds, dumps and sitemaps, indexed by entry key


class Rebuilder:
    """Builds one release per item reference; parsed payloads are cached per sha256.

    The caches are small on purpose: an archive feed page holds thousands of entries (tens
    of MB parsed), and observations arrive sorted by release, so by source and page; a few
    pages in memory serve a whole batch without holding the archive.
    """

    def __init__(self, sources: dict[str, SourceConfig], load_payload: PayloadLoader,
                 now: datetime | None = None, content_type_of: ContentTypeOf | None = None
                 ) -> None:
        self.sources = sources
        self.now = now or datetime.now(UTC)
        self._load = load_payload  # a feed page is parsed once: its bytes are not kept
        self._content_type = content_type_of or (lambda _sha: None)
        self._payload = lru_cache(maxsize=PAYLOADS_CACHED)(load_payload)
        self._feed = lru_cache(maxsize=PARSED_CACHED)(self._parse_feed)
        self._dump = lru_cache(maxsize=PARSED_CACHED)(self._parse_dump)
        self._sitemap = lru_cache(maxsize=PARSED_CACHED)(self._parse_sitemap)

    def _parse_sitemap(self, sha: str, source_name: str) -> dict[str, SitemapEntry]:
        source = self.sources[source_name]
        return {entry.loc: entry for entry in articles_in_sitemap(source, self._load(sha))}

    def _parse_feed(self, sha: str) -> dict[str, FeedItem]:
        """Entries of a feed payload by key (the first entry wins for a repeated key)."""
        items: dict[str, FeedItem] = {}
        for item in parse_feed(self._load(sha), self._content_type(sha)).items:
            items.setdefault(item.key, item)
        return items

    def _parse_dump(self, sha: str, as_of: str, known: str) -> dict[str, ParsedRelease]:
        parsed = parse_dump(self._load(sha).decode("utf-8", errors="replace"),
                            date.fromisoformat(as_of), known_sources=json.loads(known))
        return {release.native_id: release for release in parsed.releases}

    def build(self, row: dict) -> ParsedRelease | Rejection | None:
        """``row`` is a raw.fetched_items record; None when its payload no longer yields it."""
        context = json.loads(row.get("context_json") or "{}")
        if "as_of" in context:
            releases = self._dump(row["feed_payload_sha256"], context["as_of"],
                                  context.get("known_sources", "{}"))
            return releases.get(row["item_key"])
        source = self.sources.get(row["source"])
        if source is None:
            return Rejection(row["source"], row["item_key"], "unknown_source",
                             f"source {row['source']!r} is no longer configured; kept rows stay")
        fetched_at = row["fetched_at"]
        if fetched_at.tzinfo is None:
            fetched_at = fetched_at.replace(tzinfo=UTC)
        item_context = ItemContext(source, fetched_at, self.now)
        detail = None
        if row.get("detail_url"):
            body = (self._payload(row["detail_payload_sha256"])
                    if row.get("detail_payload_sha256") else None)
            detail = Detail(row["detail_url"], row.get("detail_status"), body)
        if not row.get("feed_payload_sha256"):
            return release_from_node(row["item_key"], detail, item_context) if detail else None
        if source.kind == "sitemap":
            entries = self._sitemap(row["feed_payload_sha256"], source.name)
            entry = entries.get(row["item_key"])
            return release_from_sitemap_entry(entry, detail, item_context) if entry else None
        item = self._feed(row["feed_payload_sha256"]).get(row["item_key"])
        return release_from_feed_item(item, detail, item_context) if item else None
