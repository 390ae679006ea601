"""Fetch every configured source through a transport and record what arrived.

The result is three lists: payloads (kept byte for byte), item references (which payloads
make up which release) and rejections. `rebuild.py` turns references back into releases
from kept payloads, with the same functions used here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from orchestration.sources.bodies import json_refusal, xml_complete, xml_refusal
from orchestration.sources.config import DumpConfig, SourceConfig
from orchestration.sources.dump import parse_dump
from orchestration.sources.feeds import parse_feed
from orchestration.sources.fingerprint import parser_fingerprint
from orchestration.sources.models import ParsedRelease, Rejection
from orchestration.sources.redact import Redactor
from orchestration.sources.releases import (
    Detail,
    ItemContext,
    articles_in_sitemap,
    detail_url,
    partition_date_of,
    release_from_feed_item,
    release_from_node,
    release_from_sitemap_entry,
)
from orchestration.sources.sitemap import SitemapError
from orchestration.sources.transport import Response, Transport, TransportError

DUMP_SOURCE = "dump"


def looks_like_xml(response: Response) -> str | None:
    """Refuse HTML maintenance pages and other non-XML bodies served for a feed URL (a real
    parse with the safe parser options, not a prefix sniff)."""
    return xml_refusal(response.body, response.content_type)


def looks_like_json(response: Response) -> str | None:
    return json_refusal(response.body, response.content_type)


def xml_cacheable(response: Response) -> bool:
    """Only a feed that parses completely is cached; a truncated one is read, never kept."""
    return xml_complete(response.body)


@dataclass(frozen=True)
class ItemRef:
    """Which kept payloads make up one release observed in one fetch."""

    source: str
    item_key: str
    fetched_at: datetime
    release_id: str
    partition_date: date
    feed_payload_sha256: str | None = None
    detail_url: str | None = None
    detail_payload_sha256: str | None = None
    detail_status: int | None = None
    context: dict[str, str] = field(default_factory=dict)
    # The release this fetch parsed from those payloads, kept so that the rebuild need not
    # parse them again, and the parser's fingerprint; None when the rebuild would not derive
    # the same release from the kept payloads (a repeated key, a URL redacted after parsing).
    release: ParsedRelease | None = field(default=None, compare=False, repr=False)
    parser: str | None = None


@dataclass
class Collected:
    payloads: dict[str, tuple[str, Response]] = field(default_factory=dict)  # sha -> (source, r)
    items: list[ItemRef] = field(default_factory=list)
    rejections: list[tuple[Rejection, str | None, date | None]] = field(default_factory=list)

    def keep(self, source: str, response: Response) -> str:
        self.payloads.setdefault(response.sha256, (source, response))
        return response.sha256

    def reject(self, rejection: Rejection, payload: str | None = None,
               partition: date | None = None) -> None:
        self.rejections.append((rejection, payload, partition))


def _fetch(transport: Transport, url: str, validate=None, cacheable=None
           ) -> Response | TransportError:
    try:
        return transport.get(url, validate=validate, cacheable=cacheable)
    except TransportError as error:
        return error


def _record(collected: Collected, release: ParsedRelease | Rejection, ref: dict,
            fetched_at: datetime, payload: str | None) -> ParsedRelease | None:
    if isinstance(release, Rejection):
        collected.reject(release, payload, fetched_at.date())
        return None
    collected.items.append(ItemRef(
        release_id=release.release_id, partition_date=partition_date_of(release, fetched_at),
        fetched_at=fetched_at, release=release if ref.get("parser") else None, **ref,
    ))
    return release


def _collect_detail(collected: Collected, transport: Transport, source: SourceConfig,
                    url: str) -> tuple[Detail, str | None]:
    is_json = source.full_text.method == "json-api"
    answer = _fetch(transport, url, looks_like_json if is_json else None)
    if isinstance(answer, TransportError):
        collected.reject(Rejection(source.name, url, answer.reason,
                                   f"full text unavailable, kept the feed teaser: {answer.detail}"))
        return Detail(url, None, None), None
    sha = collected.keep(source.name, answer)
    return Detail(url, answer.status, answer.body), sha


def collect_source(
    source: SourceConfig, transport: Transport, *, now: datetime | None = None,
    known_release_ids: frozenset[str] = frozenset(),
) -> Collected:
    """Fetch a feed, then each item's full text, then (if configured) walk back the archive.

    Never raises for what a source sends: an item that breaks a parser is a rejection of that
    item, and anything else that goes wrong ends this source's fetch with a rejection while
    every other source goes on. Secrets in URLs and messages are redacted before returning.
    """
    collected = Collected()
    feed_url = source.absolute(source.feed_url)
    try:
        _collect_source(collected, source, transport, now, known_release_ids)
    except Exception as error:
        collected.reject(Rejection(source.name, feed_url, "source_failed",
                                   f"fetching this source stopped ({type(error).__name__}: "
                                   f"{str(error)[:300]}); other sources are unaffected"))
    redactor = Redactor.for_urls([feed_url], source.http.secret_params,
                                 transport.secret_values())
    return redact_collected(collected, redactor)


def redact_collected(collected: Collected, redactor: Redactor) -> Collected:
    """The same fetch with every kept URL, locator and message scrubbed of secrets."""
    safe = Collected()
    for sha, (source, response) in collected.payloads.items():
        safe.payloads[sha] = (source, replace(response, url=redactor.url(response.url) or "",
                                              final_url=redactor.url(response.final_url) or ""))
    safe.items = [_redacted_ref(ref, redactor) for ref in collected.items]
    safe.rejections = [
        (Rejection(rejection.source, redactor.url(rejection.locator) or "", rejection.reason,
                   redactor.scrub(rejection.detail)), payload, partition)
        for rejection, payload, partition in collected.rejections]
    return safe


def _redacted_ref(ref: ItemRef, redactor: Redactor) -> ItemRef:
    """``ref`` with its detail URL redacted; its parse is dropped when that changed the URL
    (the parse may quote the URL, and the rebuild parses with the redacted one)."""
    url = redactor.url(ref.detail_url)
    if url == ref.detail_url:
        return ref
    return replace(ref, detail_url=url, release=None, parser=None)


def _item_failed(collected: Collected, source: SourceConfig, locator: str, error: Exception,
                 payload: str | None, day: date) -> None:
    collected.reject(Rejection(source.name, locator, "parse_error",
                               f"item could not be read ({type(error).__name__}: "
                               f"{str(error)[:200]}); item skipped, the rest of the feed loads"),
                     payload, day)


def _collect_source(collected: Collected, source: SourceConfig, transport: Transport,
                    now: datetime | None, known_release_ids: frozenset[str]) -> None:
    feed_url = source.absolute(source.feed_url)
    answer = _fetch(transport, feed_url, looks_like_xml, xml_cacheable)
    if isinstance(answer, TransportError):
        collected.reject(Rejection(source.name, feed_url, answer.reason, answer.detail))
        return
    if not answer.ok:
        collected.reject(Rejection(source.name, feed_url, "http_status",
                                   f"feed answered HTTP {answer.status}; nothing fetched"))
        return
    feed_sha = collected.keep(source.name, answer)
    context = ItemContext(source, answer.fetched_at, now or datetime.now(UTC))
    if source.kind == "sitemap":
        _collect_sitemap(collected, transport, source, context, answer, feed_sha)
        return
    feed = parse_feed(answer.body, answer.content_type)
    if feed.malformed:
        collected.reject(Rejection(source.name, feed_url, "malformed_feed",
                                   f"{feed.malformed}; kept the {len(feed.items)} entries "
                                   "that could be recovered"), feed_sha, answer.fetched_at.date())
    oldest: tuple[ParsedRelease, Detail] | None = None
    parser, keys = parser_fingerprint(source), set()
    for item in feed.items:
        repeated = item.key in keys  # a re-parse finds the first entry of a repeated key
        keys.add(item.key)
        try:
            url = detail_url(source, item.link) if item.link else None
            detail, detail_sha = (None, None)
            if url and item.title:
                detail, detail_sha = _collect_detail(collected, transport, source, url)
            release = release_from_feed_item(item, detail, context)
            ref = {"source": source.name, "item_key": item.key, "feed_payload_sha256": feed_sha,
                   "detail_url": url, "detail_payload_sha256": detail_sha,
                   "detail_status": detail.status if detail else None,
                   "parser": None if repeated else parser}
            kept = _record(collected, release, ref, answer.fetched_at, feed_sha)
        except Exception as error:  # one bad item never costs the others
            _item_failed(collected, source, f"{feed_url}#{item.key}", error, feed_sha,
                         answer.fetched_at.date())
            continue
        if kept is not None and detail is not None and detail.status == 200:
            oldest = (kept, detail)
    if source.backfill.method == "linked-list" and oldest is not None:
        _walk_back(collected, transport, source, context, oldest[1], known_release_ids)


def _collect_sitemap(collected: Collected, transport: Transport, source: SourceConfig,
                     context: ItemContext, answer: Response, sitemap_sha: str) -> None:
    """The newest ``backfill.max_items`` article URLs of a sitemap, each with its model."""
    try:
        entries = articles_in_sitemap(source, answer.body)
    except SitemapError as error:
        collected.reject(Rejection(source.name, answer.url, "malformed_sitemap", str(error)),
                         sitemap_sha, answer.fetched_at.date())
        return
    parser = parser_fingerprint(source)
    repeated = _repeated(entry.loc for entry in entries)  # a re-parse finds the last of them
    for entry in entries[: source.backfill.max_items]:
        try:
            url = detail_url(source, entry.loc)
            detail, detail_sha = (None, None)
            if url:
                detail, detail_sha = _collect_detail(collected, transport, source, url)
            release = release_from_sitemap_entry(entry, detail, context)
            ref = {"source": source.name, "item_key": entry.loc,
                   "feed_payload_sha256": sitemap_sha, "detail_url": url,
                   "detail_payload_sha256": detail_sha,
                   "detail_status": detail.status if detail else None,
                   "parser": None if entry.loc in repeated else parser}
            _record(collected, release, ref, answer.fetched_at, sitemap_sha)
        except Exception as error:  # one bad item never costs the others
            _item_failed(collected, source, entry.loc, error, sitemap_sha,
                         answer.fetched_at.date())


def _walk_back(collected: Collected, transport: Transport, source: SourceConfig,
               context: ItemContext, start: Detail, known: frozenset[str]) -> None:
    """Follow ``navigation.previous`` from the oldest feed item until a known release."""
    from orchestration.sources.europol import NodeError, parse_node

    detail, parser = start, parser_fingerprint(source)
    for _ in range(source.backfill.max_items):
        try:
            previous = parse_node(detail.body or b"").previous_alias
        except NodeError:
            return
        if not previous:
            return
        url = detail_url(source, previous)
        if url is None:
            return
        detail, sha = _collect_detail(collected, transport, source, url)
        if detail.status is None:
            return
        release = release_from_node(previous, detail, context)
        ref = {"source": source.name, "item_key": previous, "detail_url": url,
               "detail_payload_sha256": sha, "detail_status": detail.status, "parser": parser}
        kept = _record(collected, release, ref, context.fetched_at, sha)
        if kept is None or kept.release_id in known:
            return


def collect_dump(path: Path, dump: DumpConfig, known_sources: dict[str, str],
                 fetched_at: datetime | None = None) -> Collected:
    """A text dump: the file is the payload, each item a release dated by the as-of day."""
    collected = Collected()
    body = path.read_bytes()
    fetched_at = fetched_at or datetime.combine(dump.as_of, datetime.min.time(), UTC)
    response = Response(path.as_uri(), path.as_uri(), 200, "text/plain; charset=utf-8", None,
                        None, body, fetched_at)
    sha = collected.keep(DUMP_SOURCE, response)
    parsed = parse_dump(body.decode("utf-8", errors="replace"), dump.as_of,
                        locator=path.name, known_sources=known_sources)
    for rejection in parsed.rejections:
        collected.reject(rejection, sha, dump.as_of)
    context = {"as_of": dump.as_of.isoformat(), "known_sources": json.dumps(known_sources)}
    parser = parser_fingerprint(None)
    repeated = _repeated(release.native_id for release in parsed.releases)  # re-parse: last
    for release in parsed.releases:
        _record(collected, release, {"source": release.source, "item_key": release.native_id,
                                     "feed_payload_sha256": sha, "context": context,
                                     "parser": None if release.native_id in repeated else parser},
                fetched_at, sha)
        if collected.items[-1].release is not None:  # kept as the rebuild parses it: the
            # payload alone, without the file's name (the dump's metadata names it "dump")
            metadata = {**release.metadata, "dump": "dump"}
            collected.items[-1] = replace(collected.items[-1],
                                          release=replace(release, metadata=metadata))
    return collected


def _repeated(keys: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    repeated = set()
    for key in keys:
        (repeated if key in seen else seen).add(key)
    return repeated


def merge(results: Iterable[Collected]) -> Collected:
    total = Collected()
    for result in results:
        total.payloads.update(result.payloads)
        total.items.extend(result.items)
        total.rejections.extend(result.rejections)
    return total
