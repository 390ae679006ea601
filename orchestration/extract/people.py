"""Person mentions: honorific/title/appositive anchored names, resolved within a release."""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

import yaml

from orchestration.extract.gazetteer import DATA_DIR, gazetteer
from orchestration.extract.scan import (
    PERSON_VERBS,
    SAID_VERBS,
    anchors,
    capword_pattern,
    is_word_char,
    word_positions,
)
from orchestration.extract.titles import (
    HOUSE_TITLES,
    ORGANISATIONS,
    ROYAL_TITLES,
    STATE_TITLES,
    TITLES,
    is_state,
    literal_trie,
    organisation_name,
    split_title,
)

_UPPER = "A-Z" + "".join(c for c in map(chr, range(0xC0, 0x250)) if c.isupper())
_LETTER = r"[^\W\d_]"
# Initials first ("G.", "A.A."): tried before a word, so "Christopher G. Cavoli" keeps "G.".
_TOKEN = (
    rf"(?:[{_UPPER}]\.(?:[{_UPPER}]\.)*"
    rf"|(?:al-|el-|d[’'])?[{_UPPER}](?:{_LETTER}|[’'\-](?={_LETTER}))*)"
)


class NameWords(NamedTuple):
    """The word lists of ``data/name_words.yaml``."""

    particles: frozenset[str]
    non_name: frozenset[str]
    ranks: frozenset[str]
    generic_titles: frozenset[str]
    post_nominals: frozenset[str]
    roman: frozenset[str]


@functools.cache
def name_words() -> NameWords:
    """Particles, non-name words, ranks ... read once from ``data/name_words.yaml``."""
    raw = yaml.safe_load((DATA_DIR / "name_words.yaml").read_text(encoding="utf-8"))
    return NameWords(**{key: frozenset(map(str, raw[key])) for key in NameWords._fields})


_GAP = r"[^\S\n]+"  # between an office or honorific and the name: never a line break
_SEP = r"[ \u00a0]{1,2}"  # a layout gap ("Timing TBC      Visit") is not inside a name
# Candidates start at a capitalised word (or "al-"/"el-"): a cheap check before the big
# alternations, which the regex engine would otherwise try at every character.
_AT_WORD = rf"(?<![\w’'])(?=[{_UPPER}]|al-|el-)"
_OFSEQ = rf"{_TOKEN}(?:{_SEP}(?:(?:of|and|for|the){_SEP})*{_TOKEN})*"
_HONORIFIC = (
    r"(?:(?:H\. ?E\.|His Excellency|Her Excellency) (?:Mr|Mrs|Ms|Dr)|(?:The )?Rt\.? Hon|"
    r"Right Honourable|Mr|Mrs|Ms|Miss|Dr|Prof|Professor|Sir|Dame|Lord|Lady|H\.E\.|His Excellency|"
    r"Her Excellency|His Majesty|Her Majesty|His Royal Highness|Her Royal Highness|His Highness|"
    r"Her Highness)"
)
_ROYAL = literal_trie(ROYAL_TITLES)  # "(?:Crown Prince|Grand Duke|...)" as a trie
_SAID_VERBS = (
    "said|says|stated|added|explained|noted|stressed|underlined|commented|emphasised|"
    "emphasized|declared|highlighted|remarked"
)
# Words that are never part of a person's name.


class PersonHit(NamedTuple):
    """A person found in the body, before mention ids are assigned (a named tuple: cheap
    to make and to copy with ``_replace``)."""

    start: int
    end: int
    surface: str
    full_name: str
    honorific: str | None = None
    title: str | None = None
    organisation: str | None = None


# How far back from a comma or verb a name run may start (the longest names are ~50 chars).
_NAME_REACH = 80


