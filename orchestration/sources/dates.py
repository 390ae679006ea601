"""Publication dates as sources write them, to aware UTC datetimes (never "now")."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from orchestration.settings import FIRST_YEAR

EARLIEST_PLAUSIBLE = datetime(1900, 1, 1, tzinfo=UTC)
"""Historic texts are valid data (NATO's archive starts with the 1949 treaty); year 1 is not."""
EARLIEST_PARTITION = date(FIRST_YEAR, 1, 1)
"""First day of the default first partition (defs/partitions.py): older releases are filed
under this day, so a treaty text from 1949 is loaded and built, not fatal."""

_MONTH_DOT = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.", re.I)
_RFC_YEAR = re.compile(r"\b\d{1,2}\s+[A-Za-z]{3,9}\s+(\d+)\b")
_ZONE_SUFFIX = re.compile(r"(?:[+-]\d{4}|\b(?:GMT|UTC|UT|Z|[A-Z]{1,2}[SD]T))\s*$")
_NATO_FORMATS = ("%d %b %Y %H:%M:%S %Z", "%d %b %Y %H:%M:%S", "%d %b %Y %H:%M", "%d %b %Y")
_DAY_FORMATS = ("%d %b %Y", "%d %B %Y", "%d.%m.%Y", "%Y-%m-%d")


class DateParseError(ValueError):
    """A date string that cannot be a real date; `reason` is a short code for rejections."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"{reason}: {text!r}")
        self.text = text
        self.reason = reason


def _strip_month_dot(text: str) -> str:
    return _MONTH_DOT.sub(lambda match: match.group(1)[:3], text.strip())


def _as_utc(value: datetime, zone: ZoneInfo | None = None) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone or UTC)
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):  # year 1 or 9999 shifted out of range
        raise DateParseError(value.isoformat(), "implausible_date") from None


def _check_plausible(value: datetime, text: str, now: datetime | None) -> datetime:
    ceiling = (now or datetime.now(UTC)) + timedelta(days=1)
    if value < EARLIEST_PLAUSIBLE or value > ceiling:
        raise DateParseError(text, "implausible_date")
    return value


def parse_published(
    text: str | None, *, zone: ZoneInfo | None = None, now: datetime | None = None
) -> datetime | None:
    """Parse a feed/page publication date to UTC; None for empty input.

    Accepts RFC 822 (with or without weekday), NATO's dotted months
    (``19 Sep. 2025 12:00:00 GMT``), ISO 8601 (``2025-09-18T10:35:21Z``) and epoch seconds.
    Naive values are read in ``zone`` (default UTC). Raises DateParseError when the text is not
    a date, names an impossible one (31 Feb), or lies outside 1900..now+1 day.
    """
    if text is None or not str(text).strip():
        return None
    raw = str(text).strip()
    if re.fullmatch(r"\d{9,11}", raw):
        try:
            return _check_plausible(datetime.fromtimestamp(int(raw), UTC), raw, now)
        except (OverflowError, OSError, ValueError):
            raise DateParseError(raw, "implausible_date") from None
    iso = raw.replace("Z", "+00:00") if re.match(r"\d{4}-\d{2}-\d{2}", raw) else None
    if iso:
        try:
            parsed = datetime.fromisoformat(iso)
        except ValueError:
            raise DateParseError(raw, "impossible_date") from None
        return _check_plausible(_as_utc(parsed, zone), raw, now)
    cleaned = _strip_month_dot(raw)
    try:
        parsed = parsedate_to_datetime(cleaned)
    except (TypeError, ValueError, IndexError, OverflowError):
        parsed = None
    written_year = _RFC_YEAR.search(cleaned)
    if parsed is not None and written_year and len(written_year.group(1)) != 2 and (
            int(written_year.group(1)) != parsed.year):
        # email.utils reads any year below 100 as 19xx/20xx, even one written "0099".
        raise DateParseError(raw, "implausible_date")
    if parsed is not None:
        # A written zone wins; RFC 5322's "-0000" (returned without a zone) means UTC; with no
        # zone written at all, the time is the source's local time.
        written_zone = _ZONE_SUFFIX.search(cleaned)
        return _check_plausible(_as_utc(parsed, UTC if written_zone else zone), raw, now)
    without_zone = re.sub(r"\s+(GMT|UTC|UT|Z)$", "", cleaned)
    for pattern in (*_NATO_FORMATS, *_DAY_FORMATS):
        try:
            parsed = datetime.strptime(without_zone, pattern)
        except ValueError:
            continue
        return _check_plausible(_as_utc(parsed, zone if without_zone == cleaned else UTC), raw, now)
    if re.search(r"\d{1,2}\s+[A-Za-z]{3,9}\s+\d{4}", cleaned):
        raise DateParseError(raw, "impossible_date")
    raise DateParseError(raw, "unparseable_date")


def parse_day(text: str) -> date | None:
    """A calendar day such as ``24 Mar. 2015`` or ``8 November 2023``; None when not a date."""
    cleaned = _strip_month_dot(text)
    for pattern in _DAY_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    return None


def to_naive_utc(value: datetime | None) -> datetime | None:
    """The warehouse stores UTC timestamps without a zone."""
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None)
