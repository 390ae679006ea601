"""Advisory times: approximate marks, 4-digit times, TBC, time zones and DST."""

from datetime import date, datetime

from orchestration.extract.times import find_timed_lines, timezone_name, to_utc

ADVISORY = """Media advisory

13:30 (CET)     Joint press statements
± 12:00 (CET) Doorstep
±12:00 (CET) Arrival
+/- 11:00 Family photo
+ 13:45 - Press point
08:30 (CEST)  Meeting
Timing TBC  Meeting of Ministers
0830 – 0840  Arrival of delegations
2023 was a year of change"""


def test_advisory_lines():
    lines = [(t.local_time, t.timezone_label, t.text) for t in find_timed_lines(ADVISORY)]
    assert lines == [
        ("13:30", "CET", "Joint press statements"),
        ("12:00", "CET", "Doorstep"),
        ("12:00", "CET", "Arrival"),
        ("11:00", None, "Family photo"),
        ("13:45", None, "Press point"),
        ("08:30", "CEST", "Meeting"),
        (None, None, "Meeting of Ministers"),
        ("08:30", None, "Arrival of delegations"),
    ]


def test_spans_index_the_body():
    line = find_timed_lines(ADVISORY)[0]
    assert ADVISORY[line.start : line.end] == "13:30 (CET)     Joint press statements"


def test_cet_and_cest_to_utc_follow_dst():
    zone = timezone_name("CET")
    assert zone == "Europe/Brussels"
    assert to_utc(date(2023, 11, 9), "13:30", zone) == datetime(2023, 11, 9, 12, 30)
    assert to_utc(date(2023, 7, 4), "08:30", timezone_name("CEST")) == datetime(2023, 7, 4, 6, 30)
    assert timezone_name("Brussels time") == "Europe/Brussels"


def test_local_time_needs_the_event_location():
    assert timezone_name("local time") is None
    assert timezone_name("local time", "Europe/Chisinau") == "Europe/Chisinau"


def test_north_american_zone_labels_are_read():
    # Regression: "17:45 (EDT)" at a Washington summit lost its zone (only European labels).
    lines = find_timed_lines(
        "Media advisory\n\n17:45 (EDT)    Press conference by the NATO Secretary General"
    )
    assert [(t.local_time, t.timezone_label) for t in lines] == [("17:45", "EDT")]
    assert timezone_name("EDT") == "America/New_York"
    assert to_utc(date(2024, 7, 10), "17:45", "America/New_York") == datetime(2024, 7, 10, 21, 45)