def _first_words(phrases) -> dict[str, None]:
    """The leading capitalised word of each phrase (what the anchor scan yields), as dict
    keys so that ``Anchors.starts_of`` can intersect them."""
    words: dict[str, None] = {}
    for phrase in phrases:
        match = capword_pattern().match(phrase)
        if match:
            words[match.group()] = None
    return words


@functools.cache
def _patterns() -> dict[str, re.Pattern[str]]:
    # The big literal alternations as tries (same matches, in the same order: see
    # ``literal_trie``): organisations, then demonyms, then a possessive token.
    demonyms = literal_trie(gazetteer().demonyms)
    owner = rf"(?:{literal_trie(ORGANISATIONS)}|{demonyms}|{_TOKEN}[’']s)"
    titles = literal_trie(TITLES)
    particle = literal_trie(name_words().particles)  # "(?:della|bint|...)" as a trie
    # Tokens join by spaces (with particles between), or by a spaced hyphen in a
    # double-barrelled surname ("Haradinaj - Stublla").
    join = rf"(?:{_SEP}(?:{particle}{_SEP})*| - )"
    name_any = rf"{_TOKEN}(?:{join}{_TOKEN})*"
    name_two = rf"{_TOKEN}(?:{join}{_TOKEN})+"
    title_block = (
        rf"(?:(?P<org1>{owner}){_SEP})?(?P<title>{titles})"
        rf"(?:\s+(?:of|for)\s+(?:the\s+)?(?P<of>{_OFSEQ}))?(?:\s+\([A-Z][A-Za-z]{{1,11}}\))?"
    )
    return {
        "anchored": re.compile(
            rf"{_AT_WORD}(?:{title_block},?{_GAP})?(?:(?P<hon>{_HONORIFIC})\.?{_GAP})?"
            rf"(?:(?P<royal>{_ROYAL}){_GAP})?"
            rf"(?(title)|(?(hon)|(?(royal)|(?!))))"
            rf"(?P<name>{name_any})(?:\s+of\s+(?:the\s+)?(?P<org2>{_OFSEQ}))?"
        ),
        "appositive": re.compile(
            rf"{_AT_WORD}(?P<name>{name_two}),\s+(?:the\s+|a\s+)?(?:(?P<org1>{owner}){_SEP})?"
            rf"(?P<title>{titles})(?:\s+of\s+(?:the\s+)?(?P<of>{_OFSEQ}))?"
        ),
        "given_name": re.compile(rf"(?P<name>{name_two})"),
        "said_after": re.compile(rf"\b(?:said|says|according to)\s+(?P<name>{name_two})"),
        "said_before": re.compile(rf"{_AT_WORD}(?P<name>{name_two})\s+(?:{_SAID_VERBS})\b"),
        # Backward searches over a short window ending at an anchor: where a name run starts.
        "name_before_comma": re.compile(rf"{_AT_WORD}{name_two}\Z"),
        "name_before_space": re.compile(rf"{_AT_WORD}{name_two}\s+\Z"),
        "comma_lead": re.compile(r",\s+(?:the\s+|a\s+)?\Z"),
    }


@functools.cache
def _lexicon() -> tuple[dict[str, None], dict[str, None], dict[str, tuple[str, ...]]]:
    """Anchor words: where an anchored match may start, where an appositive's office may
    start, and the well-known surnames by first word."""
    demonyms = gazetteer().demonyms
    office_starts = _first_words((*TITLES, *ORGANISATIONS, *demonyms))
    honorifics = _HONORIFIC.strip("(?:)").replace("\\.", ".").split("|")
    anchored_starts = {**office_starts, **_first_words((*honorifics, *ROYAL_TITLES))}
    known = yaml.safe_load((DATA_DIR / "people.yaml").read_text(encoding="utf-8"))["people"]
    known_by_word: dict[str, list[str]] = {}
    for name in sorted(known, key=len, reverse=True):
        known_by_word.setdefault(name.split()[0], []).append(name)
    return (
        anchored_starts,
        office_starts,
        {word: tuple(names) for word, names in known_by_word.items()},
    )


