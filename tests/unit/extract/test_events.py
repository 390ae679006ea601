"""Events: advisory lines with day headers, prose events, merging, types, no date -> no event."""
# ruff: noqa: E501  (advisory fixtures keep the long lines real releases have)

from datetime import date, datetime

from orchestration.extract import ReleaseInput, extract_release

ADVISORY = """The NATO Secretary General, Mr Jens Stoltenberg, will visit Riga, Latvia from 9 – 10 November 2023. On 9 November, Mr Stoltenberg will meet the Prime Minister of Latvia, Mr Krišjānis Kariņš.

Media advisory

Thursday          09 November 2023

13:30 (CET)     Joint press statements by the NATO Secretary General and the Prime Minister of Latvia

Friday               10 November 2023

+/- 10:00 (local time)      Remarks by the NATO Secretary General

For more information:

Contact the NATO Press Office"""


def _extract(body: str, title: str = "T", ref: date = date(2023, 11, 8)):
    return extract_release(ReleaseInput("nato:x", title, body, ref, "NATO"))


def test_visit_range_meeting_and_timed_lines():
    result = _extract(ADVISORY)
    events = [(e.event_type, e.start_date, e.end_date, e.local_time) for e in result.events]
    assert events == [
        ("visit", date(2023, 11, 9), date(2023, 11, 10), None),
        ("meeting", date(2023, 11, 9), None, None),
        ("press_conference", date(2023, 11, 9), None, "13:30"),
        ("speech", date(2023, 11, 10), None, "10:00"),
    ]
    visit = result.events[0]
    assert visit.place_id == "geonames:456172"  # Riga, not Latvia
    press = result.events[2]
    assert press.starts_at_utc == datetime(2023, 11, 9, 12, 30)
    speech = result.events[3]
    # "local time" takes the zone of the release's place (Riga: UTC+2 in November).
    assert (speech.timezone_name, speech.starts_at_utc) == (
        "Europe/Riga",
        datetime(2023, 11, 10, 8, 0),
    )
    names = {
        p.full_name for p in result.participants if p.event_mention_id == press.event_mention_id
    }
    assert names == {"Jens Stoltenberg", "Krišjānis Kariņš"}


def test_evidence_span_is_the_sentence_or_line():
    result = _extract(ADVISORY)
    press = result.events[2]
    line = ADVISORY[press.evidence_start : press.evidence_end]
    assert line.startswith("13:30 (CET)") and line.endswith("Prime Minister of Latvia")


def test_prose_event_merges_into_timed_line_of_same_type_and_day():
    body = (
        "On Wednesday 8 November 2023, the NATO Secretary General, Mr Jens Stoltenberg, will "
        "meet with the President of Hungary, Mrs Katalin Novák, at NATO Headquarters. They "
        "will give a joint press conference at NATO HQ after their meeting.\n\n"
        "17:30 (CET)    Press conference by the NATO Secretary General and the President"
    )
    result = _extract(body)
    assert [(e.event_type, e.local_time, e.place_id) for e in result.events] == [
        ("meeting", None, "venue:nato-headquarters"),
        ("press_conference", "17:30", "venue:nato-headquarters"),
    ]


def test_types_from_triggers():
    body = (
        "Addressing the Nordic Council session in Oslo, Norway, on Tuesday (31 October 2023), "
        "Secretary General Jens Stoltenberg said peace is possible.\n\n"
        "The two-day conference (26-27 October) was attended by 100 countries.\n\n"
        "During an action day on 12 October, officers searched 20 houses.\n\n"
        "On 3 October, police arrested two suspects in Madrid, Spain."
    )
    result = _extract(body)
    assert [(e.event_type, e.start_date) for e in result.events] == [
        ("speech", date(2023, 10, 31)),
        ("conference", date(2023, 10, 26)),
        ("operation", date(2023, 10, 12)),
        ("arrest", date(2023, 10, 3)),
    ]


def test_no_date_no_event():
    body = (
        "Mr Stoltenberg will meet the Chancellor of Germany, Mr Olaf Scholz.\n\n"
        "Remarks by the NATO Secretary General at the conference.\n\n"
        "13:30 (CET)     Press conference"
    )
    assert _extract(body).events == []


def test_boilerplate_makes_no_events_or_people():
    body = (
        "Europol supported the operation on 12 October 2023.\n\n"
        "Headquartered in The Hague, the Netherlands, we support the 27 EU Member States. "
        "On 1 January 2024 Mr John Smith will meet us."
    )
    result = _extract(body)
    assert len(result.events) == 1
    assert result.persons == []
    assert result.locations == []


