"""Titles and offices: the lexicon, and splitting "Chancellor of Germany" into parts."""

from __future__ import annotations

import re
from collections.abc import Iterable

from orchestration.extract.gazetteer import gazetteer

# Longest first inside the alternation (the regex engine takes the first that matches).
TITLES: tuple[str, ...] = (
    "Police Commissioner General",
    "Police Commissioner",
    "Commissioner General",
    "Deputy Secretary General",
    "Assistant Secretary General",
    "Secretary General",
    "Secretary-General",
    "Deputy Executive Director",
    "Executive Director",
    "Chair of the NATO Military Committee",
    "Supreme Allied Commander Europe",
    "Supreme Allied Commander Transformation",
    "Deputy Prime Minister",
    "Prime Minister",
    "Foreign Minister",
    "Defence Minister",
    "Defense Minister",
    "Interior Minister",
    "Justice Minister",
    "Minister of Foreign Affairs",
    "Minister for Foreign Affairs",
    "Minister of Defence",
    "Minister of Defense",
    "Minister for Defence",
    "Minister of the Interior",
    "Minister of Interior",
    "Minister of Justice",
    "Minister of Home Affairs",
    "Minister for Home Affairs",
    "Minister of Internal Affairs",
    "Minister for Europe",
    "Minister",
    "Vice-President",
    "Vice President",
    "President-elect",
    "President",
    "Chancellor",
    "Crown Prince",
    "King",
    "Queen",
    "Prince",
    "Princess",
    "Emir",
    "Sultan",
    "Grand Duke",
    "Pope",
    "Permanent Representative",
    "Ambassador",
    "High Representative",
    "European Commissioner",
    "Commissioner",
    "Chairman",
    "Chairwoman",
    "Chairperson",
    "Chair",
    "General Manager",
    "Managing Director",
    "Chief Executive Officer",
    "Chief Executive",
    "Director General",
    "Director-General",
    "Director",
    "Commander",
    "Chief of Defence",
    "Chief of the General Staff",
    "Chief of Staff",
    "Spokesperson",
    "Spokesman",
    "Spokeswoman",
    "Lieutenant General",
    "Major General",
    "Brigadier General",
    "General",
    "Vice Admiral",
    "Rear Admiral",
    "Admiral",
    "Air Marshal",
    "Air Chief Marshal",
    "Colonel",
    "Lieutenant Colonel",
    "Senator",
    "Speaker",
    "Mayor",
    "Governor",
    "Chief Prosecutor",
    "Prosecutor General",
    "Head of Unit",
    "Head",
    "Special Representative",
    "Special Envoy",
    "Deputy Minister",
    "State Secretary",
    "Secretary of State",
    "Secretary",  # a cabinet secretary before a surname: "Secretary Rubio"
    "Under-Secretary",
)


def literal_trie(words: Iterable[str]) -> str:
    """A non-capturing group matching the same as ``(?:w1|w2|...)`` over ``words`` escaped
    and sorted longest first, written as a trie: the engine reads each character once
    instead of trying every alternative in turn. Literals that match at one position are
    prefixes of each other, so "longest first" is also the trie's order (a branch before
    the empty end of a shorter word). Not for case-insensitive patterns."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in node.items() if char]
        if "" in node:
            branches.append("")
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return "(?:" + pattern(trie) + ")"


TITLE_PATTERN = "(?:" + "|".join(re.escape(t) for t in sorted(TITLES, key=len, reverse=True)) + ")"
ROYAL_TITLES = frozenset(
    {"King", "Queen", "Crown Prince", "Prince", "Princess", "Emir", "Sultan", "Grand Duke", "Pope"}
)
# Offices that belong to the publishing institution when no organisation is written.
HOUSE_TITLES = frozenset(
    {
        "Secretary General",
        "Deputy Secretary General",
        "Assistant Secretary General",
        "Executive Director",
        "Deputy Executive Director",
        "Spokesperson",
    }
)
# Offices held for a state: a missing organisation may be inherited from a colleague.
STATE_TITLES = (
    "Minister",
    "President",
    "Chancellor",
    "Prime Minister",
    "Ambassador",
    "Permanent Representative",
    "Secretary of State",
    "State Secretary",
)

ORGANISATIONS: tuple[str, ...] = (
    "NATO",
    "Europol",
    "Frontex",
    "Eurojust",
    "EU",
    "UN",
    "OSCE",
    "European Union",
    "European Commission",
    "European Council",
    "United Nations",
    "Interpol",
    "INTERPOL",
    "European Parliament",
    "Council of Europe",
    "NATO Parliamentary Assembly",
    "CEPOL",
    "EMSA",
    "OLAF",
    "EPPO",
    "ENISA",
)
ORG_PATTERN = (
    "(?:" + "|".join(re.escape(o) for o in sorted(ORGANISATIONS, key=len, reverse=True)) + ")"
)
_KINGDOM = re.compile(
    r"^(?:the\s+)?(?:Hashemite\s+)?(?:Kingdom|Republic|State|Principality|"
    r"Grand Duchy|Sultanate)\s+of\s+(?:the\s+)?(.+)$"
)


def organisation_name(raw: str) -> str:
    """Normalise an organisation as written: ``Europol's`` -> ``Europol``, demonyms -> country."""
    text = re.sub(r"[’']s$", "", raw.strip()).removeprefix("the ").strip()
    kingdom = _KINGDOM.match(text)
    gaz = gazetteer()
    if kingdom and kingdom.group(1) in gaz.countries_by_name:
        return gaz.countries_by_name[kingdom.group(1)].name
    if text in gaz.countries_by_name:
        return gaz.countries_by_name[text].name
    code = gaz.demonyms.get(text)
    if code:
        country = gaz.country(code)
        if country is not None:
            return country.name
    return text


def is_state(organisation: str | None) -> bool:
    """Whether an organisation is a country (as opposed to NATO, a university, ...)."""
    return bool(organisation) and organisation in gazetteer().countries_by_name


def split_title(title: str, of_part: str | None) -> tuple[str, str | None]:
    """``("Chancellor", "Germany")`` from title ``Chancellor`` and of-part ``Germany``.

    An of-part that is not a country or known organisation stays in the title
    (``Minister of Foreign Affairs``).
    """
    if not of_part:
        return title, None
    org = organisation_name(of_part)
    portfolio = title.startswith(("Minister", "Deputy Minister", "Secretary of State"))
    if is_state(org) or org in ORGANISATIONS or _KINGDOM.match(of_part.strip()) or not portfolio:
        return title, org
    return f"{title} of {of_part.strip()}", None
