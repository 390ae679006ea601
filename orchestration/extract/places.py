"""Location mentions: gazetteer matches filtered by context, ambiguity resolved per release."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from orchestration.extract.gazetteer import (
    NEXT_CHARS,
    Alias,
    Place,
    gazetteer,
    small_cities,
    small_city_place,
)
from orchestration.extract.models import fast_constructor
from orchestration.extract.people import given_names
from orchestration.extract.scan import anchors, is_word_char

# A country named inside a role or an organisation ("President of Hungary", "Government of
# Germany", "Academy in Berlin") is not a place mention.
_ROLE_BEFORE = re.compile(
    r"\b(?:President|Vice[- ]President|Prime Minister|Minister|Chancellor|King|Queen|Emir|"
    r"Prince|Princess|Sultan|Monarch|Head of State|Government|Ministry|Ministries|Embassy|"
    r"Ambassador|Parliament|Armed Forces|Permanent Representative|Representative|Delegation|"
    r"Mission|Chief of (?:Defence|Defense|the General Staff|Staff)|Police|Army|Navy|Air Force|"
    r"Guard|University|Academy|Institute|Agency|Office|Secretary|Commissioner|Chief|Head|"
    r"Director|Mayor|Governor|Speaker|Spokesperson|Consulate|Court|Prosecutor(?:'s|’s)? Office|"
    r"Council|Senate|Assembly|Republic|Kingdom|Foreign Affairs|Defence|Defense|Interior|"
    r"Justice|Home Affairs)"
    r"(?:\s+(?:of|for)\s+(?:the\s+)?[A-Z][\w’' ]{0,40}?)?\s+(?:of|for|in)\s+(?:the\s+)?$"
)
_ORG_AFTER = re.compile(
    r"^(?:[’']s?)?\s*(?:State\s+|National\s+|Federal\s+)?(?:University|Police|Government|"
    r"Ministry|Academy|Institute|Agency|Guard|Armed Forces|Army|Navy|Air Force|Border|Customs|"
    r"Prosecut\w*|Court|Parliament|Embassy|Mission|Treaty|Declaration|Format|Process|"
    r"Initiative|Compact|Club|Group|Team|Airport|Summit Declaration)\b"
)
_POSSESSIVE_TITLE = re.compile(
    r"^[’']s\s+(?:(?:new|former|then)\s+)?(?:President|Prime Minister|Minister|Chancellor|King|"
    r"Queen|Foreign Minister|Defence Minister|Defense Minister|Ambassador|Permanent Representative"
    r"|Chief|Head)\b"
)
_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|to|from|at|near|outside|around|via|visit|visits|visited|visiting)\s+$", re.IGNORECASE
)
# A region that is also an actor ("European Union") is a place after "in the", "across
# the", "the whole" ...; a city that is also a word ("Alliance") only after a bare "in".
_REGION_LOCATIVE_BEFORE = re.compile(
    r"(?:\b(?:in|to|from|at|near|outside|around|via|across|throughout|within)\s+(?:the\s+)?"
    r"|\bthe\s+(?:whole|entire)\s+)$",
    re.IGNORECASE,
)
_LOCATIVE_REACH = 24
_ADJECTIVE_AFTER = re.compile(r"-(?:based|born|bred|headquartered|registered|led|made)\b")
PROMINENCE_RATIO = 5
_CAPITAL_ANAPHOR = re.compile(
    r"\b(?:the country[’']s|its|the) capital(?: city)?(?! of)\b|\bthe capital city\b"
)
_FOLLOWED_BY_COUNTRY = re.compile(r"^,\s+(?:the\s+)?([A-Z][\w.’' -]{1,40}?)(?=[,.;:)\s]|$)")
_US_CONTEXT = re.compile(r"^,?\s+(?:U\.?S\.?A?|United States|USA)\b")
_PREPOSITION_BEFORE = re.compile(r"\s(?:of|for|in)\s+(?:the\s+)?\Z")
# "Office in Sofia", "Embassy in Berlin": a city after "in" is where the body sits.
_IN_BEFORE = re.compile(r"\sin\s+\Z")
# Strong context for a small town: "in X", "near X", "from X", "at the X (military) base".
_TOWN_LOCATIVE_BEFORE = re.compile(
    r"(?:\b(?:in|near|outside|from|to|via|around)\s+|\b(?:at|in|near) the\s+)\Z", re.IGNORECASE
)


# An institution's name doubles as its seat ("at Eurojust"): a place only where something
# happens there ("met at Eurojust", "a meeting at Eurojust") or the city follows ("at
# Eurojust in The Hague"); "a team was set up at Eurojust" names the organisation.
_GATHERING_BEFORE = re.compile(
    r"\b(?:met|meet|meets|meeting|meetings|held|hold|holds|gathered|gather|convened|hosted|"
    r"took place|takes place|conference|seminar|workshop|session|visit|visited|visits|"
    r"ceremony|event|centre|center|room)\s+(?:\w+\s+)?(?:at|in)\s+\Z",
    re.IGNORECASE,
)
_CITY_AFTER = re.compile(r"\s+in\s+(?:the\s+)?[A-Z]")
_VENUE_AS_MODIFIER = re.compile(
    r"\s+(?:seminar|conference|symposium|workshop|exercise|course|programme|program|"
    r"commander|staff|team)s?\b"
)
_VOCATIVE_BEFORE = re.compile(
    r"(?:\b(?:[Tt]hank you|[Tt]hanks|[Dd]ear|[Hh]ello|[Ww]elcome),?\s+)\Z"
)


# A transcript's dateline: "Washington, 20 May 2025" alone at the start of a line.
_DATELINE_AFTER = re.compile(
    r",[^\S\n]+(?:\d{1,2}[^\S\n]+[A-Z][a-z]+|[A-Z][a-z]+[^\S\n]+\d{1,2},?)[^\S\n]+\d{4}[^\S\n]*$",
    re.M,
)


def _is_dateline(text: str, start: int, end: int) -> bool:
    return (start == 0 or text[start - 1] == "\n") and bool(_DATELINE_AFTER.match(text, end))


def _hosts_there(text: str, start: int, end: int) -> bool:
    return bool(
        _GATHERING_BEFORE.search(text, max(0, start - 40), start) or _CITY_AFTER.match(text, end)
    )


@dataclass(frozen=True)
class PlaceMatch:
    """A resolved place with the span that named it."""

    start: int
    end: int
    surface: str
    place: Place


_new_match = fast_constructor(PlaceMatch)  # PlaceMatch(...) without its per-field setattr


def _raw_matches(text: str) -> list[tuple[int, int, Alias]]:
    """Longest non-overlapping alias matches at word boundaries (looked up from the
    capitalised words of the anchor scan)."""
    index = gazetteer().index
    size = len(text)
    found: list[tuple[int, int, Alias]] = []
    for word_start, word in anchors(text).starts_of(index):
        groups = index[word]
        word_end = word_start + len(word)
        keyed = groups.get(text[word_end : word_end + NEXT_CHARS])
        bare = groups.get("")
        if keyed is None:
            if bare is None:
                continue  # "The" not followed by "Hag", "Net" ...: nothing starts here
            candidates = bare
        else:
            candidates = keyed + bare if bare is not None else keyed
        for lead, surface, alias in candidates:
            start = word_start - lead
            if start < 0 or not text.startswith(surface, start):
                continue
            if start and is_word_char(text[start - 1]) and not text[start - 1].isdigit():
                continue  # a footnote mark may run into the name: "1Belgium"
            end = start + len(surface)
            if end < size and is_word_char(text[end]):
                continue
            if text.startswith("-", end) and _ADJECTIVE_AFTER.match(text, end):
                continue  # "Geneva-based": an adjective, not a place
            found.append((start, end, alias))
    found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    kept: list[tuple[int, int, Alias]] = []
    last_end = -1
    for match in found:
        if match[0] >= last_end:
            kept.append(match)
            last_end = match[1]
    return kept


_BUILDING_AFTER = re.compile(
    r" (?:Room|Hall|Building|School|House|Street|Square|Avenue|Centre|Center|Institute|"
    r"Foundation|Library|Hotel|Park|Road|Lecture|Prize|Award|Plan|Report)\b"
)


def _in_longer_name(text: str, start: int, end: int) -> bool:
    """A city name inside a longer proper name: after a given name ("Steven Austin") or
    before a building or title noun ("Wilson Room", "Lincoln Memorial Lecture")."""
    if _BUILDING_AFTER.match(text, end):
        return True

    before = text[max(0, start - 20) : start]
    if not before.endswith(" "):
        return False
    words = before.split()
    return bool(words) and words[-1] in given_names()


def _followed_by_country(text: str, end: int) -> bool:
    """``X, Spain`` or ``X, Texas``: a comma then a country or US state."""
    follow = _FOLLOWED_BY_COUNTRY.match(text[end : end + 45])
    if not follow:
        return False
    named = follow.group(1).strip()
    return named in gazetteer().countries_by_name or named in gazetteer().us_states


def _locative_before(text: str, start: int, alias: Alias) -> bool:
    if alias.places[0].kind == "region":
        return bool(_REGION_LOCATIVE_BEFORE.search(text[max(0, start - _LOCATIVE_REACH) : start]))
    return bool(_LOCATIVE_BEFORE.search(text[max(0, start - 10) : start]))


def _names_other_city(text: str, end: int, venue: Place) -> bool:
    """Whether the venue name runs on into another city's name ("NATO Headquarters
    Sarajevo", "NATO Headquarters Skopje"): a different venue of the same kind."""
    if not text.startswith(" ", end):
        return False
    following = _raw_matches(text[end + 1 : end + 40])
    if not following or following[0][0] != 0:
        return False
    place = following[0][2].places[0]
    return place.kind == "city" and place.place_id != venue.parent_id


