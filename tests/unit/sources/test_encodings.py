"""Matrix row 5: the HTTP charset, the XML declaration, windows-1252 without a charset and a
BOM all give correct Unicode in clean text; mojibake is repaired (and counted), and cleaning
stays idempotent on damaged text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestration.sources.feeds import parse_feed
from orchestration.sources.text import clean_text, counting_repairs, one_line

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


def _mojibake(text: str, times: int) -> str:
    """``text`` encoded as UTF-8 and read as windows-1252 ``times`` times."""
    for _ in range(times):
        text = text.encode("utf-8").decode("cp1252", errors="replace")
    return text


@pytest.mark.parametrize(
    ("damaged", "repaired"),
    [
        ("CafÃ©", "Café"),
        ("donâ€™t", "don’t"),
        ("â€œquotedâ€\x9d", "“quoted”"),
        (_mojibake("Zürich – Déjà vu", 2), "Zürich – Déjà vu"),
        ("Café, plain and correct", "Café, plain and correct"),
    ],
)
def test_mojibake_is_repaired_and_counted(damaged: str, repaired: str) -> None:
    with counting_repairs() as tally:
        assert clean_text(damaged) == repaired
    assert tally[0] == (damaged != repaired)


def test_a_line_joined_into_mojibake_is_repaired_once_and_for_all() -> None:
    """A C1 control, then a line break: the break becomes a space, and ``á†`` followed by
    it reads as the UTF-8 of ``ᆠ`` only once joined (found by the property below)."""
    text = "á\x86\n0"
    assert one_line(text) == one_line(one_line(text))


@given(st.text() | st.text().map(lambda text: _mojibake(text, 1)))
@settings(max_examples=300, deadline=None)
def test_normalisation_is_idempotent_with_mojibake(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    assert one_line(one_line(text)) == one_line(text)
