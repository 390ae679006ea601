"""Date expressions with spans: single days, ranges, months, years and relative days.

Year-less dates take the year that puts them nearest the reference date. Relative weeks
("last week", "this week") are never turned into a day: they give month precision when the
whole week lies in one month, and nothing otherwise (an event must not get a day it lacks).

A release with no publication date (``undated``: the reference is only the day it was
fetched) takes a year-less date's year from the text's own evidence: the weekday written with
it ("Tuesday 24 March": such a year not after the fetch day, the one nearest a year the text
names, else the latest), else the nearest year
the text names before it (after it when none comes before). With neither, the date is
dropped: no year is invented. Relative days ("today", "last week") are dropped too. An
impossible day ("31 June") is no date at all, not a month.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

from orchestration.extract.models import fast_constructor
from orchestration.extract.scan import RELATIVE_WORDS, YEAR_CUES, anchors

_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_DAY = r"[0-3]?\d(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_DASH = r"\s*(?:-|–|—|to|until|till|and|through)\s*"
_WD = rf"(?:{_WEEKDAY},?\s+(?:the\s+)?\(?)?"

_AT_DAY = r"\b(?=from\b|[MTWFS][a-z]+day|\d)"
_AT_MONTH = r"\b(?=[JFMASOND])"
_RANGE = re.compile(
    rf"{_AT_DAY}(?:from\s+)?{_WD}(?P<d1>{_DAY})(?:\s+(?:of\s+)?(?P<m1>{_MONTH})(?:,?\s+(?P<y1>{_YEAR}))?)?"
    rf"{_DASH}{_WD}(?P<d2>{_DAY})\s+(?:of\s+)?(?P<m2>{_MONTH})(?:,?\s+(?P<y2>{_YEAR}))?\b\)?"
)
_US_RANGE = re.compile(
    rf"{_AT_MONTH}(?P<m1>{_MONTH})\s+(?P<d1>{_DAY})\s*(?:-|–|—)\s*(?P<d2>{_DAY}),?\s+(?P<y2>{_YEAR})\b"
)
_SINGLE = re.compile(
    rf"{_AT_DAY}{_WD}(?:the\s+)?(?P<d1>{_DAY})\s+(?:of\s+)?(?P<m1>{_MONTH})(?:,?\s+(?P<y1>{_YEAR}))?\b\)?"
)
_US_SINGLE = re.compile(
    rf"\b(?=[MTWFSJAOND])(?:{_WEEKDAY},?\s+)?(?P<m1>{_MONTH})\s+(?P<d1>{_DAY})(?:,\s+(?P<y1>{_YEAR}))?\b"
)
_MONTH_YEAR = re.compile(
    rf"\b(?:(?:early|mid|late|end of|beginning of)[\s-]+)?(?P<m1>{_MONTH})\s+(?P<y1>{_YEAR})\b"
)
_YEAR_ONLY = re.compile(rf"\b(?:in|during|throughout)\s+(?P<y1>{_YEAR})\b(?![-–/]?\d)")
_RELATIVE = re.compile(
    r"\b(?P<rel>yesterday|today|tomorrow|(?:this|last|next) (?:week|month)|"
    r"the day before yesterday|the day after tomorrow|this (?:morning|afternoon|evening)|"
    r"tonight)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateMention:
    """A date (or date range) written in the text."""

    start: int
    end: int
    start_date: date
    end_date: date | None
    precision: str  # day | month | year


_new_date = fast_constructor(DateMention)  # DateMention(...) without its per-field setattr


def _month(text: str) -> int:
    return _MONTHS[text.rstrip(".").lower()]


def _day(text: str) -> int:
    return int(re.match(r"\d+", text).group())  # type: ignore[union-attr]


def nearest_year(month: int, day: int, reference: date) -> int:
    """The year that puts month/day nearest ``reference``."""
    best_year, best_gap = reference.year, None
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            gap = abs((date(year, month, day) - reference).days)
        except ValueError:
            continue
        if best_gap is None or gap < best_gap:
            best_year, best_gap = year, gap
    return best_year


def _make(year: int | None, month: int, day: int, reference: date) -> date | None:
    try:
        return date(year if year else nearest_year(month, day, reference), month, day)
    except ValueError:
        return None


def _relative(word: str, reference: date) -> tuple[date, date | None, str] | None:
    word = word.lower()
    days = {
        "yesterday": -1,
        "today": 0,
        "tomorrow": 1,
        "the day before yesterday": -2,
        "the day after tomorrow": 2,
        "this morning": 0,
        "this afternoon": 0,
        "this evening": 0,
        "tonight": 0,
    }
    if word in days:
        return reference + timedelta(days=days[word]), None, "day"
    which, unit = word.split()
    shift = {"this": 0, "last": -1, "next": 1}[which]
    if unit == "month":
        month_index = reference.year * 12 + reference.month - 1 + shift
        return date(month_index // 12, month_index % 12 + 1, 1), None, "month"
    monday = reference - timedelta(days=reference.weekday()) + timedelta(weeks=shift)
    sunday = monday + timedelta(days=6)
    if monday.month != sunday.month:
        return None
    return monday.replace(day=1), None, "month"


# Month names are rare in a text; the full patterns only run in windows around them.
_MONTH_WORDS = dict.fromkeys([*(m.capitalize() for m in _MONTHS), "Sept"])
# How far before and after a month name's first three letters each pattern may reach:
# "from Tuesday 24 March to Thursday 26 March 2015", "Wednesday, the 31st of October".
_REACH = {"range": (60, 48), "us_range": (0, 48), "single": (40, 48), "us_single": (16, 48)}


def _windows(months: list[int], size: int, before: int, after: int) -> list[tuple[int, int]]:
    windows: list[tuple[int, int]] = []
    for word_start in months:
        start = max(0, word_start - before)
        end = min(size, word_start + after)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


def _positions(text: str, needle: str) -> list[int]:
    found = []
    index = text.find(needle)
    while index >= 0:
        found.append(index)
        index = text.find(needle, index + 1)
    return found


def _merged(windows: list[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    """Sorted, clipped windows with overlapping ones joined."""
    result: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        start, end = max(0, start), min(size, end)
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(end, result[-1][1]))
        else:
            result.append((start, end))
    return result


def _finditer(pattern: re.Pattern[str], text: str, windows: list[tuple[int, int]]):
    for start, end in windows:
        yield from pattern.finditer(text, start, end)


@dataclass(frozen=True)
class _YearLess:
    """A day or range written without a year, resolved once the text's years are known."""

    start: int
    end: int
    month: int
    day: int
    weekday: int | None
    end_month: int | None = None
    end_day: int | None = None


