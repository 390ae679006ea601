"""A fast reader of well-formed RSS 2.0, RSS 1.0 (RDF) and Atom 1.0 entries with lxml that
gives exactly the entry fields feedparser gives, or None when it cannot promise that.

feedparser spends most of a large archive page in its SAX callbacks, its date parsing (which
pressroom never uses: dates are kept raw) and its HTML sanitizer (whose text pressroom parses
again). This module reads the same bytes with lxml and replays feedparser 6.0.14's rules for
the fields `feeds.parse_feed` reads (title and its type, link, id, summary and its type,
content, published, updated) in document order: the first non-empty title wins, a permalink
guid is the link unless a link came first, a later alternate link overrides, content becomes
the summary when there is none, and every text is stripped, "repaired" from Latin-1-read UTF-8
and mapped from windows-1252 control points the way feedparser's ``pop`` does. It reuses
feedparser's own helpers for what must not drift (the RFC 3023 decoding, URL joining,
``looks_like_html`` and, for HTML that is not plainly benign, the URI resolver and sanitizer
themselves), so the two paths share their rules rather than copy them.

Anything it does not fully understand returns None and the caller uses feedparser: XML that is
not well formed, a DOCTYPE or entity declarations, an unknown root, a media type or encoding
that feedparser flags, ``xml:base`` below the root, namespace declarations below the root or
prefixes bound to another known namespace, an element or attribute it has no rule for, an
entry outside its channel, a second summary before any content, XHTML or base64 content, or
a failure of feedparser's own helpers. Not replayed: feedparser's date parsing (its result is
never used); a date string that made it raise would break feedparser's parse but not this
one (30,000 generated date strings found none). ``tests/unit/sources/test_feed_sameness.py``
runs both readers over every feed the project holds and over hostile variants.

fastfeedparser (PyPI, lxml and a Rust core) was considered and not used: it rewrites
``published`` to UTC ISO 8601 (pressroom keeps the date as written), has its own encoding
detection, and neither sanitizes nor repairs text the way feedparser does, so its items would
differ from the feedparser fallback's; matching them would mean re-deriving every field anyway.
"""

from __future__ import annotations

import contextlib
import functools
import html.entities
import re
from typing import Any

from lxml import etree

_ATOM = "http://www.w3.org/2005/Atom"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDF_ABOUT = f"{{{_RDF}}}about"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Namespace URI (lower case) -> feedparser's prefix ("" for the core feed vocabularies).
_BLANK = frozenset(
    {
        "",
        "http://backend.userland.com/rss",
        "http://blogs.law.harvard.edu/tech/rss",
        "http://purl.org/rss/1.0/",
        "http://my.netscape.com/rdf/simple/0.9/",
        "http://purl.org/atom/ns#",
        _ATOM.lower(),
        "http://purl.org/rss/1.0/modules/rss091#",
    }
)
_PREFIXES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
}
# Entry children with a rule below; anything else sends the payload to feedparser.
_FIELDS = frozenset(
    {
        "title",
        "link",
        "guid",
        "id",
        "description",
        "summary",
        "content",
        "content_encoded",
        "pubdate",
        "published",
        "issued",
        "updated",
        "modified",
        "dc_date",
    }
)
_HARMLESS = frozenset({"author", "category", "comments", "enclosure", "dc_creator"})
_AUTHOR_PARTS = frozenset({"name", "email", "uri"})
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
# Every attribute feedparser could take for a base URI (it lower-cases attribute names).
_BASES = etree.XPath("//@*[translate(local-name(), 'BASE', 'base') = 'base']")
_C1 = re.compile("[\x80-\x9f]")
_HEAD_DECLARATION = re.compile(rb"<!(?:doctype|entity)", re.IGNORECASE)

