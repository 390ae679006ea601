"""Splitting a body into paragraphs, lines and sentences (with offsets), and boilerplate."""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?![ \t]*\n)[^\n]*)*")
_LINE = re.compile(r"[^\n]+")
# A sentence ends at . ! ? or … followed by space and an upper-case letter, digit or quote;
# abbreviations such as "Mr." or "Mar." and initials ("Henry A. Kissinger") do not end one.
# The pattern opens with the punctuation itself (a character class the engine skips to);
# a sentence piece ends one character after the match starts.
_SENTENCE_END = re.compile(r"[.!?…][\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9À-ÖØ-Þ])")
_NO_BREAK_BEFORE = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|Gen|Lt|Col|Adm|No|Art|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept"
    r"|Oct|Nov|Dec|H\.E|U\.S|U\.K|e\.g|i\.e|etc|vs|approx|ca)|\b[A-Z])\.$"
)
# Paragraphs that open one of these blocks, and everything after them in the same block.
# Paragraph openings, lower case (compared with str.startswith: no regex per paragraph).
_BOILERPLATE_BLOCK = ("for more information", "for further information", "media coverage")
_BOILERPLATE_START = (
    *_BOILERPLATE_BLOCK,
    "follow us on",
    "contact the nato press",
    "headquartered in the hague",
    "photographs of the event",
    "photographs will be available",
    "the video files",
    "note to editors",
    "notes to editors",
    "about europol",
    "about frontex",
    "press contact",
    "media contact",
    "europol's headquarters",
    "europol’s headquarters are",
)

# First two letters of the openings: most paragraphs are ruled out by their first two
# characters (when neither is a space, the lower-cased opening starts with them).
_BOILERPLATE_FIRSTS = frozenset(opening[:2] for opening in _BOILERPLATE_START)


def _opens(paragraph: Span, openings: tuple[str, ...]) -> bool:
    return paragraph.text[:40].lstrip().lower().startswith(openings)


class Span(NamedTuple):
    """A piece of the body with its offsets (a named tuple: bodies make thousands)."""

    start: int
    end: int
    text: str


# ``Span(a, b, c)`` runs the named tuple's Python-level ``__new__``; this skips it.
_new_span = functools.partial(tuple.__new__, Span)


@functools.lru_cache(maxsize=8)
def paragraphs(body: str) -> tuple[Span, ...]:
    """Blank-line separated paragraphs (cached: boilerplate and events share them).

    The same pieces as ``_PARAGRAPH.findall`` (kept as the definition), found line by line
    with ``str.split``: a paragraph opens at a non-empty line and runs until a line of only
    spaces and tabs that is not the last line; a line of spaces opens the next one."""
    if "\n" not in body:
        return (_new_span((0, len(body), body)),) if body else ()
    result = []
    append = result.append
    lines = body.split("\n")
    final = len(lines) - 1
    start = -1  # start of the open paragraph, -1 when there is none
    pos = end = 0
    for index, line in enumerate(lines):
        if start < 0:
            if line:
                start = pos
        elif index != final and (not line or not line.strip(" \t")):
            append(_new_span((start, end, body[start:end])))
            start = pos if line else -1
        end = pos + len(line)
        pos = end + 1
    if start >= 0:
        append(_new_span((start, end, body[start:end])))
    return tuple(result)


def lines(body: str) -> list[Span]:
    """Non-empty lines."""
    return [Span(m.start(), m.end(), m.group()) for m in _LINE.finditer(body)]


def sentences(paragraph: Span) -> list[Span]:
    """Sentences of one paragraph (each line of a multi-line paragraph splits too)."""
    result: list[Span] = []
    append = result.append
    whole = paragraph.text
    if "\n" in whole:
        pieces = [(paragraph.start + m.start(), m.group()) for m in _LINE.finditer(whole)]
    else:
        pieces = [(paragraph.start, whole)]
    for base, text in pieces:
        cut = 0
        for match in _SENTENCE_END.finditer(text):
            stop = match.start() + 1
            if text[stop - 1] == ".":
                # The word before the full stop is short (the longest abbreviation, "approx",
                # has six letters) or ends in a capital or a dot: maybe an abbreviation.
                dot = stop - 1
                space = text.rfind(" ", max(0, dot - 8), dot)
                if (
                    space < 0 or dot - space <= 7 or not text[dot - 1].islower()
                ) and _NO_BREAK_BEFORE.search(text, max(0, stop - 6), stop):
                    continue
            piece = text[cut:stop]
            if piece[0].isspace() or piece[-1].isspace():
                if piece.strip():
                    append(_trimmed(base + cut, piece))
            else:
                append(_new_span((base + cut, base + stop, piece)))
            cut = match.end()
        piece = text[cut:]
        if piece and not piece[0].isspace() and not piece[-1].isspace():
            append(_new_span((base + cut, base + len(text), piece)))
        elif piece.strip():
            append(_trimmed(base + cut, piece))
    return result


def _trimmed(start: int, piece: str) -> Span:
    if not piece[0].isspace() and not piece[-1].isspace():
        return Span(start, start + len(piece), piece)
    lead = len(piece) - len(piece.lstrip())
    stripped = piece.strip()
    return Span(start + lead, start + lead + len(stripped), stripped)


def boilerplate_start(body: str) -> int:
    """Offset where trailing boilerplate (contacts, media coverage, about us) begins."""
    for paragraph in paragraphs(body):
        if _opens(paragraph, _BOILERPLATE_BLOCK):
            return paragraph.start
    return len(body)


def boilerplate_spans(body: str) -> list[tuple[int, int]]:
    """Spans of paragraphs that are boilerplate, plus everything after a closing block."""
    spans = []
    tail = len(body)
    firsts = _BOILERPLATE_FIRSTS
    for paragraph in paragraphs(body):
        head = paragraph.text[:2]
        if (
            len(head) == 2
            and not head[0].isspace()
            and not head[1].isspace()
            and head.lower() not in firsts
        ):
            continue  # the lower-cased opening cannot start with any of them
        opening = paragraph.text[:40].lstrip().lower()
        if opening.startswith(_BOILERPLATE_START):
            spans.append((paragraph.start, paragraph.end))
            if tail == len(body) and opening.startswith(_BOILERPLATE_BLOCK):
                tail = paragraph.start
    if tail < len(body):
        spans.append((tail, len(body)))
    return spans


def in_spans(start: int, spans: list[tuple[int, int]]) -> bool:
    """Whether offset ``start`` falls inside one of ``spans``."""
    return any(a <= start < b for a, b in spans)
