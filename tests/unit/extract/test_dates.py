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


# ---------------------------------------------------------------- class 2: years
FETCHED = date(2026, 12, 1)  # an undated release is read with the day it was fetched


def _days(text: str, reference: date = FETCHED, undated: bool = True) -> list:
    return [
        (m.start_date, m.end_date, m.precision)
        for m in find_dates(text, reference, undated=undated)
    ]


def test_undated_release_weekday_fixes_the_year():
    # 12 May fell on a Thursday in 2022 (and in 2016, further back)
    assert _days("The director spoke in Turin on Thursday 12 May.") == [
        (date(2022, 5, 12), None, "day")
    ]


def test_undated_release_takes_the_year_the_text_names_nearby():
    text = "The 2019 review was long. The board met on 3 April to adopt it."
    assert _days(text) == [(date(2019, 4, 3), None, "day")]
    text = "The board met on 3 April. The review of 8 March 2018 was adopted."
    assert _days(text) == [(date(2018, 4, 3), None, "day"), (date(2018, 3, 8), None, "day")]


def test_undated_release_without_year_evidence_gets_no_invented_year():
    assert _days("The board met on 3 April to adopt the review.") == []
    assert _days("The board met today and again last week.") == []
    # with a publication date the same words resolve against it
    published = _days("The board met on 3 April.", date(2024, 4, 5), undated=False)
    assert published == [(date(2024, 4, 3), None, "day")]


def test_written_date_in_brackets_wins_over_the_relative_word():
    text = "The minister arrived today (14 October 2020) for talks."
    for reference, undated in ((FETCHED, True), (date(2020, 10, 15), False)):
        assert _days(text, reference, undated) == [(date(2020, 10, 14), None, "day")]


# ---------------------------------------------------------------- class 3: ranges, precision
def test_day_ranges_keep_day_precision_with_an_end_date():
    reference = date(2021, 1, 10)
    for text in ("on 26-27 October", "from 3 to 5 June", "on 9 – 10 November"):
        ((start, end, precision),) = _days(text, reference, undated=False)
        assert precision == "day" and end is not None and start < end, text


def test_impossible_day_is_rejected_not_moved_to_its_month():
    assert _days("The visit on 31 June 2015 was cancelled.", undated=False) == []
    assert _days("Talks on 30 February were planned.", date(2015, 3, 1), undated=False) == []


def test_day_header_may_note_its_clock():
    header = date_line("Thursday 27 August (local time)", date(2015, 8, 24))
    assert header is not None and header.start_date == date(2015, 8, 27)


def test_undated_weekday_year_nearest_a_year_the_text_names():
    # Monday 4 March: 2024, 2019, 2013 ... the text speaks of 2014
    text = "He spoke in Riga on Monday 4 March. The mission ends in 2014."
    assert _days(text)[0] == (date(2013, 3, 4), None, "day")
