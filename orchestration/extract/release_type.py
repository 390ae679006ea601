"""Release type (media_advisory | press_release | statement | news | speech | other)."""

from __future__ import annotations

import re

_ADVISORY_HEADING = re.compile(r"^\s*Media advisory\s*$", re.IGNORECASE | re.MULTILINE)
_ADVISORY_FUTURE = re.compile(
    r"\bwill (?:visit|meet|attend|participate|travel|deliver|host|address|give|hold|"
    r"receive|welcome|chair|co-chair|take part|speak|open|launch|hold)\b"
)
_PRESS_RELEASE = re.compile(r"\bPress Release\s*\(\d{4}\)\s*\d+|^\s*Press Release\b", re.I | re.M)
_SPEECH = re.compile(
    r"\(As delivered\)|\bTranscript\b|^\s*(?:Speech|Remarks|Keynote|Opening remarks|"
    r"Address) by\b|\bpre-ministerial press conference\b|^\s*Q(?:uestion)?\s*:|^Q&A",
    re.I | re.M,
)


_SPEECH_WORDS = (
    "delivered",
    "transcript",
    "speech",
    "remarks",
    "keynote",
    "address",
    "pre-ministerial",
    "q:",
    "question",
    "q&a",
)


def _maybe_speech(text: str) -> bool:
    """Cheap test before ``_SPEECH``: one of its words is there."""
    lower = text.lower()
    return any(word in lower for word in _SPEECH_WORDS)


def classify_release(title: str, body: str, hint: str | None = None) -> str:
    """Decide the release type from the source's hint, the title and the opening lines."""
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
    says_statement = re.search(r"\bstatement\b", title, re.I) or re.search(
        r"\bstatement\b", first_para[:200], re.I
    )
    if says_statement and not re.search(r"\bpress statements?\b", title, re.I):
        return "statement"
    head = body[:400]
    if _SPEECH.search(title) or (_maybe_speech(head) and _SPEECH.search(head)):
        return "speech"
    if "advisory" in body.lower() and _ADVISORY_HEADING.search(body):
        return "media_advisory"
    if "release" in body[:300].lower() and _PRESS_RELEASE.search(body[:300]):
        return "press_release"
    if (
        "will " in first_para[:400]
        and _ADVISORY_FUTURE.search(first_para[:400])
        and re.search(r"\d", first_para[:200])
    ):
        return "media_advisory"
    return "news"