# HTML that feedparser's URI resolver and sanitizer give back with the same text and the same
# non-ASCII characters: known harmless tags with quoted ASCII attributes, entities the
# sanitizer re-emits as written, no comments, CDATA, bare "&" or "<", and no carriage return.
_SAFE_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "big",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "dd",
        "del",
        "div",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "li",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "tt",
        "u",
        "ul",
    }
)
_VOID = frozenset({"br", "hr", "img"})
_TAG_TOKEN = re.compile(r"<[^>]*>")
_REFERENCE_TOKEN = re.compile(r"&[^;]*;")
_TAG = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9]*)((?:\s+[A-Za-z][-A-Za-z0-9_]*=\"[ !#-%'-;=?-~]*\")*)\s*(/?)>"
)
_NUMERIC = re.compile(r"&#(?:([0-9]{1,7})|[xX]([0-9A-Fa-f]{1,6}));")


def _parser() -> etree.XMLParser:
    # The same hardening as bodies.py: no entities, DTDs or network; libxml2's limits kept.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
    )


class _Unsupported(Exception):
    """The payload needs feedparser itself."""


def _benign_html(text: str) -> bool:
    """True when feedparser's resolver and sanitizer would change only ASCII markup."""
    if "\r" in text:
        return False
    tokens = _TAG_TOKEN.findall(text) if "<" in text else []
    if len(tokens) != text.count("<"):  # a "<" that starts no tag
        return False
    if "&" in text:
        references = _REFERENCE_TOKEN.findall(text)
        if len(references) != text.count("&"):  # a bare "&"
            return False
        tokens += references
    return all(map(_benign_token, set(tokens)))


@functools.lru_cache(maxsize=4096)
def _benign_token(token: str) -> bool:
    """One tag or reference of `_benign_html` (an archive repeats the same few)."""
    if token[0] == "<":
        tag = _TAG.fullmatch(token)
        if tag is None:
            return False
        closing, name, _attributes, self_closing = tag.groups()
        name = name.lower()
        if name not in _SAFE_TAGS:
            return False
        if name in _VOID:  # ``<br>`` and ``<br/>``, never ``</br>`` (the sanitizer drops it)
            return not closing
        return not self_closing  # ``<p/>`` becomes ``<p></p>``
    if len(token) < 3:  # "&;"
        return False
    if token[1] == "#":
        number = _NUMERIC.fullmatch(token)
        if number is None:
            return False
        value = int(number.group(1)) if number.group(1) else int(number.group(2), 16)
        # the sanitizer rewrites 128-159 as their windows-1252 characters
        return (value in (9, 10) or 32 <= value < 127 or 160 <= value <= 0x10FFFF) and not (
            0xD800 <= value <= 0xDFFF
        )
    return token[1:-1] in html.entities.name2codepoint or token == "&apos;"


class _Rules:
    """feedparser's helpers, imported when a payload is read (not when this module is)."""

    def __init__(self) -> None:
        from feedparser.html import _cp1252
        from feedparser.mixin import _FeedParserMixin
        from feedparser.sanitizer import _sanitize_html
        from feedparser.urls import _urljoin, make_safe_absolute_uri, resolve_relative_uris

        self.cp1252 = str.maketrans(_cp1252)
        self.looks_like_html = _FeedParserMixin.looks_like_html
        self.map_content_type = _FeedParserMixin.map_content_type
        self.sanitize = _sanitize_html
        self.urljoin = _urljoin
        self.safe_absolute = make_safe_absolute_uri
        self.resolve_relative = resolve_relative_uris


def _repaired(rules: _Rules, output: str) -> str:
    """The last steps of feedparser's ``pop``: UTF-8 read as Latin-1 is undone when the whole
    text allows it, then windows-1252 control points become their characters."""
    if not output.isascii():
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            output = output.encode("iso-8859-1").decode("utf-8")
        if _C1.search(output):
            output = output.translate(rules.cp1252)
    return output


