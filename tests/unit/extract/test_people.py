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


def _names(text: str) -> list[str]:
    return [h.full_name for h in find_people(text, source_name="NATO")]


def test_bare_name_starting_with_a_known_given_name():
    # Regression: names with no title, honorific or "said" nearby were missed.
    text = "Mark Rutte took office as Secretary General, succeeding Jens Stoltenberg, who left."
    assert _names(text) == ["Mark Rutte", "Jens Stoltenberg"]


def test_bare_name_after_a_verb_that_takes_a_person():
    # "Zorbek" is in no given-name list: the verb "welcomed" is what marks the name.
    assert _names("The Minister welcomed Zorbek Halvani to Brussels.") == ["Zorbek Halvani"]


def test_given_name_inside_an_organisation_or_place_is_not_a_person():
    text = "a grant from the Robert Schuman Centre and the Jean Monnet Foundation in Mark Spain"
    assert _names(text) == []


def test_layout_gap_after_an_office_is_not_a_name():
    # Regression: "Timing TBC      Visit" became a person after "Prime Minister of Poland".
    text = "Joint press conference with the Prime Minister of Poland\n\nTiming TBC      Visit"
    assert _names(text) == []


def test_office_with_acronym_then_all_caps_surname():
    # Regression: "(EUAA)," between office and name lost "Nina GREGORI" entirely.
    text = (
        "The Executive Director of the European Union Agency for Asylum (EUAA), Nina GREGORI, and"
    )
    assert _people(text)[0] == (
        "Nina Gregori",
        "Executive Director",
        "European Union Agency for Asylum",
    )


def test_military_rank_is_not_part_of_the_name():
    # Regression: "Admiral Rob Bauer" was the full name; "General Yoshihide Yoshida" was lost.
    assert _names("The Chair of the NATO Military Committee, Admiral Rob Bauer, visited.") == [
        "Rob Bauer"
    ]
    assert _names("the Chief of Staff of the Japan Joint Staff, General Yoshihide Yoshida.") == [
        "Yoshihide Yoshida"
    ]


def test_double_initials_and_middle_initials_stay_in_the_name():
    # Regression: "Karim A.A. Khan" became "Karim A", "Christopher G. Cavoli" "Christopher G".
    assert _names("the Prosecutor of the Court, Mr Karim A.A. Khan. The partners met.") == [
        "Karim A.A. Khan"
    ]
    assert _names("briefed by the Commander, General Christopher G. Cavoli, on plans") == [
        "Christopher G. Cavoli"
    ]


def test_office_for_a_portfolio_before_the_name():
    # Regression: "High Representative for ..." (for, not of) did not anchor the name.
    text = (
        "chaired by the High Representative for Foreign Affairs and Security Policy, Josep Borrell."
    )
    assert _names(text) == ["Josep Borrell"]


def test_cabinet_secretary_before_a_surname_is_a_person():
    # Regression: "Secretary Rubio" was no person (and "Rubio" then geocoded as a town).
    names = [h.full_name for h in find_people("I came to meet with Secretary Rubio and Congress.")]
    assert names == ["Rubio"]


def test_agency_and_venue_names_are_not_people():
    # Regression: "General Directorate Combating Organised Crime" read as General + a name,
    # "Andrew W. Mellon Auditorium" as a person starting with a given name.
    text = (
        "The Bulgarian General Directorate Combating Organised Crime arrested 14 suspects. "
        "Leaders met at the Andrew W. Mellon Auditorium."
    )
    assert find_people(text) == []


# ---------------------------------------------------------------- class 5 on real writing


def _names(text: str) -> list[str]:
    return [hit.full_name for hit in find_people(text)]


def test_country_running_from_an_office_into_the_name_is_not_a_person():
    text = "She met Ivan Petrov, Minister for Defence of the Russian Federation, on Monday."
    assert _names(text) == ["Ivan Petrov"]


def test_place_written_like_a_name_is_not_a_person():
    assert _names("Talks turned to Diego Garcia and the base there.") == []


def test_honorific_chains_and_post_nominals_are_dropped():
    assert _names("The envoy met H.E. Mr. Tariq Aziz Rahman in Doha.") == ["Tariq Aziz Rahman"]
    assert _names("Rt Hon Mary Stokes MP, Chair of the Committee, said: no.") == ["Mary Stokes"]


def test_surname_only_mentions_resolve_to_the_full_name_given_earlier():
    text = "Secretary-General Lee Jae-won flew home. Later Mr. Lee met the press."
    assert _names(text) == ["Lee Jae-won", "Lee Jae-won"]
    text = (
        "Minister Ana Kovač - Horvat, the Minister of Justice, spoke. Minister Kovač - Horvat left."
    )
    assert _names(text) == ["Ana Kovač - Horvat", "Ana Kovač - Horvat"]


def test_spokesperson_introduces_a_name():
    assert _names("The figures were confirmed, said agency spokesperson Marta Lund.") == [
        "Marta Lund"
    ]
