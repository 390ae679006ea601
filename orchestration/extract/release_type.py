"""Release type (media_advisory | press_release | statement | news | speech | other)."""

from __future__ import annotations

import re

_ADVISORY_FUTURE = re.compile(
    r"\bwill (?:visit|meet|attend|participate|travel|deliver|host|address|give|hold|"
    r"receive|welcome|chair|co-chair|take part|speak|open|launch|hold)\b"
)
_PRESS_RELEASE = re.compile(r"\bPress Release\s*\(\d{4}\)\s*\d+|^\s*Press Release\b", re.I | re.M)
_SPEECH_LINE_OPENINGS = (
    "speech by",
    "remarks by",
    "keynote by",
    "opening remarks by",
    "address by",
)
_QUESTION_LINE = re.compile(r"\s*q(?:uestion)?\s*:")
_TRANSCRIPT = re.compile(r"\btranscript\b")
_PRE_MINISTERIAL = re.compile(r"\bpre-ministerial press conference\b")


def _is_speech(text: str) -> bool:
    """A transcript: "(As delivered)", "Transcript", a line opening "Speech by" or
    "Remarks by" ..., or a Q&A line (any case; plain string tests, one line at a time)."""
    lower = text.lower()
    if "(as delivered)" in lower:
        return True
    if "transcript" in lower and _TRANSCRIPT.search(lower):
        return True
    if "pre-ministerial" in lower and _PRE_MINISTERIAL.search(lower):
        return True
    for line in lower.split("\n"):
        if line.startswith("q&a"):
            return True
        opening = line.lstrip()
        for phrase in _SPEECH_LINE_OPENINGS:
            if opening.startswith(phrase) and not opening[len(phrase) : len(phrase) + 1].isalnum():
                return True
        if opening[:1] == "q" and _QUESTION_LINE.match(opening):
            return True
    return False


_STATEMENT = re.compile(r"\bstatement\b")
# A readout of a meeting or call is a record, not an announcement ("Readout of the
# Secretary-General's meeting with ...").
_READOUT = re.compile(r"^\W*read-?out\b", re.I)
# A body that opens in the first person speaks for its author: a statement ("I strongly
# condemn ...", "I welcome ...").
_FIRST_PERSON = re.compile(
    r"I (?:(?:strongly|firmly|unreservedly|warmly|deeply|very much|also) )?"
    r"(?:condemn|welcome|deplore|regret|express|extend|offer|congratulate|mourn|salute|"
    r"commend|am|was|have|join|call|urge|note|reiterate|strongly)\b"
)
# A press release opens with its dateline: "The Hague, 19 October 2018".
_DATELINE = re.compile(
    r"[A-Z][\w.’'-]*(?: [A-Z][\w.’'-]*){0,3}, \d{1,2} (?:January|February|March|April|May|"
    r"June|July|August|September|October|November|December) \d{4}\s*$"
)
_PRESS_STATEMENT = re.compile(r"\bpress statements?\b")
_MEDIA_ADVISORY = "media advisory"


def _has_advisory_heading(body: str) -> bool:
    """Whether a line is only "Media advisory" (any case), found by str.find."""
    lower = body.lower()
    index = lower.find(_MEDIA_ADVISORY)
    while index >= 0:
        line_start = lower.rfind("\n", 0, index) + 1
        line_end = lower.find("\n", index)
        line_end = len(lower) if line_end < 0 else line_end
        after = index + len(_MEDIA_ADVISORY)
        if not lower[line_start:index].strip() and not lower[after:line_end].strip():
            return True
        index = lower.find(_MEDIA_ADVISORY, after)
    return False


def classify_release(title: str, body: str, hint: str | None = None) -> str:
    """Decide the release type from the source's own label (``hint``), then the title and
    the opening lines. ``press_release`` needs the institution's label ("Press Release
    (2024) 151", a press-release page type) or a dateline opening the body ("The Hague,
    19 October 2018"); any other announcement of what happened is ``news``."""
    hint_text = (hint or "").strip().lower()
    if "advisory" in hint_text:
        return "media_advisory"
    if hint_text in {"opinions", "opinion", "speech", "speeches", "transcript"}:
        return "speech"
    if hint_text.startswith("statement"):
        return "statement"
    if _PRESS_RELEASE.search(hint or "") or hint_text == "press release":
        return "press_release"
    first_para = body.strip().split("\n\n", 1)[0]
    if _READOUT.match(title):
        return "other"
    title_lower = title.lower()
    says_statement = ("statement" in title_lower and _STATEMENT.search(title_lower)) or (
        "statement" in first_para[:200].lower() and _STATEMENT.search(first_para[:200].lower())
    )
    if says_statement and not _PRESS_STATEMENT.search(title_lower):
        return "statement"
    head = body[:400]
    if _is_speech(title) or _is_speech(head):
        return "speech"
    if _FIRST_PERSON.match(first_para):
        return "statement"
    if _has_advisory_heading(body):
        return "media_advisory"
    if _DATELINE.match(first_para.split("\n", 1)[0]):
        return "press_release"
    if "release" in body[:300].lower() and _PRESS_RELEASE.search(body[:300]):
        return "press_release"
    if (
        "will " in first_para[:400]
        and _ADVISORY_FUTURE.search(first_para[:400])
        and re.search(r"\d", first_para[:200])
    ):
        return "media_advisory"
    return "news"
