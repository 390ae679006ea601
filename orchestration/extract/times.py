"""Clock times on media-advisory lines ("13:30 (CET)  Press conference ...") and time zones."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from orchestration.extract.scan import anchors

_LABELS = {
    "CET": "Europe/Brussels",
    "CEST": "Europe/Brussels",
    "BRUSSELS TIME": "Europe/Brussels",
    "UTC": "UTC",
    "GMT": "UTC",
    "BST": "Europe/London",
    "EET": "Europe/Bucharest",
    "EEST": "Europe/Bucharest",
    "WET": "Europe/Lisbon",
    "WEST": "Europe/Lisbon",
    "CET/CEST": "Europe/Brussels",
    # North American zones: summits and visits in Washington, Ottawa, New York.
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "MSK": "Europe/Moscow",
}
_TZ = (
    r"(?:CET/CEST|CEST|CET|UTC|GMT|BST|EEST|EET|WEST|WET|EDT|EST|CDT|CST|PDT|PST|MSK"
    r"|[Bb]russels time|[Ll]ocal time)"
)
_CLOCK = r"(?:[01]?\d|2[0-3])(?:[:.h][0-5]\d)"
_CLOCK4 = r"(?:[01]\d|2[0-3])[0-5]\d"
_APPROX = r"(?:±|\+/-|\+-|\+|~|ca\.?|approx\.?|c\.)"
ADVISORY_LINE = re.compile(
    rf"^[ \t•*\-]*(?:{_APPROX}\s*)?"
    rf"(?:(?P<h>{_CLOCK})(?:\s*(?:-|–|—|to)\s*(?P<h2>{_CLOCK}))?"
    rf"|(?P<k>{_CLOCK4})\s*(?:-|–|—)\s*(?P<k2>{_CLOCK4})"
    rf"|(?P<k1>{_CLOCK4})(?=\s*\(?{_TZ}))"
    rf"\s*(?:hrs|h)?\s*(?:\(?(?P<tz>{_TZ})\)?)?\s*(?:-|–|—|:)?[ \t]*(?P<text>\S[^\n]*)?$",
    re.MULTILINE,
)
TBC_LINE = re.compile(
    r"^[ \t•*\-]*(?:Timing|Time|Times?)\s*(?:TBC|TBD|to be confirmed)\b[ \t:–-]*(?P<text>[^\n]*)$",
    re.MULTILINE | re.IGNORECASE,
)


# A clock time inside a sentence: "at 15:00 (Brussels time)", "at 10.30 CET".
_PROSE_TIME = re.compile(
    rf"\bat\s+(?P<h>{_CLOCK})\s*(?:hrs|h)?(?:\s*\(?(?P<tz>{_TZ})\)?)?(?![\d:.]\d)"
)


def prose_time(sentence: str) -> tuple[str, str | None] | None:
    """(``HH:MM``, time zone label or None) for "at 15:00 (Brussels time)" in a sentence."""
    index = sentence.find("at ")
    while index >= 0 and not sentence[index + 3 : index + 4].isdigit():
        index = sentence.find("at ", index + 3)
    if index < 0:
        return None  # no "at" + digit: no clock time
    match = _PROSE_TIME.search(sentence, max(0, index - 1))
    if match is None:
        return None
    return _hhmm(match.group("h")), match.group("tz")


@dataclass(frozen=True)
class TimedLine:
    """One advisory line: its span, local time (``HH:MM`` or None for TBC) and what happens."""

    start: int
    end: int
    local_time: str | None
    timezone_label: str | None
    text: str


def _hhmm(raw: str) -> str:
    digits = re.sub(r"\D", "", raw)
    return f"{int(digits[:-2]):02d}:{digits[-2:]}"


# A line that starts (after bullets or "approx.") with a digit. The pattern opens with a
# literal newline, which the regex engine finds with memchr instead of trying every offset.
_DIGIT_LINE = re.compile(rf"\n[ \t•*\-]*(?:{_APPROX}[ \t]*)?\d")
_FIRST_LINE = re.compile(rf"[ \t•*\-]*(?:{_APPROX}[ \t]*)?\d")


def _advisory_matches(body: str) -> list[re.Match[str]]:
    """``ADVISORY_LINE.finditer(body)``, tried only on lines that start with a digit."""
    starts = [0] if _FIRST_LINE.match(body) else []
    starts += [m.start() + 1 for m in _DIGIT_LINE.finditer(body)]
    matches = []
    floor = -1
    for start in starts:
        if start < floor:
            continue
        match = ADVISORY_LINE.match(body, start)
        if match:
            matches.append(match)
            floor = max(match.end(), start + 1)
    return matches


def find_timed_lines(body: str) -> list[TimedLine]:
    """Advisory lines that start with a clock time (or "Timing TBC")."""
    lines = []
    for match in _advisory_matches(body):
        raw = match.group("h") or match.group("k") or match.group("k1")
        text = (match.group("text") or "").strip()
        if not text or text[0].isdigit():
            continue
        lines.append(TimedLine(match.start(), match.end(), _hhmm(raw), match.group("tz"), text))
    # The scan's lower case (cached, same offsets) differs from ``body.lower()`` only at
    # "İ", which none of these words hold: a prefilter for the pattern below.
    lower = anchors(body).lower
    maybe_tbc = "tbc" in lower or "tbd" in lower or "to be confirmed" in lower
    for match in TBC_LINE.finditer(body) if maybe_tbc else ():
        lines.append(TimedLine(match.start(), match.end(), None, None, match.group("text").strip()))
    lines.sort(key=lambda line: line.start)
    return lines


def timezone_name(label: str | None, local_zone: str | None = None) -> str | None:
    """IANA zone for a label as written; "local time" needs the event location's zone."""
    if not label:
        return None
    if label.lower() == "local time":
        return local_zone
    return _LABELS.get(label.upper())


def to_utc(day: date, local_time: str, zone: str) -> datetime:
    """Naive UTC datetime for a local wall-clock time in ``zone`` (DST-correct)."""
    hour, minute = (int(part) for part in local_time.split(":"))
    aware = datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone))
    return aware.astimezone(UTC).replace(tzinfo=None)
