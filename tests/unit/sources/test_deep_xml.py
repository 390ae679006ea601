"""Matrix row 3: XML nested 100,000 deep is read within a bounded time without a crash
(libxml2's depth limit stays in force: `huge_tree` is off), yields no item, and is never
cached (it is not complete XML to the strict parser)."""

from __future__ import annotations

import time

import pytest

from orchestration.sources.bodies import xml_complete, xml_refusal
from orchestration.sources.feeds import parse_feed

pytestmark = pytest.mark.timeout(120)

DEEP = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    + b"<a>" * 100_000
    + b"</a>" * 100_000
    + b"</channel></rss>"
)


def test_deeply_nested_xml_is_bounded_and_never_cached() -> None:
    started = time.monotonic()
    assert not xml_complete(DEEP)
    xml_refusal(DEEP, "application/rss+xml")  # a verdict, not a crash
    parsed = parse_feed(DEEP)
    assert parsed.items == []
    assert time.monotonic() - started < 45
