"""parse_published: every date shape the sources write, to aware UTC; never "now"."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from orchestration.sources.dates import DateParseError, parse_day, parse_published, to_naive_utc

NOW = datetime(2025, 10, 1, 12, 0, tzinfo=UTC)
BRUSSELS = ZoneInfo("Europe/Brussels")


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19 Sep. 2025 12:00:00 GMT", _utc(2025, 9, 19, 12)),
        ("22 May. 2023 12:00:00 GMT", _utc(2023, 5, 22, 12)),
        ("07 Aug. 2025 12:00:00 GMT", _utc(2025, 8, 7, 12)),
        ("Tue, 19 Sep 2023 10:00:00 GMT", _utc(2023, 9, 19, 10)),
        ("Tue, 19 Sep 2023 10:00:00 +0200", _utc(2023, 9, 19, 8)),
        ("Tue, 19 Sep 2023 10:00:00 -0500", _utc(2023, 9, 19, 15)),
        ("19 Sep 2023 10:00:00 +0000", _utc(2023, 9, 19, 10)),
        ("2025-09-18T10:35:21Z", _utc(2025, 9, 18, 10, 35, 21)),
        ("2025-09-18T12:35:21+02:00", _utc(2025, 9, 18, 10, 35, 21)),
        ("1696239600", _utc(2023, 10, 2, 9, 40)),
        ("  1701161700 ", _utc(2023, 11, 28, 8, 55)),
    ],
)
def test_parses_source_formats_to_utc(text: str, expected: datetime) -> None:
    parsed = parse_published(text, now=NOW)
    assert parsed == expected
    assert parsed.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("text", ["19 Sep. 2025 12:00:00 GMT", "2025-09-18T10:35:21Z",
                                  "Tue, 19 Sep 2023 10:00:00 +0200", "1696239600"])
def test_explicit_zone_wins_over_source_zone(text: str) -> None:
    assert parse_published(text, zone=BRUSSELS, now=NOW) == parse_published(text, now=NOW)


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t"])
def test_empty_is_none_never_now(text: str | None) -> None:
    assert parse_published(text, now=NOW) is None


@pytest.mark.parametrize("text", ["31 Feb. 2023", "31 Feb. 2023 12:00:00 GMT",
                                  "Fri, 31 Feb 2023 10:00:00 GMT", "2023-02-31",
                                  "2023-02-31T10:00:00Z", "30 Feb 2024"])
def test_impossible_calendar_date(text: str) -> None:
    with pytest.raises(DateParseError) as caught:
        parse_published(text, now=NOW)
    assert caught.value.reason == "impossible_date"
    assert caught.value.text == text.strip()


@pytest.mark.parametrize("text", ["garbage", "soon", "Sept. 5th", "12:00:00 GMT"])
def test_garbage_is_unparseable(text: str) -> None:
    with pytest.raises(DateParseError) as caught:
        parse_published(text, now=NOW)
    assert caught.value.reason == "unparseable_date"


@pytest.mark.parametrize("text", ["12 Jan. 1899 12:00:00 GMT", "1 Jan. 2030", "4102444800",
                                  "99999999999", "0001-01-01T00:00:00", "9999-12-31T23:59:59",
                                  "Fri, 01 Jan 0099 00:00:00 GMT"])
def test_implausible_years_are_rejected(text: str) -> None:
    # Year 1 and 9999 used to escape as OverflowError from astimezone and abort the fetch;
    # a written "0099" was silently read as 1999 (found by tests/unit/test_properties.py).
    with pytest.raises(DateParseError) as caught:
        parse_published(text, zone=ZoneInfo("Europe/Brussels"), now=NOW)
    assert caught.value.reason == "implausible_date"


def test_historic_dates_are_valid_data() -> None:
    # Regression: the North Atlantic Treaty (4 April 1949) was refused as implausible.
    assert parse_published("04 Apr. 1949 12:00:00 GMT", now=NOW) == _utc(1949, 4, 4, 12)
    assert parse_published("631152000", now=NOW) == _utc(1990, 1, 1)


@pytest.mark.parametrize("text", ["1899-01-12T00:00:00Z", "2025-10-03T00:00:00Z",
                                  "12 Jan 1899 12:00:00 GMT",
                                  "Mon, 01 Jan 2030 12:00:00 +0100"])
def test_implausible_iso_and_rfc822_dates_are_not_called_impossible(text: str) -> None:
    # Regression target: a real calendar date outside 1900..now+1d is "implausible_date" in
    # every format. The ISO and RFC 822 branches catch ValueError around _check_plausible,
    # and DateParseError is a ValueError, so they report "impossible_date" instead.
    with pytest.raises(DateParseError) as caught:
        parse_published(text, now=NOW)
    assert caught.value.reason == "implausible_date"


def test_one_day_of_clock_skew_is_allowed() -> None:
    assert parse_published("2025-10-02T11:00:00Z", now=NOW) == _utc(2025, 10, 2, 11)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 Jul. 2023 14:30", _utc(2023, 7, 5, 12, 30)),  # CEST = UTC+2
        ("5 Dec. 2023 14:30", _utc(2023, 12, 5, 13, 30)),  # CET = UTC+1
        ("2023-07-05T14:30:00", _utc(2023, 7, 5, 12, 30)),
        ("Wed, 05 Jul 2023 14:30:00", _utc(2023, 7, 5, 12, 30)),
    ],
)
def test_naive_time_is_read_in_the_given_zone(text: str, expected: datetime) -> None:
    assert parse_published(text, zone=BRUSSELS, now=NOW) == expected


def test_naive_time_without_zone_is_utc() -> None:
    assert parse_published("5 Jul. 2023 14:30", now=NOW) == _utc(2023, 7, 5, 14, 30)


def test_rfc822_minus_zero_offset_means_utc_not_local_time() -> None:
    # RFC 5322 §3.3: "-0000" also indicates Universal Time (with no information about the
    # sender's local zone). It must not be reinterpreted as the source's local time.
    parsed = parse_published("Tue, 19 Sep 2023 10:00:00 -0000", zone=BRUSSELS, now=NOW)
    assert parsed == _utc(2023, 9, 19, 10)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("24 Mar. 2015", date(2015, 3, 24)), ("8 November 2023", date(2023, 11, 8)),
     ("22 May. 2023", date(2023, 5, 22)), ("11.07.2023", date(2023, 7, 11)),
     ("31 Feb. 2023", None), ("not a day", None)],
)
def test_parse_day(text: str, expected: date | None) -> None:
    assert parse_day(text) == expected


def test_to_naive_utc() -> None:
    aware = datetime(2023, 7, 5, 14, 30, tzinfo=BRUSSELS)
    assert to_naive_utc(aware) == datetime(2023, 7, 5, 12, 30)
    assert to_naive_utc(None) is None
