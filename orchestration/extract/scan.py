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
from collections.abc import Mapping
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
    "spokesperson",
    "spokesman",
    "spokeswoman",
)
RELATIVE_WORDS: tuple[str, ...] = (
    "yesterday",
    "today",
    "tomorrow",
    "week",
    "month",
    "this morning",
    "this afternoon",
    "this evening",
    "tonight",
)
# Words before a bare year ("in 2019", "during 2023"); a cue ending in a digit may run on.
YEAR_CUES: tuple[str, ...] = ("in 19", "in 20", "during", "throughout")
CUES: tuple[str, ...] = tuple(
    dict.fromkeys((*SAID_VERBS, "according to", *RELATIVE_WORDS, *YEAR_CUES, *PERSON_VERBS))
)


# First matching family wins: a "press conference" is not a conference, "addressing a
# session" is a speech. Each alternative is (cue, pattern): the cue is a literal that one
# Aho-Corasick pass finds in the lower-cased body; the pattern (lower case, run on
# lower-cased text) is then matched only where its cue is.
_TRIGGER_TABLE: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "press_conference",
        (
            ("press conference", "press conference"),
            ("press statement", "press statements?"),
            ("doorstep", "doorstep"),
            ("press point", "press point"),
            ("media availability", "media availability"),
            ("press briefing", "press briefing"),
            ("news conference", "news conference"),
            ("joint statement", "joint statements? to the press"),
        ),
    ),
    (
        "ceremony",
        (
            ("prize", r"\bprize\b"),
            ("award", r"\baward(?:s|ed)?\b"),
            ("wreath", "wreath"),
            ("ceremony", "ceremony"),
            ("signing", r"\bsigning\b"),
            (
                "sign",
                r"\bsign(?:s|ed)? (?:a |an |the )?(?:new |joint )?(?:\w+[- ])?(?:contract|"
                r"agreement|arrangement|memorandum|declaration|letter|accord|treaty|protocol)",
            ),
            ("was signed", r"\b(?:was|were) signed\b"),
            ("arrival of", r"\barrival of\b"),
            ("welcome by", r"\bwelcome by\b"),
            ("took office", r"\b(?:took|takes|take) office\b"),
            ("took over", r"\b(?:took|takes|take) over as\b"),
            ("handed over", r"\bhanded over to\b"),
            ("inaugurat", "inaugurat"),
            ("commemorat", "commemorat"),
            ("flag", "flag[- ]raising"),
        ),
    ),
    (
        "speech",
        (
            ("remarks", r"\bremarks\b"),
            ("speech", r"\bspeech\b"),
            # "address the Council / participants / students", "an address by"; not
            # "addressed the security situation" (a topic is not an audience).
            (
                "address",
                r"\baddress(?:es|ed|ing)? (?:by|to|the (?:\w+ ){0,3}?(?:council|parliament|assembly"
                r"|conference|forum|summit|participants|audience|students|cadets|graduates|troops"
                r"|delegates|session|plenary|committee|ministers|nation|event|opening|symposium"
                r"|seminar|workshop|convention|congress|meeting)\b|(?:participants|students|"
                r"delegates|an audience|a conference|a meeting|a session|a forum|a summit|"
                r"parliament|troops|cadets))",
            ),
            ("keynote", "keynote"),
            ("lecture", r"\blecture\b"),
        ),
    ),
    (
        "meeting",
        (
            ("meet", r"\bmeet(?:s|ing|ings)?\b"),
            ("met", r"\bmet\b"),
            ("talks with", r"\btalks with\b"),
            ("talks", r"\btalks (?:on|about|between|in|at)\b"),
            ("for talks", r"\bfor talks\b"),
            ("held talks", r"\bheld talks\b"),
            ("bilateral", r"\bbilateral\b"),
            # a call between leaders is a meeting; "spoke to reporters" is not
            (
                "spoke",
                r"\bspoke (?:(?:by (?:tele)?phone )?(?:to|with)\b(?! (?:the )?(?:press|media|"
                r"reporters|journalists|students|participants|audience|delegates))"
                r"|by (?:tele)?phone\b)",
            ),
            ("call with", r"\b(?:phone |telephone |video )?call with\b"),
            # "welcomed the minister to NATO Headquarters": receiving a visitor
            (
                "welcome",
                r"\bwelcom(?:e|ed|es|ing)\b(?= (?:[\w’'.,-]+ ){1,10}?to (?:nato\b|the [\w ]{0,30}?"
                r"(?:headquarters|palace|house)|[\w-]+ (?:headquarters|hq)\b))",
            ),
        ),
    ),
    (
        "visit",
        (
            ("visit", r"\bvisit(?:s|ed|ing)?\b"),
            ("travel", r"\btravel(?:s|led|ling)?(?: \w+){0,2}? to\b"),
            ("trip to", r"\btrip to\b"),
        ),
    ),
    (
        "conference",
        (
            ("conference", "conference"),
            ("convention", r"\bconvention\b"),
            ("gathered", r"\bgathered (?:at|in)\b"),
            # not the US Congress (an organisation)
            ("congress", r"(?<!united states )(?<!u\.s\. )(?<!\bus )\bcongress\b"),
            ("forum", r"\bforum\b"),
            ("summit", r"\bsummit\b"),
            ("session", r"\bsession\b"),
            ("nato day", "nato day"),
            ("symposium", "symposium"),
            ("seminar", "seminar"),
            ("workshop", "workshop"),
            ("ministerial", r"\bministerial\b"),
            ("exercise", r"\bexercise\b"),
            ("attend", r"\battend(?:s|ed|ing)?\b"),
            ("hackathon", r"\bhackathon\b"),
        ),
    ),
    (
        "operation",
        (
            ("action day", "action days?"),
            ("operation", r"\boperation\b"),
            ("raid", r"\braids?\b"),
            ("house searches", "house searches"),
            ("searches", r"\bsearches\b"),
            ("crackdown", "crackdown"),
            ("dismantled", "dismantled"),
            ("takedown", "takedown"),
            ("took down", r"\btook down\b"),
            ("taken down", r"\btaken down\b"),
            ("take down", r"\btake down\b"),
            ("seized", r"\bseized\b"),
        ),
    ),
    (
        "arrest",
        (
            ("arrest", r"\barrest(?:ed|s)?\b"),
            ("detained", r"\bdetained\b"),
            ("apprehended", r"\bapprehended\b"),
        ),
    ),
)
KINDS = tuple(kind for kind, _alternatives in _TRIGGER_TABLE)


