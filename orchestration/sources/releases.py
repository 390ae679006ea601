"""Turn kept payloads into releases. The same function serves live fetches and re-parses."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import wraps
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from orchestration.sources.config import SourceConfig
from orchestration.sources.dates import EARLIEST_PARTITION, DateParseError, parse_published
from orchestration.sources.europol import NodeError, parse_node
from orchestration.sources.feeds import FeedItem
from orchestration.sources.ids import europol_id, native_id, nato_aem_id
from orchestration.sources.models import ParsedRelease, Rejection
from orchestration.sources.pages import parse_article
from orchestration.sources.sitemap import (
    SitemapEntry,
    date_in_path,
    parse_model_json,
    parse_sitemap,
)
from orchestration.sources.text import counting_repairs


@dataclass(frozen=True)
class Detail:
    """The article page or API answer fetched for one item (status None: no answer at all)."""

    url: str
    status: int | None
    body: bytes | None


@dataclass(frozen=True)
class ItemContext:
    source: SourceConfig
    fetched_at: datetime
    now: datetime
    extra: dict[str, str] = field(default_factory=dict)


def partition_date_of(release: ParsedRelease, fetched_at: datetime) -> date:
    """Publication day (UTC), else the dump's as-of day, else the day it was fetched; a
    release published before the first partition is filed under that first day."""
    if release.published_at is not None:
        day = release.published_at.astimezone(UTC).date()
    else:
        day = release.default_partition_date or fetched_at.date()
    return max(day, EARLIEST_PARTITION)


Build = Callable[[Any, Any, "ItemContext"], "ParsedRelease | Rejection"]


def never_raises(build: Build) -> Build:
    """One bad item is a rejection of that item, never the end of its source's fetch: any
    error a hostile payload provokes in a parser (wrong JSON types, deep nesting, a date out
    of range, an unparseable link) becomes a ``parse_error`` rejection."""

    @wraps(build)
    def guarded(item: Any, detail: Any, context: ItemContext) -> ParsedRelease | Rejection:
        try:
            with counting_repairs() as repaired:
                release = build(item, detail, context)
            count = repaired[0] + getattr(item, "repaired", 0)  # a feed entry's own repairs
            if count and isinstance(release, ParsedRelease):  # counted per release
                metadata = {**release.metadata, "mojibake_repaired": str(count)}
                release = dataclasses.replace(release, metadata=metadata)
            return release
        except Exception as error:
            locator = (getattr(item, "link", None) or getattr(item, "loc", None)
                       or getattr(detail, "url", None) or str(item)[:200])
            return _reject(context.source, str(locator), "parse_error",
                           f"item could not be parsed ({type(error).__name__}: "
                           f"{str(error)[:200]}); item skipped, the rest of the feed loads")

    return guarded


def detail_url(source: SourceConfig, link: str) -> str | None:
    """Where the full text of an item lives, per the source's full_text method."""
    method = source.full_text.method
    if method == "html":
        return link
    if method == "json-api" and source.full_text.url_template:
        path = urlsplit(link).path if "://" in link else link
        return source.absolute(source.full_text.url_template.format(path=path, url=link))
    return None


def _reject(source: SourceConfig, locator: str, reason: str, detail: str) -> Rejection:
    return Rejection(source.name, locator, reason, detail)


def _published(raw: str | None, context: ItemContext, locator: str) -> datetime | Rejection | None:
    try:
        return parse_published(raw, zone=ZoneInfo(context.source.timezone), now=context.now)
    except DateParseError as error:
        return _reject(context.source, locator, error.reason,
                       f"publication date {error.text!r} is not a real date; item skipped")