class _Entry:
    """One entry's fields, filled in document order by feedparser's rules."""

    def __init__(self, rules: _Rules, base: str, is_atom: bool) -> None:
        self.rules, self.base, self.is_atom = rules, base, is_atom
        self.fields: dict[str, Any] = {}
        self.has_content = False
        self.title_done = False

    def _text(self, element: etree._Element) -> str:
        if len(element):  # child elements, comments or processing instructions
            raise _Unsupported
        return (element.text or "").strip()

    def _markup(self, element: etree._Element, name: str, default_type: str) -> tuple[str, str]:
        attributes = _attributes(element)
        if "mode" in attributes or set(attributes) - {"type", "src", "xml:lang"}:
            raise _Unsupported
        kind = self.rules.map_content_type(attributes.get("type", default_type))
        if kind not in ("text/plain", "text/html"):
            raise _Unsupported
        output = self._text(element)
        if not self.is_atom and kind == "text/plain" and self.rules.looks_like_html(output):
            kind = "text/html"
        if kind == "text/html" and not _benign_html(output):
            output = self.rules.resolve_relative(output, self.base, "utf-8", kind)
            output = self.rules.sanitize(output, "utf-8", kind)
        return _repaired(self.rules, output), kind

    def _uri(self, value: str) -> str:
        return self.rules.urljoin(self.base or "", value)

    def read(self, name: str, element: etree._Element) -> None:
        fields = self.fields
        if name == "title":
            value, kind = self._markup(element, "title", "text/plain")
            if not self.title_done:
                fields["title"], fields["title_detail"] = value, {"type": kind}
                self.title_done = bool(value)
        elif name in ("description", "summary"):
            if "summary" in fields and not self.has_content:
                raise _Unsupported  # feedparser reads a second summary as content
            default = "text/html" if name == "description" else "text/plain"
            value, kind = self._markup(element, name, default)
            fields["summary"], fields["summary_detail"] = value, {"type": kind}
        elif name in ("content", "content_encoded"):
            self.has_content = True
            default = "text/plain" if name == "content" else "text/html"
            value, _kind = self._markup(element, "content", default)
            fields.setdefault("content", []).append({"value": value})
            fields.setdefault("summary", value)
        elif name == "link":
            self._link(element)
        elif name in ("guid", "id"):
            attributes = _attributes(element)
            if set(attributes) - {"ispermalink", "xml:lang"}:
                raise _Unsupported
            is_link = attributes.get("ispermalink", "true") == "true"
            output = self._text(element)
            if output and is_link:
                output = self._uri(output)
            output = _repaired(self.rules, output)
            fields["id"] = output
            if is_link:
                fields.setdefault("link", output)
        elif name in ("pubdate", "published", "issued", "updated", "modified", "dc_date"):
            if set(_attributes(element)) - {"xml:lang"}:
                raise _Unsupported
            key = "updated" if name in ("updated", "modified", "dc_date") else "published"
            fields[key] = _repaired(self.rules, self._text(element))

    def _link(self, element: etree._Element) -> None:
        attributes = _attributes(element)
        if set(attributes) - {"href", "rel", "type", "title", "hreflang", "length", "xml:lang"}:
            raise _Unsupported
        attributes.setdefault("rel", "alternate")
        attributes.setdefault(
            "type", "application/atom+xml" if attributes["rel"] == "self" else "text/html"
        )
        if "href" in attributes:
            href = self._uri(attributes["href"])
            if (
                attributes["rel"] == "alternate"
                and self.rules.map_content_type(attributes["type"]) in _HTML_TYPES
            ):
                self.fields["link"] = href
            return
        output = self._text(element)
        if output:
            output = self._uri(output)
        output = _repaired(self.rules, output).replace("&amp;", "&")
        self.fields["link"] = re.sub("&([A-Za-z0-9_]+);", r"&\g<1>", output)


def _attributes(element: etree._Element) -> dict[str, str]:
    """Attributes as feedparser keys them: lower-case names, lower-case rel and type values."""
    attributes: dict[str, str] = {}
    for key, value in element.attrib.items():
        if key == _XML_LANG:
            name = "xml:lang"
        elif key.startswith("{"):
            raise _Unsupported
        else:
            name = key.lower()
        if name in attributes:
            raise _Unsupported
        attributes[name] = value.lower() if name in ("rel", "type") else value
    return attributes


def _name(element: etree._Element) -> str:
    """feedparser's handler name of an element: ``prefix_local`` in lower case."""
    name = _name_of_tag(element.tag)
    if name is None:
        raise _Unsupported
    return name


@functools.lru_cache(maxsize=1024)
def _name_of_tag(tag: str) -> str | None:
    namespace, _, local = tag[1:].rpartition("}") if tag[0] == "{" else ("", "", tag)
    namespace = namespace.lower()
    if namespace in _BLANK:
        return local.lower()
    prefix = _PREFIXES.get(namespace)
    return None if prefix is None else f"{prefix}_{local.lower()}"


