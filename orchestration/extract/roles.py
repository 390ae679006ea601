"""Participant roles from the verbs around a person in an event's sentence or line.

* host: the subject of "will host / hosted / welcomed / received", "thanked X for hosting",
  and the agent of "hosted by X / welcomed by X / received by X";
* guest: the object of "met with X / welcomed X / received X", "X's visit", "visit by X",
  and the subject of "X visited" or "X was received";
* speaker: "remarks by X", "speech by X", "press conference by X", "X addressed", "X will
  deliver a speech";
* participant: anything else.
"""

from __future__ import annotations

import re

_HOST_WORDS = (
    r"host|hosts|hosted|hosting|welcome|welcomes|welcomed|welcoming"
    r"|receive|receives|received|receiving"
)
_SPEAK_WORDS = (
    r"address|addresses|addressed|addressing|speak|speaks|spoke|deliver|delivers|delivered"
    r"|delivering|open|opens|opened"
    r"|(?:hold|holds|held|give|gives|gave)\s+(?:a\s+)?(?:joint\s+)?(?:press\s+conference|speech)"
)
_VISIT_WORDS = r"visit|visits|visited|visiting|travel|travels|travelled|traveled|travelling"
# What may stand between a name and its verb: "of the Netherlands", ", the Prime Minister,",
# auxiliaries and adverbs.
_GAP = (
    r"(?:\s+of\s+(?:the\s+)?[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*)?"
    r"(?:\s*,[^,.;:]{1,80},|\s*,)?"
    r"(?:\s+(?:will|would|shall|also|then|has|have|had|jointly|later|today|yesterday|tomorrow"
    r"|is|was|were|are|to)\b)*"
)
_AFTER = re.compile(
    rf"(?:[’']s\s+(?:\w+\s+)?(?P<poss>visit|trip)\b"
    rf"|\s+for\s+(?P<for>hosting)\b"
    rf"|{_GAP}\s+(?:(?:be|been|being)\s+)?"
    rf"(?:(?P<host>{_HOST_WORDS})|(?P<speak>{_SPEAK_WORDS})|(?P<visit>{_VISIT_WORDS}))\b)"
)
_BEFORE = re.compile(
    # Line heads are capitalised ("Press conference by ...", "Address by His Majesty").
    r"\b(?:(?P<speaker>(?:[Oo]pening\s+|[Cc]losing\s+|[Kk]eynote\s+)?(?:[Rr]emarks|[Ss]peech"
    r"|[Ss]peeches|[Aa]ddress|[Ss]tatements?|[Pp]ress\s+conference|[Pp]ress\s+point"
    r"|[Pp]ress\s+briefing|[Dd]oorstep|[Kk]eynote|[Ll]ecture|[Bb]riefing)(?:\s+\w+){0,2}\s+by)"
    r"|(?P<host_by>(?:(?:hosted|welcomed|[Ww]elcome|received|chaired|organised|organized)"
    r"(?:\s+[\w’'-]+){0,4}?\s+by)"
    r"|chairmanship\s+of|invitation\s+of)"
    r"|(?P<guest_by>(?:(?:[Vv]isit|visits|trip)(?:\s+[\w’'-]+){0,4}?\s+(?:by|of))|[Aa]rrival\s+of)"
    rf"|(?P<object>(?:{_HOST_WORDS}|meet|meets|met|meeting)(?:\s+with)?))\b"
)
_BEFORE_REACH = 150  # "meet the Chancellor of Germany, Mr Olaf Scholz, and the Minister ..."
_CLAUSE_BREAK = re.compile(r"[;:]|\bwhile\b|\bwhere\b|\bwho\b")


def role_of(text: str, start: int, end: int) -> str:
    """Role of the person at ``text[start:end]`` (offsets inside the event's sentence)."""
    after = _AFTER.match(text, end)
    if after is not None:
        if after.group("poss"):
            return "guest"
        if after.group("for"):
            return "host"
        if after.group("host"):
            passive = _PASSIVE_END.search(text, after.start(), after.start("host"))
            return "guest" if passive else "host"
        if after.group("speak"):
            return "speaker"
        if after.group("visit"):
            return "guest"
    window_start = max(0, start - _BEFORE_REACH)
    last = None
    for match in _BEFORE.finditer(text, window_start, start):
        last = match
    if last is None or _CLAUSE_BREAK.search(text, last.end(), start):
        return "participant"
    if last.group("speaker"):
        return "speaker"
    if last.group("host_by"):
        return "host"
    return "guest"


# "X was received by Y", "X, the President, will be welcomed": X is the guest.
_PASSIVE_END = re.compile(r"\b(?:was|were|is|are|be|been|being)\s+\Z")