def _matches_at(pattern: re.Pattern[str], body: str, starts: list[int]) -> list[re.Match[str]]:
    """``pattern.finditer(body)`` restricted to candidate starts (same non-overlap rule)."""
    matches = []
    floor = -1
    for start in sorted(set(starts)):
        if start < floor:
            continue
        match = pattern.match(body, start)
        if match:
            matches.append(match)
            floor = match.end()
    return matches


_NON_SPACE = re.compile(r"\S+")
_POSSESSIVE_ENDINGS = ("’s", "'s")


def _clean_tokens(text: str, offset: int) -> tuple[int, int, list[str]] | None:
    """Trim non-name words off a candidate; returns (start, end, tokens) or None."""
    gaz = gazetteer()
    countries, demonyms = gaz.countries_by_name, gaz.demonyms
    words = name_words()
    non_name, particles, roman = words.non_name, words.particles, words.roman
    keep: list[tuple[int, str]] = []
    for match in _NON_SPACE.finditer(text):
        start, token = match.start(), match.group()
        bare = token[:-2] if token.endswith(_POSSESSIVE_ENDINGS) else token
        bad = (
            (bare == "-" and not keep)
            or bare in non_name
            or bare in countries
            or bare in demonyms
            or (bare.isupper() and len(bare) > 1 and not keep and bare not in roman)
        )
        if bad:
            if keep:
                break
            continue
        keep.append((start, bare))
        if bare != token:  # a possessive ends the name
            break
    while keep and (keep[-1][1] in particles or keep[-1][1] == "-"):
        keep.pop()
    if not keep or all(t in particles for _s, t in keep):
        return None
    start, end = keep[0][0], keep[-1][0] + len(keep[-1][1])
    return offset + start, offset + end, [t for _s, t in keep]


def _normalise(tokens: list[str]) -> str:
    """Join tokens; upper-case surnames become title case (``GREGORI`` -> ``Gregori``)."""
    roman = name_words().roman
    out = []
    for index, token in enumerate(tokens):
        initial = "." in token
        if index and token.isupper() and len(token) > 2 and token not in roman and not initial:
            token = "-".join(part.capitalize() for part in token.split("-"))
        out.append(token)
    return " ".join(out)


def _place_runs_on(of_part: str, tokens: list[str]) -> bool:
    """Whether a place name starts in the office's "of" part and ends in the name ("of the
    Russian" + "Federation")."""
    words = [*of_part.split(), *tokens]
    surfaces = place_surfaces()
    return any(" ".join(words[i:]) in surfaces for i in range(len(words) - len(tokens)))


@functools.cache
def place_surfaces() -> frozenset[str]:
    """Every name the gazetteer matches ("Diego Garcia", "Russian Federation")."""
    return frozenset(
        surface
        for groups in gazetteer().index.values()
        for group in groups.values()
        for _lead, surface, _alias in group
    )


def _split_of_part(of_part: str) -> tuple[str, str] | None:
    """``Latvia Andris`` -> (``Latvia``, ``Andris``): a country followed by a first name."""
    words = of_part.split()
    for cut in range(len(words) - 1, 0, -1):
        head = " ".join(words[:cut])
        if head in gazetteer().countries_by_name:
            rest = words[cut:]
            if all(w not in name_words().non_name for w in rest):
                return head, " ".join(rest)
            return None
    return None


def _title_org(
    match: re.Match[str], source_name: str, of_override: str | None = None
) -> tuple[str | None, str | None]:
    title = match.group("title") if "title" in match.re.groupindex else None
    if not title:
        return None, None
    title, org = split_title(title, of_override or match.group("of"))
    owner = match.group("org1")
    if owner and not org:
        org = organisation_name(owner)
    if not org and title in HOUSE_TITLES and source_name:
        org = source_name
    return title, org


