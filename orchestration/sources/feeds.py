"""RSS and Atom feeds, parsed from bytes (never from a URL or str).

Well-formed RSS 2.0, RSS 1.0 and Atom 1.0 are read by `feed_entries` with lxml, which gives
the same entry fields as feedparser (a 5,000-entry archive page: 0.6 s instead of 4-5 s for
the whole `parse_feed`, see docs/performance.md); everything else (broken XML, odd encodings,
anything `feed_entries` has no rule for) is read by feedparser. Both go through the same
`_item`, so a `FeedItem` does not depend on which reader saw the payload;
`tests/unit/sources/test_feed_sameness.py` proves it over every feed the project holds and
hostile variants.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import feedparser

from orchestration.sources.feed_entries import read_entries
from orchestration.sources.text import clean_text, counting_repairs, html_to_text, one_line


@dataclass(frozen=True)
class FeedItem:
    """One entry as the feed wrote it; `key` finds it again when the payload is re-parsed."""

    key: str
    index: int
    title: str
    link: str | None
    guid: str | None
    summary_text: str
    content_text: str
    published_raw: str | None
    cut_off: bool = False  # last entry of a feed whose XML broke off: may be incomplete
    repaired: int = 0  # texts of this entry whose mojibake was repaired


@dataclass(frozen=True)
class ParsedFeed:
    items: list[FeedItem]
    malformed: str | None  # the parser's complaint when the XML was not well formed


def item_key(guid: str | None, link: str | None, index: int) -> str:
    """Identify an entry within its payload: guid, else link, else its position."""
    return (guid or link or f"#{index}").strip()


def _text_of(entry: dict, field: str) -> str:
    """A text construct as plain text: HTML is parsed (entities decoded once), plain text is
    taken as it is (feedparser already decoded the XML)."""
    value = entry.get(field)
    if not isinstance(value, str):
        return ""
    kind = (entry.get(f"{field}_detail") or {}).get("type", "text/html")
    return html_to_text(value) if "html" in kind else clean_text(value)


def _item(entry: dict, index: int) -> FeedItem:
    link = entry.get("link") or None
    guid = entry.get("id") or None
    content = entry.get("content") or []
    with counting_repairs() as repaired:
        title = one_line(_text_of(entry, "title"))
        summary_text = _text_of(entry, "summary")
        content_text = html_to_text(content[0].get("value", "")) if content else ""
    return FeedItem(
        key=item_key(guid, link, index),
        index=index,
        title=title,
        link=link.strip() if link else None,
        guid=guid.strip() if guid else None,
        summary_text=summary_text,
        content_text=content_text,
        published_raw=entry.get("published") or entry.get("updated") or None,
        repaired=repaired[0],
    )


def parse_feed(payload: bytes, content_type: str | None = None) -> ParsedFeed:
    """Entries of an RSS/Atom payload; well-formedness problems are reported, not raised."""
    entries = read_entries(payload, content_type)
    if entries is not None:
        return ParsedFeed(
            items=[_item(entry, index) for index, entry in enumerate(entries)], malformed=None
        )
    return parse_feed_with_feedparser(payload, content_type)


def parse_feed_with_feedparser(payload: bytes, content_type: str | None = None) -> ParsedFeed:
    """`parse_feed` by feedparser alone (the fallback, and the reference the fast path is
    tested against)."""
    headers = {"content-type": content_type} if content_type else {}
    try:
        document = feedparser.parse(io.BytesIO(payload), response_headers=headers)
    except Exception as error:  # feedparser's own bugs on hostile bytes (a NUL in the prolog)
        return ParsedFeed(items=[], malformed=f"{type(error).__name__}: {str(error)[:200]}")
    malformed = None
    if document.bozo and not isinstance(
        document.bozo_exception, feedparser.CharacterEncodingOverride
    ):
        malformed = f"{type(document.bozo_exception).__name__}: {document.bozo_exception}"
    items = [_item(entry, index) for index, entry in enumerate(document.entries)]
    if malformed and items:
        last = items[-1]
        items[-1] = FeedItem(**{**last.__dict__, "cut_off": True})
    return ParsedFeed(items=items, malformed=malformed)
