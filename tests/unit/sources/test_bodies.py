"""A fetched feed body is parsed once for both questions (refuse? cache?), with the same
verdicts as one parse per question."""

from __future__ import annotations

import pytest
from lxml import etree

import orchestration.sources.bodies as bodies
from orchestration.sources.bodies import xml_complete, xml_refusal

FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
    + (b"<item><title>A</title><description>x</description></item>" * 50)
    + b"</channel></rss>"
)
BODIES = {
    "feed": FEED,
    "feed after a BOM and blank lines": b"\xef\xbb\xbf\n\n" + FEED,
    "truncated feed": FEED[:-40],
    "html page": b"<html><head><title>Maintenance</title></head><body>back soon</body></html>",
    "xhtml with an xml declaration": b'<?xml version="1.0"?><!DOCTYPE html><html '
    b'xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
    "html after a comment": b"<!-- cdn --><!doctype html><html><body>x</body></html>",
    "empty": b"",
    "blank": b" \n\t",
    "not markup": b'{"items": []}',
    "broken markup": b"<<<>>>",
    "atom": b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>',
}


def _reference_refusal(body: bytes, content_type: str | None) -> str | None:
    """The verdicts as a parse per question gave them (before one parse served both)."""
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    kind = f" (content-type {content_type})" if content_type else ""
    if not stripped:
        return f"expected XML but the body is empty{kind}"
    if not stripped.startswith(b"<"):
        return f"expected XML but the body does not start with '<'{kind}"
    try:
        root = etree.fromstring(stripped, bodies._parser(recover=True))
    except (etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        return f"expected XML but no element could be read{kind}"
    if bodies._local_name(root.tag) == "html" or b"<!doctype html" in stripped[:4096].lower():
        return f"expected XML but got an HTML page (maintenance or block page?){kind}"
    return None


def _reference_complete(body: bytes) -> bool:
    try:
        etree.fromstring(body.lstrip(b"\xef\xbb\xbf \t\r\n"), bodies._parser(recover=False))
    except (etree.XMLSyntaxError, ValueError):
        return False
    return True


@pytest.mark.parametrize("name", sorted(BODIES))
def test_verdicts_are_those_of_one_parse_per_question(name: str) -> None:
    body = BODIES[name]
    for content_type in (None, "application/rss+xml"):
        assert xml_refusal(body, content_type) == _reference_refusal(body, content_type)
    assert xml_complete(body) == _reference_complete(body)


def test_interleaved_bodies_get_their_own_verdicts() -> None:
    feed, page, truncated = BODIES["feed"], BODIES["html page"], BODIES["truncated feed"]
    assert xml_complete(feed) and not xml_complete(truncated)
    assert xml_refusal(page) is not None and xml_refusal(feed) is None
    assert xml_complete(feed) and xml_complete(page) and not xml_complete(truncated)
    assert xml_refusal(truncated) is None  # damaged but XML: read, never cached


def test_a_well_formed_feed_is_parsed_once_for_both_questions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parsers: list[bool] = []
    make = bodies._parser

    def counted(recover: bool) -> etree.XMLParser:
        parsers.append(recover)
        return make(recover)

    monkeypatch.setattr(bodies, "_parser", counted)
    body = BODIES["atom"] + b" " * 3  # a body no earlier test parsed
    assert xml_refusal(body, "application/atom+xml") is None
    assert xml_complete(body)
    assert parsers == [False]
    parsers.clear()
    truncated = body[:-20]  # not well formed: the recovering parse still reads what it can
    assert xml_refusal(truncated) is None and not xml_complete(truncated)
    assert parsers == [False, True]