def _only_ranks(text: str) -> bool:
    """``General`` in "Chief of Staff, General Yoshihide Yoshida": ranks before a name."""
    words = text.split()
    ranks = name_words().ranks
    return bool(words) and all(word in ranks for word in words)


def _anchored(body: str, source_name: str) -> list[PersonHit]:
    hits = []
    starts_at, _office, _known = _lexicon()
    scanned = anchors(body)
    starts = [start for start, _word in scanned.starts_of(starts_at)]
    starts += scanned.possessives
    for match in _matches_at(_patterns()["anchored"], body, starts):
        hon, royal, title = match.group("hon"), match.group("royal"), match.group("title")
        if not (hon or royal or title):
            continue
        cleaned = _clean_tokens(match.group("name"), match.start("name"))
        if cleaned is None:
            continue
        start, end, tokens = cleaned
        if start != match.start("name") and not _only_ranks(body[match.start("name") : start]):
            continue  # the anchor does not touch the name
        of_part = match.group("of")
        if of_part and _place_runs_on(of_part, tokens):
            continue  # "of the Russian Federation": the office's country, not a name
        split = _split_of_part(of_part) if of_part else None
        if split:
            _head, rest = split
            rest_start = match.start("of") + len(of_part) - len(rest)
            tokens = rest.split() + tokens
            start = rest_start
        generic_title = title in name_words().generic_titles
        if not hon and not royal and len(tokens) < 2 and (generic_title or title is None):
            continue
        title_text, org = _title_org(match, source_name, of_override=split[0] if split else None)
        if royal:
            start = match.start("royal")
            title_text = royal
            if match.group("org2"):
                org = organisation_name(match.group("org2"))
        elif match.group("org2") and end == match.end("name"):
            org = org or organisation_name(match.group("org2"))
        full = _normalise(tokens)
        if royal:
            full = f"{royal} {full}"
        hits.append(
            PersonHit(
                start, end, body[start:end], full, hon.rstrip(".") if hon else None, title_text, org
            )
        )
    return hits


def _appositive_starts(body: str) -> list[int]:
    """Starts of "Name Surname, [the] [Org's] Title" runs, found from the office word."""
    pats = _patterns()
    _starts, office_starts, _known = _lexicon()
    starts = []
    scanned = anchors(body)
    candidates = [start for start, _word in scanned.starts_of(office_starts)]
    for start in sorted(candidates + list(scanned.possessives)):
        lead = pats["comma_lead"].search(body, max(0, start - 12), start)
        if lead is None:
            continue
        comma = lead.start()
        run = pats["name_before_comma"].search(body, max(0, comma - _NAME_REACH), comma)
        if run is not None:
            starts.append(run.start())
    return starts


def _said_before_starts(body: str) -> list[int]:
    """Starts of "Name Surname said" runs, found from the verb."""
    pattern = _patterns()["name_before_space"]
    starts = []
    for verb_start, _verb in anchors(body).cue_positions(SAID_VERBS):
        run = pattern.search(body, max(0, verb_start - _NAME_REACH), verb_start)
        if run is not None:
            starts.append(run.start())
    return starts


def _unanchored(body: str, source_name: str) -> list[PersonHit]:
    hits = []
    pats = _patterns()
    said_after = [p for p, _cue in anchors(body).cue_positions(("said", "says", "according to"))]
    for key, starts in (
        ("appositive", _appositive_starts(body)),
        ("said_after", said_after),
        ("said_before", _said_before_starts(body)),
    ):
        for match in _matches_at(pats[key], body, starts):
            cleaned = _clean_tokens(match.group("name"), match.start("name"))
            if cleaned is None or len(cleaned[2]) < 2:
                continue
            start, end, tokens = cleaned
            if key == "appositive" and not name_words().post_nominals.issuperset(
                body[end : match.end("name")].split()
            ):
                continue  # the run goes on past the name ("MP" may follow it)
            title, org = _title_org(match, source_name) if key == "appositive" else (None, None)
            hits.append(
                PersonHit(start, end, body[start:end], _normalise(tokens), None, title, org)
            )
    return hits


