"""Paragraph splitting, the fast dataclass constructors and literal tries match their plain
definitions."""

import itertools
import random
import re
from dataclasses import fields

from orchestration.extract.dates import DateMention, _new_date
from orchestration.extract.models import LocationMention, PersonMention, fast_constructor
from orchestration.extract.text import (
    _BOILERPLATE_BLOCK,
    _BOILERPLATE_START,
    _PARAGRAPH,
    Span,
    boilerplate_spans,
    paragraphs,
)
from orchestration.extract.titles import ORGANISATIONS, TITLES, literal_trie


def _by_regex(body: str) -> tuple[Span, ...]:
    return tuple(Span(m.start(), m.end(), m.group()) for m in _PARAGRAPH.finditer(body))


def test_paragraphs_match_the_pattern_on_every_short_layout():
    # Every string of up to 7 characters over the characters that decide a split.
    for size in range(8):
        for chars in itertools.product("a \t\n\r", repeat=size):
            body = "".join(chars)
            assert paragraphs.__wrapped__(body) == _by_regex(body), repr(body)


def test_paragraphs_of_a_release():
    body = "Title line\nsecond line\n\n  \nNext one\n\t\nLast\n"
    assert paragraphs(body) == _by_regex(body)
    assert [p.text for p in paragraphs(body)] == [
        "Title line\nsecond line",
        "  \nNext one",
        "\t\nLast\n",
    ]


def test_fast_constructor_makes_equal_instances():
    values = {
        PersonMention: ("r#p1", 0, 5, "Smith", "John Smith", "Mr", None, None),
        LocationMention: (
            *("r#l1", 3, 9, "Berlin", "city:b", "Berlin", "city", "DE", 52.5, 13.4),
            *(2950159, "country:DE", "Germany", "country"),
        ),
    }
    for cls, args in values.items():
        made = fast_constructor(cls)(*args)
        plain = cls(*args)
        assert made == plain and repr(made) == repr(plain) and hash(made) == hash(plain)
        assert list(vars(made)) == [f.name for f in fields(cls)]
    assert _new_date(1, 2, None, None, "day") == DateMention(1, 2, None, None, "day")


def test_literal_trie_matches_like_the_longest_first_alternation():
    words = [*TITLES, *ORGANISATIONS, "de", "della", "del", "d", "bin", "bint", ""]
    plain = "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"
    trie = literal_trie(words)
    rng = random.Random(7)
    pieces = [*words, " ", "a", "s", "x"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 4)))
        # A tail that forces backtracking into shorter alternatives.
        for tail in ("", r"\s", "a", r"(?:ll)?a"):
            old, new = re.compile(plain + tail), re.compile(trie + tail)
            for pos in range(len(text) + 1):
                a, b = old.match(text, pos), new.match(text, pos)
                assert (a and a.span()) == (b and b.span()), (text, pos, tail)


def _boilerplate_by_opening(body: str) -> list[tuple[int, int]]:
    """``boilerplate_spans`` without its first-letters shortcut."""
    spans, tail = [], len(body)
    for paragraph in paragraphs(body):
        opening = paragraph.text[:40].lstrip().lower()
        if opening.startswith(_BOILERPLATE_START):
            spans.append((paragraph.start, paragraph.end))
            if tail == len(body) and opening.startswith(_BOILERPLATE_BLOCK):
                tail = paragraph.start
    if tail < len(body):
        spans.append((tail, len(body)))
    return spans


def test_boilerplate_shortcut_keeps_every_opening():
    rng = random.Random(3)
    heads = [*_BOILERPLATE_START, "The meeting", "Allies", "x", "İstanbul", "Σ", "T"]
    for _ in range(2000):
        paragraphs_ = []
        for _ in range(rng.randint(1, 5)):
            head = rng.choice(heads)
            head = rng.choice([head, head.upper(), head.title(), " " + head, "\t " + head])
            paragraphs_.append(head + rng.choice(["", " us", ": contact", "\nmore"]))
        body = "\n\n".join(paragraphs_)
        assert boilerplate_spans(body) == _boilerplate_by_opening(body), repr(body)