def test_clock_time_in_a_prose_sentence():
    # Regression: "at 15:00 (Brussels time)" in a sentence gave an event with no time.
    body = (
        "The NATO Secretary General, Mr Mark Rutte, will hold a press conference on Monday "
        "2 December 2024 at 15:00 (Brussels time) at NATO Headquarters."
    )
    event = _extract(body, ref=date(2024, 11, 20)).events[0]
    assert (event.event_type, event.local_time, event.timezone_name, event.starts_at_utc) == (
        "press_conference",
        "15:00",
        "Europe/Brussels",
        datetime(2024, 12, 2, 14, 0),
    )


def _types(body: str, ref: date = date(2024, 11, 20)) -> list[tuple[str, date]]:
    return [(e.event_type, e.start_date) for e in _extract(body, ref=ref).events]


def test_travel_then_meet_in_one_sentence_is_a_visit_and_a_meeting():
    # Regression: one event per sentence kept only the meeting; "travel tomorrow to" was no visit.
    result = _extract(
        "The NATO Secretary General, Mr Mark Rutte, will travel tomorrow to Helsinki, Finland, "
        "where he will meet the President of the Republic of Finland, Mr Alexander Stubb.",
        ref=date(2024, 11, 20),
    )
    kinds = {e.event_type: e for e in result.events}
    assert set(kinds) == {"visit", "meeting"}
    visit_people = [
        p.full_name
        for p in result.participants
        if p.event_mention_id == kinds["visit"].event_mention_id
    ]
    assert visit_people == ["Mark Rutte"]  # the one who travels, not the one he meets


def test_addressed_a_topic_is_not_a_speech_and_delivered_is_no_trigger():
    # Regression: "addressed the security situation" and "delivered now" made speeches.
    assert _types("On 13 June 2024, the ministers addressed the security situation.") == []
    assert _types("On 13 June 2024, Allies said ammunition must be delivered now.") == []
    assert _types("On 13 June 2024, the King will address the North Atlantic Council.") == [
        ("speech", date(2024, 6, 13))
    ]


def test_talks_signing_and_convention_triggers():
    assert _types("On 13 June 2024, she welcomed the Prime Minister to Brussels for talks.") == [
        ("meeting", date(2024, 6, 13))
    ]
    assert _types(
        "The two directors signed a new working arrangement in Warsaw on 14 November."
    ) == [("ceremony", date(2024, 11, 14))]
    assert _types(
        "Police chiefs gathered for the European Police Chiefs Convention on 8 October."
    ) == [("conference", date(2024, 10, 8))]


def test_upcoming_summit_is_a_topic_and_joint_press_conference_is_not_a_conference():
    # Regression: "talks on the upcoming Washington Summit" became a conference that day.
    assert _types("On 13 June 2024, they held talks on the upcoming Washington Summit.") == [
        ("meeting", date(2024, 6, 13))
    ]
    assert _types("On 13 June 2024, they gave a joint press conference.") == [
        ("press_conference", date(2024, 6, 13))
    ]


def test_travel_to_attend_a_seminar_is_the_seminar_at_its_place():
    # Regression: the trip was a visit placed at the city the sentence started from.
    result = _extract(
        "From Madrid, the Secretary General will travel to the United States to take part in "
        "the Allied Command Transformation seminar in Norfolk, Virginia, from Tuesday 24 March "
        "to Thursday 26 March 2015.",
        ref=date(2015, 3, 20),
    )
    assert [(e.event_type, e.start_date, e.end_date) for e in result.events] == [
        ("conference", date(2015, 3, 24), date(2015, 3, 26))
    ]
    place = next(m for m in result.locations if m.place_id == result.events[0].place_id)
    assert place.place_name == "Norfolk"


def test_transcript_heading_over_a_dateline_is_a_speech():
    # Regression: "Speech by X" over "Brussels, 18 November 2024" gave no event (the dateline
    # is no bare day header and the heading has no date of its own).
    result = _extract(
        "Speech by NATO Secretary General Mark Rutte\nBrussels, 18 November 2024\n\n"
        "Good afternoon, and thank you for having me.",
        ref=date(2024, 11, 20),
    )
    assert [(e.event_type, e.start_date) for e in result.events] == [("speech", date(2024, 11, 18))]
    assert [p.full_name for p in result.participants] == ["Mark Rutte"]
    assert result.locations[0].place_name == "Brussels"
    assert result.events[0].place_id == result.locations[0].place_id


def test_took_down_is_an_operation():
    # Regression: "authorities ... took down a botnet" between two dates was no event.
    body = "Between 19 and 22 May 2025, authorities from 12 countries took down a botnet."
    result = _extract(body, ref=date(2025, 7, 15))
    assert [(e.event_type, e.start_date, e.end_date) for e in result.events] == [
        ("operation", date(2025, 5, 19), date(2025, 5, 22))
    ]


# ---------------------------------------------------------------- real-writing classes