@functools.cache
def given_names() -> dict[str, None]:
    """The curated given names of ``data/first_names.txt`` (dict keys: see ``starts_of``)."""
    text = (DATA_DIR / "first_names.txt").read_text(encoding="utf-8")
    names: dict[str, None] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            names.update(dict.fromkeys(line.split()))
    return names


def _is_place_word(token: str) -> bool:
    gaz = gazetteer()
    return token in gaz.countries_by_name or token in gaz.demonyms


def _plain_name(body: str, start: int) -> tuple[int, int, list[str]] | None:
    """A two-to-four-word capitalised run at ``start`` that reads as a bare name: no
    office or organisation word inside or right after it, no country or demonym."""
    match = _patterns()["given_name"].match(body, start)
    if match is None:
        return None
    raw = match.group("name").split()
    cleaned = _clean_tokens(match.group("name"), start)
    if cleaned is None or cleaned[0] != start:
        return None
    particles = name_words().particles
    if not 2 <= sum(t not in particles for t in cleaned[2]) <= 4:
        return None
    tokens = cleaned[2]
    if len(tokens) < len(raw):
        return None  # the run goes on into "Centre", "Foundation", "Police" ...: an organisation
    if any(_is_place_word(t) for t in tokens) or " ".join(tokens) in place_surfaces():
        return None  # "Diego Garcia" the island
    if tokens[-1].endswith(".") or all(t.isupper() for t in tokens):
        return None
    return cleaned


def _bare_names(body: str, found: list[PersonHit]) -> list[PersonHit]:
    """Names with no title, honorific or "said" nearby: a capitalised run that starts with a
    known given name ("Mark Rutte took office"), or follows a verb that takes a person
    ("welcomed Ylva Johansson", "succeeding Jens Stoltenberg")."""
    scanned = anchors(body)
    starts = [start for start, _word in scanned.starts_of(given_names())]
    for cue_start, cue in scanned.cue_positions(PERSON_VERBS):
        after = cue_start + len(cue)
        if body.startswith(" ", after) and body[after + 1 : after + 2].isupper():
            starts.append(after + 1)
    covered = {hit.start for hit in found}
    hits = []
    last_end = -1
    for start in sorted(set(starts)):
        if start < last_end or start in covered:
            continue  # already a name: the anchored patterns know more about it
        cleaned = _plain_name(body, start)
        if cleaned is None:
            continue
        begin, end, tokens = cleaned
        hits.append(PersonHit(begin, end, body[begin:end], _normalise(tokens)))
        last_end = end
    return hits


def _resolve(hits: list[PersonHit], body: str) -> list[PersonHit]:
    """Surname-only mentions take the full name given in the release; fill titles/orgs."""
    full_names = [h.full_name for h in hits if len(h.full_name.split()) >= 2]
    by_name: dict[str, PersonHit] = {}
    resolved: list[PersonHit] = []
    for hit in hits:
        name = hit.full_name
        # "Haradinaj - Stublla" after "Meliza Haradinaj - Stublla"
        ending = [full for full in full_names if full.endswith(" " + name)]
        if ending:
            name = ending[0]
        elif len(name.split()) == 1:
            # "Mr Ban" after "Ban Ki-moon": the one full name holding the word elsewhere
            holding = [full for full in dict.fromkeys(full_names) if name in full.split()]
            if len(holding) == 1:
                name = holding[0]
        hit = hit._replace(full_name=name)
        resolved.append(hit)
    for hit in resolved:
        best = by_name.get(hit.full_name)
        if (
            best is None
            or (not best.title and hit.title)
            or (not best.organisation and hit.organisation)
        ):
            by_name[hit.full_name] = hit._replace(
                title=(best.title if best and best.title else hit.title),
                organisation=(
                    best.organisation if best and best.organisation else hit.organisation
                ),
                honorific=(best.honorific if best and best.honorific else hit.honorific),
            )
    # State offices without a country take the country of a colleague named just before.
    final = []
    for index, hit in enumerate(resolved):
        entity = by_name[hit.full_name]
        org = entity.organisation or hit.organisation
        title = entity.title or hit.title
        if title and not org and title.startswith(STATE_TITLES):
            for previous in reversed(resolved[:index]):
                gap = body[previous.end : hit.start]
                if len(gap) > 200 or re.search(r"[.!?]\s", gap):
                    break
                prev_org = previous.organisation or by_name[previous.full_name].organisation
                if is_state(prev_org):
                    org = prev_org
                    by_name[hit.full_name] = entity._replace(organisation=org)
                    break
        final.append(
            hit._replace(title=title, organisation=org, honorific=hit.honorific or entity.honorific)
        )
    return final


