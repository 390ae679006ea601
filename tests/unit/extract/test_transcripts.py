"""Transcripts: speakers named in the title, transcript labels, datelines (v1.4.0)."""

from datetime import date

from orchestration.extract import ReleaseInput, extract_release
from orchestration.extract.people import find_people, title_speakers


def _release(title: str, body: str) -> ReleaseInput:
    return ReleaseInput("r1", title, body, date(2024, 12, 31), "NATO")


def test_title_speakers_from_speech_and_joint_press_conference_titles():
    speech = title_speakers("Remarks by NATO Deputy Secretary General Anna Berg at the forum")
    assert [(s.full_name, s.title) for s in speech] == [("Anna Berg", "Deputy Secretary General")]
    joint = title_speakers(
        "Joint press conference by NATO Secretary General Jan Kowal and the Prime Minister "
        "of Portugal, Rui Costa"
    )
    assert [s.full_name for s in joint] == ["Jan Kowal", "Rui Costa"]
    assert title_speakers("NATO Secretary General Jan Kowal visits Portugal") == []


def test_transcript_label_resolves_to_title_speaker():
    speakers = title_speakers(
        "Joint press conference by NATO Secretary General Jan Kowal and the Prime Minister "
        "of Portugal, Rui Costa"
    )
    body = "Prime Minister Costa: Welcome to Lisbon.\n\nSecretary General: Thank you.\n"
    hits = find_people(body, speakers=speakers)
    assert [(h.surface, h.full_name) for h in hits] == [
        ("Costa", "Rui Costa"),
        ("Secretary General", "Jan Kowal"),
    ]
    for hit in hits:
        assert body[hit.start : hit.end] == hit.surface


def test_speech_event_from_title_and_dateline():
    release = _release(
        "Speech by NATO Secretary General Jan Kowal at the University of Lisbon",
        "(As delivered)\n\nLisbon, 12 November 2024\n\nThank you, Maria, for the introduction."
        "\n\nAllies must invest more.",
    )
    result = extract_release(release)
    speech = [e for e in result.events if e.event_type == "speech"]
    assert len(speech) == 1
    assert speech[0].start_date == date(2024, 11, 12)
    assert speech[0].place_id is not None
    # The speaker is named only in the title: with no span in the body to trace him to, he is
    # not a participant (the marts require every appearance's person to be mentioned).
    assert result.persons == []
    assert result.participants == []
    # A first name addressed in the speech is not a place.
    assert "Maria" not in {loc.surface_text for loc in result.locations}


def test_dateline_city_that_is_also_a_word_is_a_place():
    release = _release(
        "Speech by NATO Secretary General Jan Kowal at a think tank",
        "(As delivered)\n\nWashington, 20 May 2024\n\nThank you.",
    )
    result = extract_release(release)
    assert [loc.place_name for loc in result.locations] == ["Washington"]
    assert result.events[0].place_id == result.locations[0].place_id


def test_press_conference_dated_by_written_date_not_today():
    release = _release(
        "Joint press conference by NATO Secretary General Jan Kowal and the Prime Minister "
        "of Portugal, Rui Costa",
        "(As delivered)\n\nPrime Minister Costa: Welcome to Lisbon. It is good to see you here "
        "today, 8 July 2024.\n\nSecretary General: Thank you, Prime Minister.",
    )
    result = extract_release(release)
    names = {p.full_name for p in result.persons}
    assert names == {"Rui Costa", "Jan Kowal"}
    conference = [e for e in result.events if e.event_type == "press_conference"]
    assert len(conference) == 1 and conference[0].start_date == date(2024, 7, 8)
    assert {p.full_name for p in result.participants} == {"Jan Kowal", "Rui Costa"}