def _is_role_or_org(text: str, start: int, end: int, city: bool = False) -> bool:
    after = text[end : end + 40]
    if _ORG_AFTER.match(after) or _POSSESSIVE_TITLE.match(after):
        return True
    # The role pattern ends in "of/for/in [the]": check that cheaply before running it.
    if not _PREPOSITION_BEFORE.search(text, max(0, start - 12), start):
        return False
    if city and _IN_BEFORE.search(text, max(0, start - 6), start):
        return False
    return bool(_ROLE_BEFORE.search(text[max(0, start - 90) : start]))


def _context_countries(raw: list[tuple[int, int, Alias]], title: str) -> set[str]:
    codes: set[str] = set()
    for matches in (_raw_matches(title), raw):
        for _start, _end, alias in matches:
            if alias.places[0].kind == "country" and len(alias.places) == 1:
                codes.add(alias.places[0].country_code or "")
    return codes


def _choose(alias: Alias, text: str, end: int, countries: set[str]) -> Place | None:
    candidates = alias.places
    if len(candidates) == 1:
        return candidates[0]
    after = text[end : end + 45]
    follow = _FOLLOWED_BY_COUNTRY.match(after)
    if follow:
        named = follow.group(1).strip()
        country = gazetteer().countries_by_name.get(named)
        if country is not None:
            for place in candidates:
                if place.country_code == country.country_code:
                    return place
        if named in gazetteer().us_states or _US_CONTEXT.match(after):
            for place in candidates:
                if place.country_code == "US":
                    return place
    # A city far bigger than its namesakes is meant even in a release that names their
    # country: Geneva in a release about the United States is still Geneva, Switzerland.
    best = candidates[0]
    for place in candidates:
        if place.country_code in countries:
            return best if best.population > PROMINENCE_RATIO * place.population else place
    return best


