"""Matrix row 5: the HTTP charset, the XML declaration, windows-1252 without a charset and a
BOM all give correct Unicode in clean text."""

from __future__ import annotations

import pytest

from orchestration.sources.feeds import parse_feed

UTF8_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'


def _feed(title: bytes, declaration: bytes = UTF8_DECLARATION) -> bytes:
    return (
        declaration
        + b'<rss version="2.0"><channel><title>x</title><item><title>'
        + title
        + b"</title><link>https://example.org/a</link><description>d</description>"
        b"</item></channel></rss>"
    )


@pytest.mark.parametrize(
    "content_type", ["application/rss+xml; charset=iso-8859-1", "text/xml; charset=iso-8859-1"]
)
def test_utf8_body_declared_latin1_by_http_is_read_as_utf8(content_type: str) -> None:
    title = "Bruxelles – Zürich café"
    assert parse_feed(_feed(title.encode()), content_type).items[0].title == title


def test_windows_1252_without_a_charset_keeps_smart_quotes() -> None:
    title = "“Smart” quotes – and a dash"
    feed = parse_feed(
        _feed(title.encode("cp1252"), b'<?xml version="1.0"?>'), "application/rss+xml"
    )
    assert feed.items[0].title == title


def test_byte_order_mark_is_not_part_of_the_text() -> None:
    feed = parse_feed(b"\xef\xbb\xbf" + _feed("Zürich".encode()), None)
    assert feed.items[0].title == "Zürich"
