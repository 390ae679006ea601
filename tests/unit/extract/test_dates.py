"""Dates: ranges, weekdays, dotted months, year-less dates, months, years, relative days."""

from datetime import date

import pytest

from orchestration.extract.dates import date_line, find_dates

REF = date(2023, 11, 8)


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("from 9 – 10 November 2023", date(2023, 11, 9), date(2023, 11, 10), "day"),
        (
            "from Tuesday 24 March to Thursday 26 March 2015",
            date(2015, 3, 24),
            date(2015, 3, 26),
            "day",
        ),
        ("24 Mar. 2015 - 26 Mar. 2015", date(2015, 3, 24), date(2015, 3, 26), "day"),
        ("30 October – 2 November 2023", date(2023, 10, 30), date(2023, 11, 2), "day"),
        ("The two-day event (26-27 October)", date(2023, 10, 26), date(2023, 10, 27), "day"),
        ("On Tuesday (31 October 2023), he", date(2023, 10, 31), None, "day"),
        ("on 6 November", date(2023, 11, 6), None, "day"),
        ("Monday, 6 November 2023", date(2023, 11, 6), None, "day"),
        ("On Tuesday, 31st October 2023,", date(2023, 10, 31), None, "day"),
        ("November 9, 2023", date(2023, 11, 9), None, "day"),
        ("on 24 May. 2015", date(2015, 5, 24), None, "day"),
        ("in November 2023", date(2023, 11, 1), None, "month"),
        ("in 2019", date(2019, 1, 1), None, "year"),
        ("yesterday", date(2023, 11, 7), None, "day"),
        ("tomorrow", date(2023, 11, 9), None, "day"),
        ("today", REF, None, "day"),
    ],
)
def test_date_forms(text, start, end, precision):
    found = find_dates(text, REF)
    assert [(m.start_date, m.end_date, m.precision) for m in found] == [(start, end, precision)]


def test_yearless_date_takes_year_nearest_reference():
    assert find_dates("on 2 January", date(2023, 12, 20))[0].start_date == date(2024, 1, 2)
    assert find_dates("on 20 December", date(2024, 1, 3))[0].start_date == date(2023, 12, 20)


def test_weeks_never_become_days():
    # The week of 30 Oct - 5 Nov 2023 straddles two months: no date at all.
    assert find_dates("last week", REF) == []
    # The week of 13-19 Nov lies within November: month precision.
    assert [(m.start_date, m.precision) for m in find_dates("next week", REF)] == [
        (date(2023, 11, 1), "month")
    ]


def test_span_is_balanced_and_indexes_text():
    text = "On Tuesday (31 October 2023), he spoke"
    match = find_dates(text, REF)[0]
    assert text[match.start : match.end] == "Tuesday (31 October 2023)"


def test_not_dates():
    assert find_dates("Resolution 1325 and more than 55 activities since 1995", REF) == []


def test_day_header_line():
    assert date_line("Thursday          09 November 2023", REF).start_date == date(2023, 11, 9)
    assert date_line("On 9 November he will meet the Chancellor", REF) is None
