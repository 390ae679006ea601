"""One pass over a body for anchors; the detailed patterns then run only around them.

Two cheap scans replace dozens of patterns that each walked the whole text:

* capitalised words (one regex whose first character is a class, so the engine skips to
  candidates in C): honorifics, titles, organisations, demonyms, month and weekday names,
  gazetteer names and name starts are all looked up in sets and dicts by these words;
* lower-case cue words (one Aho-Corasick pass): "said" and its kin, "according to",
  relative days, and the verbs that introduce a named person ("met", "succeeding").

Both are cached per text for the few calls that share a body.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import ahocorasick


@functools.cache
def upper_letters() -> str:
    """Every upper-case letter of the Basic Multilingual Plane (Ḩ, Ş, Ł, Ā ...)."""
    return "".join(c for c in map(chr, range(0x41, 0x3000)) if c.isupper())


@functools.cache
def capword_pattern() -> re.Pattern[str]:
    """A capitalised word: an upper-case letter and the word characters after it. Hyphens
    and apostrophes end it: "Poland-Belarus" gives two words, "Ukraine's" gives "Ukraine"."""
    return re.compile("[" + re.escape(upper_letters()) + r"]\w*")


SAID_VERBS: tuple[str, ...] = (
    "said",
    "says",
    "stated",
    "added",
    "explained",
    "noted",
    "stressed",
    "underlined",
    "commented",
    "emphasised",
    "emphasized",
    "declared",
    "highlighted",
    "remarked",
)
# Verbs and phrases after which a capitalised two- or three-word run is a person
# ("welcomed Ylva Johansson", "succeeding Jens Stoltenberg", "joined by Josep Borrell").
PERSON_VERBS: tuple[str, ...] = (
    "met",
    "meets",
    "meet",
    "meeting with",
    "met with",
    "welcomed",
    "welcomes",
    "welcome",
    "succeeding",
    "succeeded",
    "succeeds",
    "replacing",
    "replaced",
    "joined by",
    "hosted",
    "hosts",
    "thanked",
    "thanks",
    "congratulated",
    "received",
    "receives",
    "accompanied by",
    "together with",
    "alongside",
    "handed over to",
    "introduced",
    "spoke with",
    "talks with",
    "phone call with",
    "call with",
    "invited",
    "briefed",
    "signed by",
)
RELATIVE_WORDS: tuple[str, ...] = ("yesterday", "today", "tomorrow", "week", "month")
CUES: tuple[str, ...] = tuple(
    dict.fromkeys((*SAID_VERBS, "according to", *RELATIVE_WORDS, *PERSON_VERBS))
)


@dataclass(frozen=True)
class Anchors:
    """Capitalised words (start, word) in text order and cue word positions."""

    words: tuple[tuple[int, str], ...]
    cues: dict[str, tuple[int, ...]]

    def cue_positions(self, names: tuple[str, ...]) -> list[tuple[int, str]]:
        """(start, cue) for the given cues, in text order."""
        found = [(pos, name) for name in names for pos in self.cues.get(name, ())]
        found.sort()
        return found


def is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


@functools.cache
def _cue_automaton() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for cue in CUES:
        automaton.add_word(cue, cue)
    automaton.make_automaton()
    return automaton


@functools.lru_cache(maxsize=8)
def anchors(text: str) -> Anchors:
    """The anchors of ``text`` (cached: people, places and dates share one scan)."""
    words = tuple((m.start(), m.group()) for m in capword_pattern().finditer(text))
    cues: dict[str, list[int]] = {}
    size = len(text)
    for end_index, cue in _cue_automaton().iter(text):
        start = end_index + 1 - len(cue)
        if start and is_word_char(text[start - 1]):
            continue
        if end_index + 1 < size and is_word_char(text[end_index + 1]):
            continue
        cues.setdefault(cue, []).append(start)
    return Anchors(words, {k: tuple(v) for k, v in cues.items()})


def word_positions(text: str, word: str) -> list[int]:
    """Starts of ``word`` in ``text`` at word boundaries (``\\bword\\b``), by str.find."""
    found = []
    size, width = len(text), len(word)
    check_start, check_end = is_word_char(word[0]), is_word_char(word[-1])
    index = text.find(word)
    while index >= 0:
        end = index + width
        if not (check_start and index and is_word_char(text[index - 1])) and not (
            check_end and end < size and is_word_char(text[end])
        ):
            found.append(index)
        index = text.find(word, index + 1)
    return found