def _events(body: str, ref: date = date(2021, 5, 12)):
    result = extract_release(ReleaseInput("x:1", "T", body, ref, "Agency"))
    names = {}
    for participant in result.participants:
        names.setdefault(participant.event_mention_id, []).append(participant.full_name)
    return [
        (e.event_type, e.start_date, e.end_date, names.get(e.event_mention_id, []))
        for e in result.events
    ]


def test_call_between_leaders_is_a_meeting_dated_by_this_evening_class_6():
    body = (
        "The Chancellor spoke to the Prime Minister of Iceland, Katrín Sveinsdóttir, this evening."
    )
    assert _events(body) == [("meeting", date(2021, 5, 12), None, ["Katrín Sveinsdóttir"])]
    assert _events("The Chancellor spoke to reporters this evening.") == []


def test_welcoming_a_visitor_to_headquarters_is_a_meeting_with_both_class_6():
    body = (
        "Secretary General Ana Ferreira welcomed Latvian Foreign Minister Juris Ozols to NATO "
        "Headquarters on Tuesday (11 May 2021). They discussed regional security."
    )
    ((kind, start, end, people),) = _events(body)
    assert (kind, start, end) == ("meeting", date(2021, 5, 11), None)
    assert set(people) == {"Ana Ferreira", "Juris Ozols"}
    assert _events("The Director welcomed the new strategy on 11 May 2021.") == []


def test_two_day_summit_keeps_its_date_range_class_7():
    body = (
        "Opening a two-day summit in Porto on Monday (10 May 2021), the President spoke of trade."
    )
    assert ("conference", date(2021, 5, 10), date(2021, 5, 11), []) in _events(body)


def test_gathering_and_taking_over_a_post_are_happenings_class_7():
    gathered = _events("On 3-4 May, some 300 judges gathered in Vienna to discuss evidence.")
    assert gathered == [("conference", date(2021, 5, 3), date(2021, 5, 4), [])]
    took_over = _events("Today, 12 May 2021, General Mira Costa took over as Chair of the Board.")
    assert [(k, s) for k, s, _e, _p in took_over] == [("ceremony", date(2021, 5, 12))]


def test_office_holder_named_by_possessive_in_an_advisory_line_class_6():
    body = (
        "The NATO Secretary General, Mr Ana Ferreira, will visit Latvia on 11 May 2021.\n\n"
        "Media advisory\n\nTuesday 11 May 2021 (local time)\n\n"
        "12:05 - Secretary General’s joint press point with the Prime Minister"
    )
    line = [e for e in _events(body, date(2021, 5, 10)) if e[0] == "press_conference"]
    assert line == [("press_conference", date(2021, 5, 11), None, ["Ana Ferreira"])]


def test_background_fact_dates_no_happening_class_1():
    body = (
        "Elected in March 2019, Admiral Lena Berg opened the Baltic Forum this week. "
        "Estonia, a member since May 2004, hosted talks on 11 May 2021."
    )
    events = _events(body)
    assert all(start >= date(2021, 5, 1) for _kind, start, _end, _people in events)
    assert ("meeting", date(2021, 5, 11), None, []) in events


def test_us_congress_is_an_organisation_not_a_conference_class_1():
    body = "A delegation of the United States Congress will visit Oslo on 14 May 2021."
    assert [kind for kind, *_rest in _events(body)] == ["visit"]


def test_happening_ended_by_a_later_until_sentence_keeps_its_range_class_7():
    body = (
        "Twelve navies began the annual exercise North Shield off Bergen on 3 May 2021. "
        "The exercise will run until 21 May 2021."
    )
    assert [(k, s, e) for k, s, e, _p in _events(body)] == [
        ("conference", date(2021, 5, 3), date(2021, 5, 21))
    ]


def test_will_welcome_a_visitor_to_headquarters_is_a_meeting_there_class_6():
    body = (
        "On Friday, 14 May 2021, the Secretary General, Ms Ana Ferreira, will welcome the "
        "President of Iceland, Mr Jon Olafsson, to NATO Headquarters."
    )
    result = extract_release(ReleaseInput("x:2", "T", body, date(2021, 5, 12), "NATO"))
    meeting = next(e for e in result.events if e.event_type == "meeting")
    assert (meeting.start_date, meeting.place_id) == (date(2021, 5, 14), "venue:nato-headquarters")


def test_next_meeting_with_its_own_date_is_a_happening_class_7():
    body = "The findings go to the next Management Board meeting on 8-9 June."
    assert [(k, s, e) for k, s, e, _p in _events(body)] == [
        ("meeting", date(2021, 6, 8), date(2021, 6, 9))
    ]
    # with no date of its own it stays a topic of the sentence's happening
    body = "On 12 May 2021 the ministers prepared the next Board meeting."
    assert [k for k, *_rest in _events(body)] == []
