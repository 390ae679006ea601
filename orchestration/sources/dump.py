"""Text dumps in the syndication layout: ``Title`` / blank / ``Source: X`` / blank / body.

A dump carries no dates or URLs. Items are keyed on their normalised title and assigned to the
dump's as-of date; year-less dates in them resolve against that date downstream.
"""

from __future__ import annotations

import re
from datetime import date

from orchestration.sources.models import ParsedRelease, ParseResult, Rejection
from orchestration.sources.text import clean_text, normalised_title_key, one_line

_SOURCE_LINE = re.compile(r"^Source:[ \t]*(?P<label>\S.*?)\s*$")
_TRUNCATION_MARKS = ("…", "...", "[…]", "[...]")


def source_key(label: str, known: dict[str, str] | None = None) -> str:
    """Map a dump's source label (``NATO``) to a config key (``nato``)."""
    known = known or {}
    for key, display_name in known.items():
        if display_name.casefold() == label.casefold():
            return key
    return re.sub(r"[^a-z0-9]+", "_", label.casefold()).strip("_") or "unknown"


def _item_starts(lines: list[str]) -> list[tuple[int, int]]:
    """(title line, source line) index pairs: a title, a blank line, then ``Source: X``."""
    starts = []
    for index, line in enumerate(lines):
        if not _SOURCE_LINE.match(line):
            continue
        title_index = index - 1
        while title_index >= 0 and not lines[title_index].strip():
            title_index -= 1
        if title_index >= 0:
            starts.append((title_index, index))
    return starts


def parse_dump(
    text: str,
    as_of: date,
    *,
    locator: str = "dump",
    known_sources: dict[str, str] | None = None,
) -> ParseResult:
    """Split a dump into releases; items with no title or no body are rejected with reasons."""
    result = ParseResult()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    starts = _item_starts(lines)
    if not starts:
        result.rejections.append(
            Rejection("dump", locator, "no_items", "no 'Source: X' line found; is this a dump?")
        )
        return result
    for number, (title_index, source_index) in enumerate(starts):
        end = starts[number + 1][0] if number + 1 < len(starts) else len(lines)
        label = _SOURCE_LINE.match(lines[source_index]).group("label")  # type: ignore[union-attr]
        key = source_key(label, known_sources)
        title = one_line(lines[title_index])
        body = clean_text("\n".join(lines[source_index + 1 : end]))
        where = f"{locator}:{title_index + 1}"
        if not body:
            result.rejections.append(
                Rejection(key, where, "empty_body", f"item {title!r} has a title but no body")
            )
            continue
        result.releases.append(
            ParsedRelease(
                source=key,
                source_name=label,
                native_id=f"dump-{normalised_title_key(title)}",
                title=title,
                body_text=body,
                is_truncated=body.endswith(_TRUNCATION_MARKS),
                default_partition_date=as_of,
                metadata={"as_of": as_of.isoformat(), "dump": locator},
            )
        )
    return result
