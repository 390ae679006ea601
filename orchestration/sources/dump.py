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


def looks_like_title(line: str) -> bool:
    """A headline: one short line that does not end like a sentence."""
    text = line.strip()
    return 0 < len(text) <= 250 and not text.endswith((".", ",", ";", ":"))


def _item_starts(lines: list[str]) -> list[tuple[int | None, int]]:
    """(title line or None, source line) pairs: a title, a blank line, then ``Source: X``.

    A ``Source:`` line whose preceding line is a paragraph, not a headline, starts an item
    with no title: that paragraph stays with the item before it.
    """
    starts: list[tuple[int | None, int]] = []
    for index, line in enumerate(lines):
        if not _SOURCE_LINE.match(line):
            continue
        title_index = index - 1
        while title_index >= 0 and not lines[title_index].strip():
            title_index -= 1
        previous_source = starts[-1][1] if starts else -1
        if title_index > previous_source and looks_like_title(lines[title_index]):
            starts.append((title_index, index))
        else:
            starts.append((None, index))
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
        following = starts[number + 1] if number + 1 < len(starts) else None
        end = len(lines) if following is None else (
            following[0] if following[0] is not None else following[1])
        label = _SOURCE_LINE.match(lines[source_index]).group("label")  # type: ignore[union-attr]
        key = source_key(label, known_sources)
        where = f"{locator}:{(title_index if title_index is not None else source_index) + 1}"
        body = clean_text("\n".join(lines[source_index + 1 : end]))
        if title_index is None:
            result.rejections.append(Rejection(
                key, where, "missing_title",
                f"'Source: {label}' item has no title line before it; item skipped"))
            continue
        title = one_line(lines[title_index])
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
