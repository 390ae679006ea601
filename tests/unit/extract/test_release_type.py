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