@never_raises
def release_from_feed_item(
    item: FeedItem, detail: Detail | None, context: ItemContext
) -> ParsedRelease | Rejection:
    """Combine a feed entry with its full text (page or API) when that could be fetched."""
    source = context.source
    locator = f"{source.absolute(source.feed_url)}#{item.link or item.guid or item.index}"
    if not item.title:
        return _reject(source, locator, "missing_title",
                       f"feed item {item.index} ({item.link or 'no link'}) has no <title>")
    if item.cut_off:
        return _reject(source, locator, "cut_off_item",
                       f"feed item {item.title!r} is the last entry before the XML broke off; "
                       "it may be incomplete, so it was not loaded")
    published = _published(item.published_raw, context, locator)
    if isinstance(published, Rejection):
        return published
    body, summary = item.content_text or item.summary_text, item.summary_text or None
    truncated = not item.content_text and source.full_text.method != "none"
    title, metadata, hint = item.title, dict(context.extra), None
    if detail is not None and detail.status == 200 and detail.body:
        if source.full_text.method == "json-api":
            try:
                node = parse_node(detail.body)
            except NodeError as error:
                metadata["full_text_error"] = str(error)
            else:
                body, truncated, hint = node.body_text, False, node.article_type
                summary = summary or node.summary or None
                if node.tags:
                    metadata["tags"] = "; ".join(node.tags)
                if published is None:
                    published = _published(node.published_epoch, context, locator)
                    if isinstance(published, Rejection):
                        return published
        else:
            page = parse_article(detail.body.decode("utf-8", errors="replace"))
            if page.body_text:
                body, truncated = page.body_text, False
                metadata.update(page.metadata)
                title = page.title or title
    elif detail is not None:
        metadata["full_text_error"] = f"HTTP {detail.status or 'no answer'} for {detail.url}"
    if not body:
        return _reject(source, locator, "empty_body",
                       f"feed item {item.title!r} has no text and its full text is unavailable")
    if source.profile == "nato-legacy-cps" and item.link:
        page_type = (native_id(source.profile, guid=None, link=item.link, title="",
                               published=None) or "").split("_")[0]
        hint = metadata.get("press_release_code") or page_type or None
    return ParsedRelease(
        source=source.name,
        source_name=source.display_name,
        native_id=native_id(source.profile, guid=item.guid, link=item.link, title=item.title,
                            published=item.published_raw),
        title=title,
        body_text=body,
        url=item.link,
        summary=summary,
        published_at=published,
        is_truncated=truncated,
        language=source.language,
        release_type_hint=hint,
        metadata=metadata,
    )


@never_raises
def release_from_node(alias: str, detail: Detail, context: ItemContext
                      ) -> ParsedRelease | Rejection:
    """A Europol article reached only through the API's ``navigation.previous`` chain."""
    source = context.source
    if detail.status != 200 or not detail.body:
        return _reject(source, detail.url, "http_error",
                       f"HTTP {detail.status or 'no answer'} for {detail.url}; backfill stopped")
    try:
        node = parse_node(detail.body)
    except NodeError as error:
        return _reject(source, detail.url, "invalid_node", str(error))
    published = _published(node.published_epoch, context, detail.url)
    if isinstance(published, Rejection):
        return published
    link = source.absolute(node.alias or alias)
    metadata = dict(context.extra)
    if node.tags:
        metadata["tags"] = "; ".join(node.tags)
    return ParsedRelease(
        source=source.name,
        source_name=source.display_name,
        native_id=europol_id(link) or native_id(source.profile, guid=None, link=link,
                                                  title=node.title, published=None),
        title=node.title,
        body_text=node.body_text,
        url=link,
        summary=node.summary or None,
        published_at=published,
        is_truncated=False,
        language=source.language,
        release_type_hint=node.article_type,
        metadata=metadata,
    )


def articles_in_sitemap(source: SourceConfig, payload: bytes) -> list[SitemapEntry]:
    """Sitemap entries that are articles for this source's profile (newest first)."""
    entries = parse_sitemap(payload)
    if source.profile == "nato-aem":
        entries = [entry for entry in entries if nato_aem_id(entry.loc)]
    return entries


@never_raises
def release_from_sitemap_entry(entry: SitemapEntry, detail: Detail | None,
                               context: ItemContext) -> ParsedRelease | Rejection:
    """An article listed in a sitemap, with its text from the page's JSON model."""
    source = context.source
    if detail is None or detail.status != 200 or not detail.body:
        status = detail.status if detail else None
        return _reject(source, entry.loc, "http_error",
                       f"HTTP {status or 'no answer'} for the model of {entry.loc}")
    try:
        page = parse_model_json(detail.body)
    except (ValueError, UnicodeDecodeError) as error:
        return _reject(source, entry.loc, "invalid_model", f"model JSON unusable: {error}")
    if not page.title or not page.body_text:
        return _reject(source, entry.loc, "empty_body", f"{entry.loc} has no title or text")
    published = _published(page.modified or date_in_path(entry.loc) or entry.lastmod,
                           context, entry.loc)
    if isinstance(published, Rejection):
        return published
    metadata = dict(context.extra)
    if page.tags:
        metadata["tags"] = "; ".join(page.tags)
    return ParsedRelease(
        source=source.name, source_name=source.display_name,
        native_id=native_id(source.profile, guid=None, link=entry.loc, title=page.title,
                            published=entry.lastmod),
        title=page.title, body_text=page.body_text, url=entry.loc,
        summary=page.summary or None, published_at=published, is_truncated=False,
        language=source.language, release_type_hint=entry.loc.split("/en/")[-1].split("/")[0],
        metadata=metadata,
    )
