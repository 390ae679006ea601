"""Article pages: main text and the metadata strip of NATO's legacy pages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from orchestration.sources.text import clean_text, html_to_text, one_line

_DATE = r"\d{1,2} [A-Z][a-z]{2,8}\.? \d{4}"
_META_PATTERNS = {
    "press_release_code": re.compile(r"\b(?:Press Release|PR)\s*\((\d{4})\)\s*(\d{3})", re.I),
    "issued_on": re.compile(rf"Issued on:?\s*({_DATE})"),
    "last_updated": re.compile(rf"Last updated:?\s*({_DATE}\s+\d{{1,2}}:\d{{2}})"),
    "event_dates": re.compile(rf"^\s*({_DATE})\s*[-–]\s*((?:{_DATE})?)\s*$", re.M),
}


@dataclass(frozen=True)
class ArticlePage:
    title: str
    body_text: str
    metadata: dict[str, str] = field(default_factory=dict)


def _trafilatura_text(document: str) -> str:
    import trafilatura  # heavy import, only when a page without a known layout arrives

    extracted = trafilatura.extract(
        document, include_comments=False, include_tables=True, favor_recall=True,
        deduplicate=False,
    )
    # trafilatura separates paragraphs with one newline; the contract is a blank line.
    return clean_text((extracted or "").replace("\n", "\n\n"))


def _metadata(header_text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, pattern in _META_PATTERNS.items():
        match = pattern.search(header_text)
        if not match:
            continue
        if name == "press_release_code":
            found[name] = f"Press Release ({match.group(1)}) {match.group(2)}"
        elif name == "event_dates":
            found["event_start"] = match.group(1)
            if match.group(2):
                found["event_end"] = match.group(2)
            found[name] = one_line(match.group(0))
        else:
            found[name] = match.group(1)
    return found


@lru_cache(maxsize=32)
def _selector(css: str):
    """Compiled CSS selectors (translating CSS to XPath costs more than matching)."""
    from lxml.cssselect import CSSSelector

    return CSSSelector(css)


def parse_article(document: str, *, body_selector: str | None = "section.content") -> ArticlePage:
    """Title, main text and metadata of an article page.

    The profile's body selector is used when the page has it (it keeps the spacing of advisory
    time lines); otherwise trafilatura finds the main text. Metadata (event date range,
    ``Press Release (YYYY) NNN``, ``Issued on``, ``Last updated``) is read from the header.
    """
    from lxml import html as lxml_html

    root = lxml_html.document_fromstring(document)
    heading = _selector("h1.fs-huge")(root) or _selector("h1")(root)
    title = one_line(heading[0].text_content()) if heading else ""
    if not title:
        title_tag = root.find(".//title")
        title = one_line(title_tag.text_content()) if title_tag is not None else ""
    sections = _selector(body_selector)(root) if body_selector else []
    if sections:
        body = "\n\n".join(
            html_to_text(lxml_html.tostring(section, encoding="unicode")) for section in sections
        )
    else:
        body = _trafilatura_text(document)
    header_parts: list[str] = []
    for selector in ("ul.event-info li", ".event-info li", "div.content-header li",
                     "div.content-header p"):
        header_parts.extend(element.text_content() for element in _selector(selector)(root))
        if header_parts:
            break
    header_text = "\n".join(line.strip() for part in header_parts for line in part.split("\n"))
    metadata = _metadata(header_text or root.text_content()[:3000])
    return ArticlePage(title=title, body_text=clean_text(body), metadata=metadata)