# A transcript's title names its speakers: "Speech by NATO Secretary General Mark Rutte at
# ...", "Joint press conference by X and the Prime Minister of Greece, Y", "Remarks by X".
SPEAKER_TITLE = re.compile(
    r"^(?:[Jj]oint\s+)?(?:(?:[Oo]pening|[Cc]losing|[Kk]eynote|[Ii]ntroductory|[Ww]elcome)\s+)?"
    r"(?:[Ss]peech|[Rr]emarks|[Pp]ress\s+conference|[Pp]ress\s+point|[Pp]ress\s+statements?"
    r"|[Ss]tatement|[Aa]ddress|[Dd]oorstep(?:\s+statement)?|[Ll]ecture|[Kk]eynote|[Bb]riefing"
    r"|[Pp]ress\s+briefing|[Mm]edia\s+availability)\s+by\s"
)
# "Secretary General:", "Prime Minister Mitsotakis:" at the start of a transcript line.
_LABEL = re.compile(r"^[ \t]*(?P<label>[A-Z][\w’'.\- ]{1,70}?):[ \t]", re.M)


def title_speakers(title: str, source_name: str = "") -> list[PersonHit]:
    """People named in a speech/press-conference title (spans index the title)."""
    if not title or SPEAKER_TITLE.match(title) is None:
        return []
    candidates = _anchored(title, source_name) + _unanchored(title, source_name)
    candidates.sort(key=lambda h: (h.start, -(h.end - h.start), h.title is None))
    hits: list[PersonHit] = []
    last_end = -1
    for hit in candidates:
        if hit.start >= last_end and len(hit.full_name.split()) >= 2:
            hits.append(hit)
            last_end = hit.end
    return _resolve(hits, title)


def _label_hits(
    body: str, speakers: list[PersonHit], hits: list[PersonHit], excluded: list[tuple[int, int]]
) -> list[PersonHit]:
    """Transcript labels that name a title speaker by office alone ("Secretary General:"):
    a mention of that speaker on the label."""
    if ":" not in body:
        return []
    by_title: dict[str, list[PersonHit]] = {}
    for speaker in speakers:
        if speaker.title:
            by_title.setdefault(speaker.title, []).append(speaker)
    found = []
    for match in _LABEL.finditer(body):
        start, end = match.span("label")
        if any(a < end and start < b for a, b in excluded) or any(
            h.start < end and start < h.end for h in hits
        ):
            continue
        words = match.group("label").split()
        while words and (words[0] in ORGANISATIONS or words[0] in ("The", "the")):
            words = words[1:]  # "NATO Secretary General"
        holders = by_title.get(" ".join(words), [])
        if len(holders) == 1:
            speaker = holders[0]
            found.append(
                speaker._replace(start=start, end=end, surface=body[start:end], honorific=None)
            )
    return found