def _us_state(surface: str, text: str, start: int, end: int) -> Place | None:
    """``Georgia`` is the US state after "Atlanta," / "state of" or before ", US"."""
    if surface not in gazetteer().us_states:
        return None
    before = text[max(0, start - 40) : start]
    after = text[end : end + 20]
    if re.search(r"(?:U\.?S\.? state of|state of|[A-Z][a-z]+,)\s*$", before) or _US_CONTEXT.match(
        after
    ):
        if re.search(r"[A-Z][a-z]+,\s*$", before) and not re.search(r"state of\s*$", before):
            city = before.rstrip(", ").split()[-1]
            aliases = [a for _s, _e, a in _raw_matches(city)]
            if not any(p.country_code == "US" for a in aliases for p in a.places):
                return None
        return Place(
            place_id=f"region:us-{surface.lower().replace(' ', '-')}",
            name=surface,
            kind="region",
            country_code="US",
            parent_id="country:US",
            parent_name="United States",
            parent_kind="country",
        )
    return None


def find_places(
    text: str,
    *,
    title: str = "",
    exclude: Iterable[tuple[int, int]] = (),
) -> list[PlaceMatch]:
    """Place mentions in ``text``; spans in ``exclude`` (people, boilerplate) are skipped."""
    excluded = list(exclude)
    raw = _raw_matches(text)
    countries = _context_countries(raw, title)
    result: list[PlaceMatch] = []
    last_country: str | None = None
    anaphors = (
        [(m.start(), m.end()) for m in _CAPITAL_ANAPHOR.finditer(text)] if "capital" in text else []
    )
    events: list[tuple[int, int, Alias | None]] = [
        *raw,
        *((a, b, None) for a, b in anaphors),
    ]
    events.sort(key=lambda m: m[0])
    for start, end, alias in events:
        if any(a <= start < b or a < end <= b for a, b in excluded):
            continue
        if alias is None:
            capital = gazetteer().capitals.get(last_country or "")
            if capital is not None:
                result.append(_new_match(start, end, text[start:end], capital))
            continue
        if alias.places[0].kind == "venue" and _names_other_city(text, end, alias.places[0]):
            continue  # "NATO Headquarters Sarajevo" is not NATO Headquarters in Brussels
        if alias.places[0].kind == "venue" and _VENUE_AS_MODIFIER.match(text, end):
            continue  # "the Allied Command Transformation seminar": the organiser, not a place
        if alias.needs_prefix:
            words = text[max(0, start - 12) : start].split()
            if not words or words[-1].lower() not in alias.needs_prefix:
                continue
            if alias.places[0].kind == "venue" and not _hosts_there(text, start, end):
                continue
        if alias.places[0].kind == "city" and _VOCATIVE_BEFORE.search(
            text, max(0, start - 16), start
        ):
            continue  # "Thank you, Mariano": a person addressed, never a place
        if alias.places[0].kind == "city" and _in_longer_name(text, start, end):
            continue  # "Woodrow Wilson School", "the Wilson Room": a name, not the town
        if alias.context_only and not (
            _locative_before(text, start, alias)
            or _followed_by_country(text, end)
            or _is_dateline(text, start, end)
        ):
            continue
        place = _us_state(alias.surface, text, start, end) or _choose(alias, text, end, countries)
        if place is None:
            continue
        if place.kind in ("country", "city") and _is_role_or_org(
            text, start, end, place.kind == "city"
        ):
            if place.kind == "country":
                last_country = place.country_code
            continue
        if place.kind == "country" or place.country_code:
            last_country = place.country_code
        result.append(_new_match(start, end, alias.surface, place))
    towns = _small_towns(text, raw, excluded, countries)
    if towns:
        result = sorted(result + towns, key=lambda m: m.start)
    return result


