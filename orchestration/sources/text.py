"""Text normalisation shared by every parser.

Entities are decoded exactly once, where markup is parsed (`html_to_text`); `clean_text`
never decodes again, so a publisher's double-escaped ``&amp;lt;script&amp;gt;`` stays text.
Clean text carries no control characters and nothing that looks like a tag, and UTF-8 that
was once read as windows-1252 or Latin-1 (``CafÃ©``, ``donâ€™t``) is repaired with ftfy; only
clean text is: stored payloads keep their bytes. ``counting_repairs`` counts the repairs.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
# C0 except tab and newline, DEL, C1, and the bidirectional overrides/isolates that can
# reorder what a terminal or a report shows.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\u200b]")
_TAG = re.compile(r"</?[A-Za-z!?][^<>]*>")
_TAG_START = re.compile(r"<(?=[A-Za-z!?/])")
# A UTF-8 lead byte read as Latin-1/windows-1252, then a continuation byte read the same way:
# text without such a pair is never mojibake, and skips ftfy.
_MAYBE_MOJIBAKE = re.compile(r"[\u00c2-\u00f4][\u0080-\u00bf\u0152-\u02dc\u2013-\u2122]")
# The ASCII characters `_CONTROL` removes (carriage returns are turned into newlines first).
_ASCII_CONTROLS = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])
_repairs: ContextVar[list[int] | None] = ContextVar("mojibake_repairs", default=None)


@contextmanager
def counting_repairs() -> Iterator[list[int]]:
    """Count, in ``tally[0]``, the texts whose mojibake is repaired inside the block."""
    tally = [0]
    token = _repairs.set(tally)
    try:
        yield tally
    finally:
        _repairs.reset(token)


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 decoded as windows-1252 or Latin-1, however many times (``Ã©`` -> ``é``,
    ``â€™`` -> ``’``); ftfy changes only text it is confident is mojibake."""
    if text.isascii() or not _MAYBE_MOJIBAKE.search(text):
        return text
    import ftfy  # imported only when a text looks damaged

    fixed = ftfy.fix_encoding(text)
    if fixed != text:
        tally = _repairs.get()
        if tally is not None:
            tally[0] += 1
    return fixed


def strip_controls(text: str) -> str:
    """Remove control and bidi-override characters; line separators become newlines."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii():  # a byte-level scan is several times faster than the regex
        raw = text.encode("ascii")
        if len(raw.translate(None, _ASCII_CONTROLS)) == len(raw):
            return text
    else:
        text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    return _CONTROL.sub("", text)


def strip_markup(text: str) -> str:
    """Drop tag-like sequences from plain text (``<script>``, ``<img onerror=…>``); a lone
    ``<`` before a letter becomes ``‹`` so no tag can be formed downstream."""
    if "<" not in text:
        return text
    return _TAG_START.sub("‹", _TAG.sub("", text))


def clean_text(text: str) -> str:
    """Repair mojibake, NFC-normalise, drop control characters and tag-like markup, turn NBSP
    into spaces and trim each line. Entities are NOT decoded here (that happened once, when
    parsing).

    Runs of spaces are kept inside a line (advisory time lines align with them); blank-line
    runs collapse to one blank line. Idempotent: ``clean_text(clean_text(x)) == clean_text(x)``.
    """
    once = repair_mojibake(text)
    is_ascii = once.isascii()  # then NFC and the NBSP replacements have nothing to do
    if not is_ascii:
        once = unicodedata.normalize("NFC", once)
    once = strip_markup(strip_controls(once))
    if not is_ascii:
        once = once.replace("\u00a0", " ").replace("\u202f", " ")
    lines = [line.rstrip() for line in once.split("\n")]
    cleaned = "\n".join(lines)
    if "\n\n\n" in cleaned:
        cleaned = _MANY_BLANK_LINES.sub("\n\n", cleaned)
    cleaned = cleaned.strip()
    # Each step can expose work for another (tag removal: ``<<b>b>``; a control character
    # removed from inside mojibake: ``×\x1fÂ\x91``): repeat until stable. Only the first two
    # steps can find work in a text that has been through all of them once (no control
    # character, tag start, NBSP, trailing space or blank-line run is left or made), so a
    # text they would leave alone is final without another pass.
    if cleaned == text or _final(cleaned):
        return cleaned
    return clean_text(cleaned)


def _final(cleaned: str) -> bool:
    """True when `repair_mojibake` and NFC leave ``cleaned`` (an output of `clean_text`'s
    steps) as it is."""
    return cleaned.isascii() or (
        not _MAYBE_MOJIBAKE.search(cleaned) and unicodedata.is_normalized("NFC", cleaned)
    )


def one_line(text: str) -> str:
    """Collapse all whitespace to single spaces (titles, summaries). Idempotent: joining
    lines can make mojibake across the join (``á†`` then a line break reads as UTF-8's
    ``ᆠ`` once the break is a space), so it repeats until nothing changes."""
    cleaned = clean_text(text)
    line = _collapsed(cleaned)
    if line == cleaned:  # nothing was joined: clean_text's output is final
        return line
    for _ in range(_MAX_PASSES):
        again = _collapsed(clean_text(line))
        if again == line:
            break
        line = again
    return line


_MAX_PASSES = 4  # each pass repairs what the previous join exposed; one suffices in practice


def _collapsed(text: str) -> str:
    return _SPACES.sub(" ", " ".join(text.split())).strip()


def normalised_title_key(title: str) -> str:
    """A stable short key for items that carry no id (text dumps): hash of the folded title."""
    folded = unicodedata.normalize("NFKD", title.casefold())
    folded = "".join(ch for ch in folded if ch.isalnum())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:16]


_BLOCK_TAGS = (
    "p",
    "div",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "br",
    "section",
    "article",
    "blockquote",
    "ul",
    "ol",
    "table",
)


def html_to_text(fragment: object) -> str:
    """Plain text of an HTML fragment: one paragraph per block element, scripts dropped,
    entities decoded once. Anything but a string (a hostile JSON value) gives ""."""
    from lxml import etree
    from lxml import html as lxml_html  # lxml is imported only where HTML is parsed

    if not isinstance(fragment, str) or not fragment.strip():
        return ""
    fragment = strip_controls(repair_mojibake(fragment))  # before C1 (``â€\x9d``) is dropped
    if "<" not in fragment:
        return clean_text(html.unescape(fragment))
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
        for element in root.iter("script", "style", "noscript"):
            element.drop_tree()
        for element in root.iter(*_BLOCK_TAGS):
            element.tail = "\n\n" + (element.tail or "")
            if element.tag == "li":
                element.text = "  • " + (element.text or "")
        return clean_text(root.text_content())
    except (etree.ParserError, ValueError):  # e.g. "&#1;" decodes to a character lxml refuses
        return clean_text(html.unescape(_TAG.sub(" ", fragment)))


def terminal_safe(text: object, limit: int = 300) -> str:
    """A value fit to echo on a terminal: one line, control characters shown as escapes."""

    def shown(char: str) -> str:
        if char == "\t" or not (char in "\n\r" or _CONTROL.match(char)):
            return char
        return f"\\x{ord(char):02x}" if ord(char) < 256 else f"\\u{ord(char):04x}"

    value = "".join(shown(char) for char in str(text))
    return value if len(value) <= limit else value[: limit - 1] + "…"