_WEEKDAY_INDEX = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_WEEKDAY_WORD = re.compile(_WEEKDAY)


def _weekday_in(text: str) -> int | None:
    match = _WEEKDAY_WORD.search(text)
    return _WEEKDAY_INDEX[match.group()[:3].lower()] if match else None


def _year_of_weekday(
    month: int, day: int, weekday: int, latest: date, named: list[int] = ()
) -> int | None:
    """A year (28 back at most: the calendar repeats) in which month/day falls on
    ``weekday``, not after ``latest``: the one nearest a year the text names, else the
    latest."""
    fitting = []
    for year in range(latest.year, latest.year - 29, -1):
        try:
            when = date(year, month, day)
        except ValueError:
            continue
        if when <= latest and when.weekday() == weekday:
            fitting.append(year)
    if not fitting:
        return None
    if not named:
        return fitting[0]
    return min(fitting, key=lambda year: (min(abs(year - n) for n in named), -year))


_BARE_YEAR = re.compile(rf"(?<![\w/.-]){_YEAR}(?![\w/.-]\d)")


def _resolve_year_less(
    text: str, pending: list[_YearLess], found: list[DateMention], reference: date
) -> list[DateMention]:
    """Dates for year-less mentions of an undated release (see the module docstring): years
    of written dates and years named on their own ("the 2019 review"), none after the fetch."""
    named = [(m.start(), int(m.group())) for m in _BARE_YEAR.finditer(text)]
    years = sorted(
        (pos, year)
        for pos, year in [*((m.start, m.start_date.year) for m in found), *named]
        if year <= reference.year
    )
    resolved = []
    for item in pending:
        year = None
        if item.weekday is not None:
            year = _year_of_weekday(
                item.month, item.day, item.weekday, reference, [y for _pos, y in years]
            )
        if year is None and years:
            before = [y for pos, y in years if pos < item.start]
            year = before[-1] if before else years[0][1]
        if year is None:
            continue
        start = _make(year, item.month, item.day, reference)
        end = None
        if item.end_month is not None and item.end_day is not None:
            end_year = year + 1 if item.end_month < item.month else year
            end = _make(end_year, item.end_month, item.end_day, reference)
            if end is None or start is None or end < start:
                continue
        if start is not None:
            resolved.append(_new_date(item.start, item.end, start, end, "day"))
    return resolved


def _impossible(year: int | None, month: int, day: int) -> bool:
    """A day the month does not have ("31 June"; 29 February only in leap years)."""
    try:
        date(year or 2000, month, day)  # 2000 is a leap year: a year-less 29 February is real
    except ValueError:
        return True
    return False