@dataclass(frozen=True)
class Anchors:
    """Capitalised words (start, word) in text order, cue word positions, and trigger cues
    (start, [(family rank, pattern)]) still to be confirmed by their patterns."""

    by_word: dict[str, list[int]]  # capitalised word -> its starts, in text order
    possessives: tuple[int, ...]  # starts of capitalised words followed by 's or ’s
    cues: dict[str, tuple[int, ...]]
    lower: str
    trigger_cues: tuple[tuple[int, tuple[tuple[int, re.Pattern[str]], ...]], ...]

    def starts_of(self, vocabulary: Mapping[str, object]) -> list[tuple[int, str]]:
        """(start, word) of the capitalised words that are keys of ``vocabulary``, in text
        order (a dict: intersecting two key views walks the smaller one)."""
        found = [
            (start, word)
            for word in self.by_word.keys() & vocabulary.keys()
            for start in self.by_word[word]
        ]
        found.sort()
        return found

    def cue_positions(self, names: tuple[str, ...]) -> list[tuple[int, str]]:
        """(start, cue) for the given cues, in text order."""
        found = [(pos, name) for name in names for pos in self.cues.get(name, ())]
        found.sort()
        return found


def is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


@functools.cache
def _cue_automaton() -> ahocorasick.Automaton:
    """Lower-case cue words -> (width, cue or None, trigger patterns, whether the cue must
    end at a word boundary)."""
    triggers: dict[str, list[tuple[int, re.Pattern[str]]]] = {}
    for rank, (_kind, alternatives) in enumerate(_TRIGGER_TABLE):
        for cue, pattern in alternatives:
            triggers.setdefault(cue, []).append((rank, re.compile(pattern)))
    automaton = ahocorasick.Automaton()
    for word in dict.fromkeys((*CUES, *triggers)):
        automaton.add_word(
            word,
            (
                len(word),
                word if word in CUES else None,
                tuple(triggers.get(word, ())),
                word[-1].isalpha(),  # a cue ending in a digit ("in 20") may run on
            ),
        )
    automaton.make_automaton()
    return automaton


def _lower(text: str) -> str:
    """Lower case with the same offsets ("İ" lower-cases to two characters: kept as is)."""
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


@functools.lru_cache(maxsize=32)
def anchors(text: str) -> Anchors:
    """The anchors of ``text`` (cached: people, places, dates and events share one scan)."""
    by_word: dict[str, list[int]] = {}
    get = by_word.get
    for match in capword_pattern().finditer(text):
        word = match.group()
        starts = get(word)
        if starts is None:
            by_word[word] = [match.start()]
        else:
            starts.append(match.start())
    possessives = tuple(_word_before(text, index) for index in _possessive_marks(text) if index)
    lower = _lower(text)
    cues: dict[str, list[int]] = {}
    trigger_cues = []
    last = len(text) - 1
    for end_index, (width, cue, patterns, check_end) in _cue_automaton().iter(lower):
        start = end_index + 1 - width
        if patterns:
            trigger_cues.append((start, patterns))
        if cue is None:
            continue
        if start:
            char = text[start - 1]
            if char.isalnum() or char == "_":
                continue
        if check_end and end_index < last:
            char = text[end_index + 1]
            if char.isalnum() or char == "_":
                continue
        found = cues.get(cue)
        if found is None:
            cues[cue] = [start]
        else:
            found.append(start)
    return Anchors(
        by_word,
        tuple(start for start in possessives if start >= 0),
        {k: tuple(v) for k, v in cues.items()},
        lower,
        tuple(trigger_cues),
    )


def _possessive_marks(text: str) -> list[int]:
    marks = []
    for mark in ("’s", "'s"):
        index = text.find(mark)
        while index >= 0:
            marks.append(index)
            index = text.find(mark, index + 2)
    return marks


def _word_before(text: str, end: int) -> int:
    """Start of the capitalised word that ends at ``end`` (-1 if there is none)."""
    match = _capword_end().search(text, max(0, end - 40), end)
    return match.start() if match else -1


@functools.cache
def _capword_end() -> re.Pattern[str]:
    return re.compile("(?<!\\w)[" + re.escape(upper_letters()) + r"]\w*\Z")


def trigger_hits(text: str) -> list[tuple[int, int]]:
    """(offset, family rank) of every event trigger in ``text``, in text order."""
    scanned = anchors(text)
    lower = scanned.lower
    hits = [
        (start, rank)
        for start, patterns in scanned.trigger_cues
        for rank, pattern in patterns
        if pattern.match(lower, start)
    ]
    hits.sort()
    return hits


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