def _small_towns(
    text: str,
    raw: list[tuple[int, int, Alias]],
    excluded: list[tuple[int, int]],
    countries: set[str],
) -> list[PlaceMatch]:
    """Towns below the main gazetteer's cut-off, only where the text places something there
    ("in Ādaži", "near Druskininkai", "Capellen, Luxembourg") and the town lies in a country
    the release names: a small town's name is too often also a word or a surname."""
    words = anchors(text).by_word
    candidates = words.keys() & small_cities().keys() if words else ()
    found: list[PlaceMatch] = []
    for word in candidates:
        for start in words[word]:
            end = start + len(word)
            if end < len(text) and (is_word_char(text[end]) or text[end] in "-’'"):
                continue
            if any(a < end and start < b for a, b, _alias in raw) or any(
                a < end and start < b for a, b in excluded
            ):
                continue
            follow = _FOLLOWED_BY_COUNTRY.match(text[end : end + 45])
            country = gazetteer().countries_by_name.get(follow.group(1).strip()) if follow else None
            if country is None and not _TOWN_LOCATIVE_BEFORE.search(
                text, max(0, start - 12), start
            ):
                continue
            allowed = {country.country_code} if country is not None else countries
            town = next((t for t in small_cities()[word] if t.country_code in allowed), None)
            if town is not None:
                found.append(_new_match(start, end, word, small_city_place(town)))
    return found