def find_dates(text: str, reference: date, *, undated: bool = False) -> list[DateMention]:
    """All date mentions in ``text``, non-overlapping, in text order. ``undated``: the
    reference is only a fetch day (see the module docstring)."""
    found: list[DateMention] = []
    blocked: list[tuple[int, int]] = []  # impossible days and year-less dates: no month either
    pending: list[_YearLess] = []
    months = [start for start, _word in anchors(text).starts_of(_MONTH_WORDS)]
    windows = {name: _windows(months, len(text), *reach) for name, reach in _REACH.items()}

    def taken(start: int, end: int) -> bool:
        return any(m.start < end and start < m.end for m in found) or any(
            b_start < end and start < b_end for b_start, b_end in blocked
        )

    for name, pattern in (("range", _RANGE), ("us_range", _US_RANGE)):
        for match in _finditer(pattern, text, windows[name]):
            if taken(*match.span()):
                continue
            groups = match.groupdict()
            m2 = _month(groups["m2"])
            m1 = _month(groups["m1"]) if groups.get("m1") else m2
            y2 = int(groups["y2"]) if groups.get("y2") else None
            y1 = int(groups["y1"]) if groups.get("y1") else None
            d1, d2 = _day(groups["d1"]), _day(groups["d2"])
            if _impossible(y1 or y2, m1, d1) or _impossible(y2, m2, d2):
                blocked.append(match.span())
                continue
            if undated and y2 is None:
                blocked.append(match.span())
                pending.append(_YearLess(*match.span(), m1, d1, _weekday_in(match.group()), m2, d2))
                continue
            end_date = _make(y2, m2, d2, reference)
            if end_date is None:
                continue
            if y1 is None:
                y1 = end_date.year - 1 if m1 > m2 else end_date.year
            start_date = _make(y1, m1, _day(groups["d1"]), reference)
            if start_date is None or start_date > end_date:
                continue
            found.append(_new_date(*match.span(), start_date, end_date, "day"))
    for name, pattern in (("single", _SINGLE), ("us_single", _US_SINGLE)):
        for match in _finditer(pattern, text, windows[name]):
            if taken(*match.span()):
                continue
            year = int(match.group("y1")) if match.group("y1") else None
            month, day_number = _month(match.group("m1")), _day(match.group("d1"))
            if _impossible(year, month, day_number):
                blocked.append(match.span())
                continue
            if undated and year is None:
                blocked.append(match.span())
                pending.append(
                    _YearLess(*match.span(), month, day_number, _weekday_in(match.group()))
                )
                continue
            day = _make(year, month, day_number, reference)
            if day is not None:
                found.append(_new_date(*match.span(), day, None, "day"))
    for match in _finditer(_MONTH_YEAR, text, windows["us_single"]):
        if not taken(*match.span()):
            found.append(
                _new_date(
                    *match.span(),
                    date(int(match.group("y1")), _month(match.group("m1")), 1),
                    None,
                    "month",
                )
            )
    scanned = anchors(text)
    year_windows = _merged(
        [(index - 16, index + len(cue) + 10) for index, cue in scanned.cue_positions(YEAR_CUES)],
        len(text),
    )
    # Every bare-year match holds "19" or "20": windows without either are skipped.
    year_windows = [
        (start, end)
        for start, end in year_windows
        if text.find("20", start, end) >= 0 or text.find("19", start, end) >= 0
    ]
    for match in _finditer(_YEAR_ONLY, text, year_windows):
        if not taken(*match.span()):
            found.append(_new_date(*match.span(), date(int(match.group("y1")), 1, 1), None, "year"))
    relative_windows = _merged(
        [
            (index - 16, index + len(cue) + 1)
            for index, cue in scanned.cue_positions(RELATIVE_WORDS)
        ],
        len(text),
    )
    for match in _finditer(_RELATIVE, text, relative_windows):
        if undated or taken(*match.span()) or _DATE_IN_BRACKETS.match(text, match.end()):
            continue  # "today (24 February 2021)": the written date is the one to use
        resolved = _relative(match.group("rel"), reference)
        if resolved is not None:
            found.append(_new_date(*match.span(), *resolved))
    if pending:
        found += _resolve_year_less(text, pending, found, reference)
    found.sort(key=lambda m: m.start)
    return [_balanced(text, m) for m in found]


_DATE_IN_BRACKETS = re.compile(rf"\s*\((?:{_WEEKDAY},?\s+)?{_DAY}\s+{_MONTH}")


def _balanced(text: str, mention: DateMention) -> DateMention:
    """Keep brackets in a span balanced: ``Tuesday (31 October 2023)``."""
    piece = text[mention.start : mention.end]
    end = mention.end
    if piece.count("(") > piece.count(")") and text[end : end + 1] == ")":
        end += 1
    elif piece.endswith(")") and piece.count(")") > piece.count("("):
        end -= 1
    if end == mention.end:
        return mention
    return _new_date(mention.start, end, mention.start_date, mention.end_date, mention.precision)


_CLOCK_NOTE = re.compile(r"\((?:all times )?(?:local time|[A-Z]{2,5}(?: time)?)\)", re.I)


@functools.lru_cache(maxsize=256)
def date_line(text: str, reference: date, undated: bool = False) -> DateMention | None:
    """A line that is only a date ("Thursday   09 November 2023"), perhaps with a note on
    its clock ("Thursday 27 August (local time)"): a day header (cached: a pure function of
    its arguments, and day headers recur)."""
    stripped = _CLOCK_NOTE.sub("", text).strip()
    if not stripped or len(stripped) > 60:
        return None
    for mention in find_dates(stripped, reference, undated=undated):
        rest = (stripped[: mention.start] + stripped[mention.end :]).strip(" ,–-:()")
        if mention.precision == "day" and not re.sub(_WEEKDAY, "", rest).strip(" ,"):
            return mention
    return None