def _check_namespaces(root: etree._Element, data: bytes) -> None:
    """Only the root declares namespaces, and no prefix names another known vocabulary."""
    declared = root.nsmap
    if data.count(b"xmlns") != len(declared):
        raise _Unsupported
    for prefix, uri in declared.items():
        # feedparser renames a vocabulary's elements after the prefix a document binds
        if prefix in _PREFIXES.values() and _PREFIXES.get(uri.lower()) != prefix:
            raise _Unsupported


def _entries_of(root: etree._Element) -> tuple[list[etree._Element], bool]:
    """The entry elements and whether the feed is Atom; every entry-like element anywhere must
    be one of them."""
    if root.tag == "rss":
        channels = [child for child in root if isinstance(child.tag, str)]
        if len(channels) != 1 or channels[0].tag != "channel":
            raise _Unsupported
        container, is_atom = channels[0], False
    elif root.tag == f"{{{_ATOM}}}feed":
        container, is_atom = root, True
    elif root.tag == f"{{{_RDF}}}RDF":  # RSS 1.0 and 0.90: items beside the channel
        container, is_atom = root, False
    else:
        raise _Unsupported
    entries = []
    for element in root.iter(tag=etree.Element):
        tag = element.tag
        if not tag.isascii():  # expat's name rules are older than libxml2's
            raise _Unsupported
        if tag[-4:].lower() == "item" or tag[-5:].lower() == "entry":
            if _name_of_tag(tag) not in ("item", "entry"):
                continue  # another vocabulary's element of that name: feedparser skips it too
            if element.getparent() is not container:
                raise _Unsupported
            entries.append(element)
    return entries, is_atom


def _read_entry(rules: _Rules, element: etree._Element, base: str, is_atom: bool) -> dict:
    if set(element.attrib.keys()) - {_XML_LANG, _RDF_ABOUT}:
        raise _Unsupported
    entry = _Entry(rules, base, is_atom)
    about = element.get(_RDF_ABOUT)
    if about:  # feedparser takes it as the id as written
        entry.fields["id"] = about
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = _name(child)
        if name in _FIELDS:
            entry.read(name, child)
        elif name in _HARMLESS:
            for part in child:
                if not isinstance(part.tag, str):
                    continue
                if name != "author" or not is_atom or _name(part) not in _AUTHOR_PARTS or len(part):
                    raise _Unsupported
        else:
            raise _Unsupported
    return entry.fields


def read_entries(payload: bytes, content_type: str | None) -> list[dict] | None:
    """feedparser's entry fields of a well-formed RSS 2.0, RSS 1.0 or Atom 1.0 payload, or None when
    only feedparser can say (see the module docstring)."""
    from feedparser.encodings import convert_to_utf8
    from feedparser.exceptions import CharacterEncodingOverride

    if not payload:
        return None
    result: dict[str, Any] = {}
    headers = {"content-type": content_type} if content_type else {}
    try:
        data = convert_to_utf8(headers, payload, result)
    except Exception:  # feedparser's own failure on hostile bytes: let feedparser report it
        return None
    error = result.get("bozo_exception")
    if not result.get("encoding") or (
        error is not None and not isinstance(error, CharacterEncodingOverride)
    ):
        return None
    start = re.search(rb"<\w", data)
    if start is None or _HEAD_DECLARATION.search(data, 0, start.start()):
        return None
    try:
        root = etree.fromstring(data, _parser())
        rules = _Rules()
        _check_namespaces(root, data)
        base = ""
        root_base = root.attrib.get(_XML_BASE)
        bases = _BASES(root)
        if bases and (
            len(bases) > 1 or bases[0].getparent() is not root or bases[0].attrname != _XML_BASE
        ):
            return None
        if root_base is not None:
            base = rules.urljoin("", root_base)
            if not base.isascii() or (rules.safe_absolute(base, base) or base) != base:
                return None
        entries, is_atom = _entries_of(root)
        return [_read_entry(rules, entry, base, is_atom) for entry in entries]
    except (_Unsupported, etree.XMLSyntaxError, ValueError):
        return None
    except Exception:  # feedparser's own helpers failed: feedparser reports that its own way
        return None
