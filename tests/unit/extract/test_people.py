"""People: honorifics, titles, appositives, particles, surname resolution, non-people."""

from orchestration.extract.people import find_people


def _people(text: str, source: str = "NATO") -> list[tuple[str, str | None, str | None]]:
    return [(h.full_name, h.title, h.organisation) for h in find_people(text, source_name=source)]


def test_title_and_honorific_before_name_split_title_and_country():
    text = "He will meet the Chancellor of Germany, Mr Olaf Scholz, in Berlin."
    hit = find_people(text)[0]
    assert (hit.full_name, hit.honorific, hit.title, hit.organisation) == (
        "Olaf Scholz",
        "Mr",
        "Chancellor",
        "Germany",
    )
    assert text[hit.start : hit.end] == "Olaf Scholz"


def test_appositive_with_possessive_organisation():
    assert _people("Catherine De Bolle, Europol's Executive Director, said.", "Europol")[0] == (
        "Catherine De Bolle",
        "Executive Director",
        "Europol",
    )


def test_title_before_name_defaults_to_publishing_institution():
    assert _people("Secretary General Jens Stoltenberg said so.") == [
        ("Jens Stoltenberg", "Secretary General", "NATO")
    ]


def test_royal_title_kept_in_name_and_kingdom_becomes_country():
    text = "He met His Majesty King Abdullah II ibn Al Hussein of the Hashemite Kingdom of Jordan."
    hit = find_people(text)[0]
    assert hit.full_name == "King Abdullah II ibn Al Hussein"
    assert (hit.honorific, hit.title, hit.organisation) == ("His Majesty", "King", "Jordan")


def test_of_organisation_after_name():
    assert _people("a talk by Dr Veaceslav Sprincean of Moldova State University")[0] == (
        "Veaceslav Sprincean",
        None,
        "Moldova State University",
    )


def test_dotted_honorific_and_compound_surname():
    hit = find_people("Mr. Mariano Rajoy Brey arrived.")[0]
    assert (hit.full_name, hit.honorific) == ("Mariano Rajoy Brey", "Mr")


def test_particles_and_hyphens():
    names = [
        h.full_name
        for h in find_people("President Ursula von der Leyen met Mr Jean-Claude Van der Berg.")
    ]
    assert names == ["Ursula von der Leyen", "Jean-Claude Van der Berg"]


def test_all_caps_surname_normalised_and_accents_kept():
    assert _people("Nina GREGORI, Executive Director of the EUAA, and Mrs Katalin Novák")[:2] == [
        ("Nina Gregori", "Executive Director", "EUAA"),
        ("Katalin Novák", None, None),
    ]


def test_surname_only_resolves_to_full_name_given_earlier():
    text = "The Minister of Foreign Affairs, Ms Annalena Baerbock, spoke. Minister Baerbock left."
    hits = find_people(text)
    assert [h.full_name for h in hits] == ["Annalena Baerbock", "Annalena Baerbock"]
    assert text[hits[1].start : hits[1].end] == "Baerbock"


def test_surname_without_full_name_stays_surname():
    assert [h.full_name for h in find_people("Minister Baerbock spoke.")] == ["Baerbock"]
    assert [h.full_name for h in find_people("a victory for Putin would")] == ["Putin"]


def test_demonym_title_gives_country():
    assert _people("German Chancellor Olaf Scholz spoke.")[0] == (
        "Olaf Scholz",
        "Chancellor",
        "Germany",
    )


def test_minister_inherits_country_of_colleague_in_same_sentence():
    text = (
        "He will meet the Chancellor of Germany, Mr Olaf Scholz, and the Minister of "
        "Foreign Affairs, Ms Annalena Baerbock."
    )
    assert _people(text)[1] == ("Annalena Baerbock", "Minister of Foreign Affairs", "Germany")


def test_organisations_titles_and_places_are_not_people():
    text = (
        "The Secretary General will address the North Atlantic Council. The Spanish National "
        "Police and the Hellenic Police arrested 5 suspects in Spain. Secretary General to "
        "visit Berlin, Germany. The President of Hungary spoke."
    )
    assert find_people(text) == []
