"""Is a body what a source promised? Real parses, not prefix sniffs.

Two questions per body: should it be refused (not the expected format at all: an HTML
maintenance or login page, XHTML with an XML declaration, HTML after a comment, an empty body,
JSON that does not parse), and may it be cached (only a body that parses completely: a
truncated feed is still read for its complete entries, but never cached).
XML is parsed with entity resolution, DTD loading and network access off and `huge_tree`
left False, so libxml2's limits against bombs and deep nesting stay in force.
"""

from __future__ import annotations

import json

from lxml import etree

_SCAN_LIMIT = 4096
_BOM_AND_SPACE = b"\xef\xbb\xbf \t\r\n"
# The last body parsed strictly and its root's local name (None: not well formed): a fetch
# asks both questions of the same body, and one parse answers both when it is well formed.
_last_strict: tuple[bytes, str | None] | None = None


def _parser(recover: bool) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=recover
    )


def _local_name(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower() if isinstance(tag, str) else ""


def _strict_root(stripped: bytes) -> str | None:
    """The root's local name when ``stripped`` is well-formed XML, else None (remembered for
    the last body)."""
    global _last_strict
    last = _last_strict
    if last is not None and (last[0] is stripped or last[0] == stripped):
        return last[1]
    try:
        name: str | None = _local_name(etree.fromstring(stripped, _parser(recover=False)).tag)
    except (etree.XMLSyntaxError, ValueError):
        name = None
    _last_strict = (stripped, name)
    return name


def xml_refusal(body: bytes, content_type: str | None = None) -> str | None:
    """Why ``body`` is not an XML feed or sitemap at all, or None when it is XML (perhaps
    damaged: see `xml_complete`)."""
    stripped = body.lstrip(_BOM_AND_SPACE)
    kind = f" (content-type {content_type})" if content_type else ""
    if not stripped:
        return f"expected XML but the body is empty{kind}"
    if not stripped.startswith(b"<"):
        return f"expected XML but the body does not start with '<'{kind}"
    name = _strict_root(stripped)  # a well-formed body: the tree a recovering parse gives too
    if name is None:
        try:
            root = etree.fromstring(stripped, _parser(recover=True))
        except (etree.XMLSyntaxError, ValueError):
            root = None
        if root is None:
            return f"expected XML but no element could be read{kind}"
        name = _local_name(root.tag)
    if name == "html" or b"<!doctype html" in stripped[:_SCAN_LIMIT].lower():
        return f"expected XML but got an HTML page (maintenance or block page?){kind}"
    return None


def xml_complete(body: bytes) -> bool:
    """True when the whole body is well-formed XML (so it may be cached)."""
    stripped = body.lstrip(_BOM_AND_SPACE)
    return bool(stripped) and _strict_root(stripped) is not None


def json_refusal(body: bytes, content_type: str | None = None) -> str | None:
    """Why ``body`` is not a JSON document, or None when it parses."""
    try:
        json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        kind = f" (content-type {content_type})" if content_type else ""
        return f"expected JSON but the body does not parse{kind}: {str(error)[:120]}"
    return None
