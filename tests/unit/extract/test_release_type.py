"""Release types from hints, titles and opening lines."""

from orchestration.extract.release_type import classify_release


def test_media_advisory_heading_or_future_tense_opening():
    assert classify_release("X", "Intro.\n\nMedia advisory\n\n13:30 (CET) X") == "media_advisory"
    assert (
        classify_release(
            "NATO Secretary General attends the Nordic Council",
            "On Tuesday, 31st October 2023, the NATO Secretary General will attend the session.",
        )
        == "media_advisory"
    )


def test_statement_press_release_speech_news():
    assert (
        classify_release("North Atlantic Council statement on X", "Allies condemn.") == "statement"
    )
    assert classify_release("X", "Body", "Press Release (2023) 001") == "press_release"
    assert (
        classify_release("Speech by the Secretary General", "(As delivered) Thank you") == "speech"
    )
    assert classify_release("X", "Thank you.", "opinions") == "speech"
    assert (
        classify_release(
            "NATO Secretary General: Nordic cooperation demonstrates that peace is always possible",
            "Addressing the session on Tuesday (31 October 2023), he said peace is possible.",
        )
        == "news"
    )
    assert (
        classify_release("Operation Mobile 6 puts the brakes on car thieves", "Police...") == "news"
    )


def test_readout_title_is_other_class_8():
    title = "Readout of the Director's call with the Mayor of Ghent"
    assert classify_release(title, "The Director spoke with the Mayor today.") == "other"
    assert classify_release("Agency reads out the annual figures", "Figures rose.") == "news"


def test_first_person_opening_is_a_statement_class_8():
    body = "I warmly welcome the agreement reached in Oslo tonight.\n\nIt is a good day."
    assert classify_release("Director welcomes agreement", body) == "statement"
    assert classify_release("Agency welcomes agreement", "It is a good day. I agree.") == "news"


def test_dateline_opening_is_a_press_release_without_a_label_class_8():
    body = "Lisbon, 3 March 2021\n\nThe agency opened a new liaison office on Monday."
    assert classify_release("Agency opens office", body) == "press_release"
    # the same words with no dateline: news; a label always wins
    assert classify_release("Agency opens office", body.split("\n\n")[1]) == "news"
    assert classify_release("Agency opens office", body, "Press Release (2021) 044") == (
        "press_release"
    )