def find_people(
    body: str,
    *,
    source_name: str = "",
    exclude: list[tuple[int, int]] | None = None,
    speakers: list[PersonHit] | None = None,
) -> list[PersonHit]:
    """People named in ``body`` in text order, one hit per mention. ``speakers`` (from
    ``title_speakers``) resolve surnames and transcript labels to full names."""
    excluded = exclude or []
    candidates = _anchored(body, source_name) + _unanchored(body, source_name)
    candidates += _bare_names(body, candidates)
    candidates.sort(key=lambda h: (h.start, -(h.end - h.start), h.title is None))
    hits: list[PersonHit] = []
    last_end = -1
    for hit in candidates:
        if hit.start < last_end or any(a <= hit.start < b for a, b in excluded):
            continue
        hits.append(hit)
        last_end = hit.end
    if speakers:
        hits = _with_speakers(hits, speakers)
        hits += _label_hits(body, speakers, hits, excluded)
        hits.sort(key=lambda h: h.start)
    hits = _resolve(hits, body)
    # Bare surnames of people named in full, and well-known figures named by surname.
    surnames = {
        h.full_name.split()[-1]: h
        for h in (*(speakers or ()), *hits)
        if len(h.full_name.split()) >= 2 and len(h.full_name.split()[-1].rstrip(".")) >= 2
    }
    extra: list[PersonHit] = []
    taken = [(h.start, h.end) for h in hits]
    for found in (_known_mentions(body), _surname_mentions(body, surnames)):
        for start, end in found:
            if any(a < end and start < b for a, b in taken) or any(
                a <= start < b for a, b in excluded
            ):
                continue
            if start and body[start - 1] in "@#/":
                continue
            surname = body[start:end]
            source = surnames.get(surname.split()[-1]) if surname in surnames else None
            if source is None:
                fuller = [h for h in hits if h.full_name.endswith(surname)]
                source = fuller[0] if fuller else None
            if source is not None:
                extra.append(source._replace(start=start, end=end, surface=surname, honorific=None))
            else:
                extra.append(PersonHit(start, end, surname, surname))
            taken.append((start, end))
    return sorted(hits + extra, key=lambda h: h.start)


def _with_speakers(hits: list[PersonHit], speakers: list[PersonHit]) -> list[PersonHit]:
    """A surname-only mention ("Prime Minister Mitsotakis") of a speaker the title names in
    full takes the full name, and the title's office and organisation when it has none."""
    by_surname = {s.full_name.split()[-1]: s for s in speakers}
    out = []
    for hit in hits:
        speaker = by_surname.get(hit.full_name) if " " not in hit.full_name else None
        if speaker is None and hit.full_name in {s.full_name for s in speakers}:
            speaker = next(s for s in speakers if s.full_name == hit.full_name)
        if speaker is not None:
            hit = hit._replace(
                full_name=speaker.full_name,
                title=hit.title or speaker.title,
                organisation=hit.organisation or speaker.organisation,
            )
        out.append(hit)
    return out


def _non_overlapping(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Leftmost-first, non-overlapping spans (what one alternation's finditer returns)."""
    kept: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return kept


def _known_mentions(body: str) -> list[tuple[int, int]]:
    """Well-known figures named by surname alone, at word boundaries."""
    _starts, _office, known_by_word = _lexicon()
    spans = []
    for start, word in anchors(body).starts_of(known_by_word):
        for name in known_by_word[word]:
            end = start + len(name)
            if (
                body.startswith(name, start)
                and not (start and is_word_char(body[start - 1]))
                and not (end < len(body) and is_word_char(body[end]))
            ):
                spans.append((start, end))
                break
    return _non_overlapping(spans)


def _surname_mentions(body: str, surnames: dict[str, PersonHit]) -> list[tuple[int, int]]:
    """Every word-bounded occurrence of the surnames of people named in full."""
    spans = [
        (start, start + len(surname))
        for surname in surnames
        for start in word_positions(body, surname)
    ]
    return _non_overlapping(spans)
