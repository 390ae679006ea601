"""Sitemaps (NATO's AEM site lists its articles only there) and AEM ``.model.json`` pages."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from orchestration.sources.text import clean_text, html_to_text, one_line

_DATE_IN_PATH = re.compile(r"/(\d{4})/(\d{2})/(\d{2})/")


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    lastmod: str | None


class SitemapError(ValueError):
    """A sitemap that is not well-formed XML or declares a DTD (refused, never expanded)."""


def parse_sitemap(payload: bytes) -> list[SitemapEntry]:
    """``<url><loc>…</loc><lastmod>…</lastmod></url>`` entries, newest first.

    Parsed with entity resolution, DTD loading and network access off; a payload declaring a
    DOCTYPE is refused outright.
    """
    from lxml import etree

    if b"<!DOCTYPE" in payload[:2048].upper() or b"<!ENTITY" in payload[:4096].upper():
        raise SitemapError("sitemap declares a DTD or entities; refused")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, recover=False)
    try:
        root = etree.fromstring(payload, parser)
    except etree.XMLSyntaxError as error:
        raise SitemapError(f"sitemap is not well-formed XML: {error}") from None
    entries = []
    for url in root.iter("{*}url"):
        loc = url.findtext("{*}loc")
        if loc and loc.strip():
            lastmod = url.findtext("{*}lastmod")
            entries.append(SitemapEntry(loc.strip(), lastmod.strip() if lastmod else None))
    return sorted(entries, key=lambda entry: entry.lastmod or "", reverse=True)


def date_in_path(url: str) -> str | None:
    """``…/2025/09/19/slug`` -> ``2025-09-19`` (the new NATO site dates its URLs)."""
    match = _DATE_IN_PATH.search(url)
    return "-".join(match.groups()) if match else None


@dataclass(frozen=True)
class ModelPage:
    title: str
    body_text: str
    summary: str
    modified: str | None
    tags: list[str]


def _texts(node: object) -> list[str]:
    """Rich-text fragments of AEM's ``:items`` tree, in ``:itemsOrder`` order."""
    if isinstance(node, list):
        return [text for value in node for text in _texts(value)]
    if not isinstance(node, dict):
        return []
    found = [node["text"]] if isinstance(node.get("text"), str) else []
    items = node.get(":items")
    if isinstance(items, dict):
        for name in node.get(":itemsOrder") or list(items):
            found.extend(_texts(items.get(name)))
    return found


def parse_model_json(payload: bytes) -> ModelPage:
    """Title, text, modification time and tags of an AEM ``.model.json`` answer."""
    model = json.loads(payload.decode("utf-8"))
    layer = next(iter((model.get("dataLayer") or {}).values()), {}) if isinstance(
        model.get("dataLayer"), dict) else {}
    title = one_line(model.get("title") or layer.get("dc:title") or "")
    body = clean_text("\n\n".join(html_to_text(text) for text in _texts(model)))
    tags = [str(tag) for tag in layer.get("xdm:tags") or []]
    return ModelPage(title=title, body_text=body, summary=one_line(model.get("description") or ""),
                     modified=layer.get("repo:modifyDate"), tags=tags)
