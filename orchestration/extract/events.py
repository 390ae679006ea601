"""Events: dated sentences with an event trigger, and timed media-advisory lines.

One event per distinct happening: a prose event and an advisory line of the same type on the
same day are one event (the line, which carries the time). No date, no event.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from orchestration.extract.dates import DateMention, date_line
from orchestration.extract.gazetteer import gazetteer
from orchestration.extract.models import LocationMention, PersonMention
from orchestration.extract.roles import role_of
from orchestration.extract.scan import KINDS, anchors, trigger_hits
from orchestration.extract.text import Span, in_spans, paragraphs, sentences
from orchestration.extract.times import TimedLine, prose_time, timezone_name, to_utc


def _kind_between(hits: list[tuple[int, int]], start: int, end: int) -> str | None:
    """Event type of the triggers in [start, end): the highest-priority family."""
    index = bisect.bisect_left(hits, (start, -1))
    best = None
    while index < len(hits) and hits[index][0] < end:
        rank = hits[index][1]
        best = rank if best is None or rank < best else best
        index += 1
    return None if best is None else KINDS[best]


# A conference named as something ahead or behind ("the upcoming Washington Summit",
# "ahead of the Summit") is a topic, not a happening on the sentence's date.
_TOPIC_BEFORE = re.compile(
    r"(?:upcoming|next|forthcoming|ahead of|run-up to|preparations? for|prepare for|since|"
    r"outcome of|decisions of|results of|last year[’']s)\s+(?:the\s+)?(?:[\w’'-]+\s+){0,4}\Z"
)
_DATED_AFTER = re.compile(r"\w+\s+(?:on|from)\s+(?:\w+day,?\s+)?\d")
# "travel to Norfolk to take part in the seminar": the trip is the way to the conference.
_ATTENDS = re.compile(
    r"\b(?:attend(?:s|ed|ing)?|take(?:s)? part in|took part in|participat\w+ in)\b"
)
_CONFERENCE_RANK = KINDS.index("conference")
_VISIT_RANK = KINDS.index("visit")
_SPEECH_RANK = KINDS.index("speech")
_TOPIC_RANKS = (_CONFERENCE_RANK, KINDS.index("meeting"))


def kinds_between(
    hits: list[tuple[int, int]], lower: str, start: int, end: int
) -> list[tuple[int, str]]:
    """(first offset, event type) of each distinct happening a sentence names, in text order:
    "will travel to Helsinki, where he will meet the President" is a visit and a meeting."""
    index = bisect.bisect_left(hits, (start, -1))
    first: dict[int, int] = {}
    while index < len(hits) and hits[index][0] < end:
        pos, rank = hits[index]
        index += 1
        if rank in first:
            continue
        if rank == _CONFERENCE_RANK and lower.endswith(("press ", "news "), max(0, pos - 6), pos):
            continue  # the "conference" of a "press conference"
        if (
            rank in _TOPIC_RANKS
            and _TOPIC_BEFORE.search(lower, max(start, pos - 48), pos)
            and not _DATED_AFTER.match(lower, pos)
        ):
            continue  # a topic, unless its own date follows ("the next meeting on 8-9 October")
        first[rank] = pos
    attends = _ATTENDS.search(lower, start, end) is not None
    if _CONFERENCE_RANK in first:
        if _VISIT_RANK in first and attends:
            del first[_VISIT_RANK]  # travelling to a conference: the conference
        elif _SPEECH_RANK in first and not attends:
            del first[_CONFERENCE_RANK]  # "addressing the forum": a speech there
    return sorted((pos, KINDS[rank]) for rank, pos in first.items())


def classify(text: str) -> str | None:
    """Event type named by a sentence or advisory line, or None."""
    return _kind_between(trigger_hits(text), 0, len(text))


_PRONOUN = re.compile(r"^(?:He|She|They)\b")
_SKIP_LINE = re.compile(r"^\s*(?:Media advisory|Programme|Program|Agenda)\s*$", re.I)
_OF_BEFORE = re.compile(r"\bof (?:the )?$")
_KIND_RANK = {"venue": 0, "city": 1, "region": 2, "country": 3}
_SKIP_LINE_MAX = 40  # "Media advisory", "Programme" ... alone on a line
_HEADER_MAX = 80  # a day header is a short line (date_line takes at most 60 stripped chars)
_HEADING_MAX = 160  # "Speech by NATO Secretary General Mark Rutte" alone on its line
_DATELINE_MAX = 60  # "Brussels, 18 November 2024"


@dataclass
class Draft:
    """An event being assembled."""

    event_type: str
    description: str
    start_date: date
    end_date: date | None
    precision: str
    evidence: Span
    local_time: str | None = None
    timezone_label: str | None = None
    timezone_name: str | None = None
    starts_at_utc: datetime | None = None
    place: LocationMention | None = None
    people: list[tuple[str, str | None]] = field(default_factory=list)  # (full name, mention id)
    roles: dict[str, str] = field(default_factory=dict)  # full name -> host/guest/speaker/...


def _best_place(places: list[LocationMention], body: str | None = None) -> LocationMention | None:
    """Most specific place; with ``body``, places that qualify a name ("X of Jordan") are not
    where an event happens."""
    if body is not None:
        places = [p for p in places if not _OF_BEFORE.search(body, max(0, p.start - 8), p.start)]
    return min(places, key=lambda p: _KIND_RANK.get(p.place_kind, 9)) if places else None


@functools.cache
def _demonym_of() -> dict[str, str]:
    """Country name -> its first demonym ("Germany" -> "German")."""
    demonym_of: dict[str, str] = {}
    for name, code in gazetteer().demonyms.items():
        country = gazetteer().country(code)
        if country is not None:
            demonym_of.setdefault(country.name, name)
    return demonym_of


@functools.lru_cache(maxsize=1024)
def _office_ref(
    title: str | None, organisation: str | None, honorific: str | None, sole_holder: bool
) -> tuple[re.Pattern[str], tuple[str, ...]] | None:
    """(pattern, literals every match contains) naming a person by office, or None (cached:
    the same offices recur across releases)."""
    forms = []
    needles: list[str] = []
    if title:
        needles.append(title)
        escaped = re.escape(title)
        if organisation:
            org = re.escape(organisation)
            forms += [rf"{org}(?:[’']s)? {escaped}", rf"{escaped} of (?:the )?{org}"]
            demonym_of = _demonym_of()
            if organisation in demonym_of:
                forms.append(rf"{demonym_of[organisation]} {escaped}")
        if sole_holder:
            forms.append(rf"\b[Tt]he {escaped}\b")
            # "Secretary General’s joint press point" (not the Deputy's)
            forms.append(rf"(?<!Deputy )(?<!Assistant )\b{escaped}[’']s\b")
    if honorific in ("His Majesty", "Her Majesty"):
        forms.append(honorific)
        needles.append(honorific)
    if not forms:
        return None
    return re.compile("|".join(forms)), tuple(needles)


def _role_refs(
    persons: list[PersonMention],
) -> list[tuple[re.Pattern[str], str, str, tuple[str, ...]]]:
    """Patterns for people named by office ("the German Chancellor", "His Majesty"), each
    with the literals that every match contains (a cheap ``in`` test before the search)."""
    refs: list[tuple[re.Pattern[str], str, str, tuple[str, ...]]] = []
    seen: set[str] = set()
    for person in persons:
        if person.full_name in seen:
            continue
        seen.add(person.full_name)
        title = person.title
        if not title and person.honorific not in ("His Majesty", "Her Majesty"):
            continue
        sole_holder = bool(title) and (len({p.full_name for p in persons if p.title == title}) == 1)
        ref = _office_ref(
            title, person.organisation if title else None, person.honorific, sole_holder
        )
        if ref is not None:
            refs.append((ref[0], person.full_name, person.mention_id, ref[1]))
    return refs


def _participants(
    span: Span,
    persons: list[PersonMention],
    refs: list[tuple[re.Pattern[str], str, str, tuple[str, ...]]],
    previous: list[tuple[str, str | None]],
) -> tuple[list[tuple[str, str | None]], dict[str, str]]:
    """(people named in the span in text order, their roles there)."""
    found: list[tuple[int, int, str, str | None]] = []
    start, end, text = span
    for person in persons:
        if start <= person.start < end:
            found.append((person.start, person.end, person.full_name, person.mention_id))
    for pattern, full_name, mention_id, needles in refs:
        if not any(needle in text for needle in needles):
            continue  # every form names the title or the honorific
        match = pattern.search(text)
        if match:
            found.append((start + match.start(), start + match.end(), full_name, mention_id))
    if previous and text[:1] in "HST":
        pronoun = _PRONOUN.match(text)
        if pronoun:
            found.append((start, start + pronoun.end(), *previous[0]))
    if not found:
        return [], {}
    found.sort()
    result: list[tuple[str, str | None]] = []
    roles: dict[str, str] = {}
    for first, last, name, mention_id in found:
        known = roles.get(name)
        if known is None:
            result.append((name, mention_id))
        if known is None or known == "participant":
            # A name and its office ("NATO Deputy Secretary General Radmila Shekerinska
            # visited"): the occurrence next to a verb decides.
            roles[name] = role_of(text, first - start, last - start)
    return result, roles


def _draft(
    event_type: str,
    evidence: Span,
    start_date: date,
    end_date: date | None,
    precision: str,
    place: LocationMention | None,
    cast: tuple[list[tuple[str, str | None]], dict[str, str]],
    description: str | None = None,
) -> Draft:
    """The one way a draft is made: type, evidence, dates, place and (people, roles)."""
    return Draft(
        event_type=event_type,
        description=(evidence.text if description is None else description)[:200],
        start_date=start_date,
        end_date=end_date,
        precision=precision,
        evidence=evidence,
        place=place,
        people=cast[0],
        roles=cast[1],
    )


@dataclass
class _Scan:
    """What the passes over one body share: its inputs, and the dates and drafts so far."""

    body: str
    reference_date: date
    dates: list[DateMention]
    persons: list[PersonMention]
    places: list[LocationMention]
    is_advisory: bool
    undated: bool
    date_starts: list[int] = field(default_factory=list)
    hits: list[tuple[int, int]] = field(default_factory=list)
    lower: str = ""
    # A prose draft with no people and no place folds into an earlier one of the same
    # (type, start, end) without changing it (see ``_merge``): such drafts are not built.
    built: set[tuple[str, date, date | None]] = field(default_factory=set)
    headers: list[tuple[int, DateMention]] = field(default_factory=list)
    prose: list[Draft] = field(default_factory=list)
    last_date: DateMention | None = None
    main_date: DateMention | None = None
    last_people: list[tuple[str, str | None]] = field(default_factory=list)
    _refs: list[tuple[re.Pattern[str], str, str, tuple[str, ...]]] | None = None

    def refs(self) -> list[tuple[re.Pattern[str], str, str, tuple[str, ...]]]:
        """Office references of the release's people (built on first use)."""
        if self._refs is None:
            self._refs = _role_refs(self.persons)
        return self._refs

    def cast(self, span: Span, previous: list[tuple[str, str | None]] | None = None):
        return _participants(span, self.persons, self.refs(), previous or [])

    def add(self, draft: Draft) -> None:
        self.prose.append(draft)
        self.built.add((draft.event_type, draft.start_date, draft.end_date))

    def day_heading(self, line: Span, kind: str, when: DateMention, end: int) -> None:
        """A transcript's heading ("Speech by X") dated by its dateline or header."""
        self.last_date = self.main_date = self.main_date or when
        place = _best_place([p for p in self.places if line.start <= p.start < end])
        self.add(
            _draft(
                kind, line, when.start_date, when.end_date, when.precision, place, self.cast(line)
            )
        )


@dataclass
class _Paragraph:
    """State within one paragraph: its date, its place, a heading waiting for a dateline."""

    date: DateMention | None = None
    place: list[LocationMention] = field(default_factory=list)
    heading: tuple[Span, str] | None = None
    last: Draft | None = None  # the paragraph's latest prose draft


def build_events(
    body: str,
    *,
    reference_date: date,
    dates: list[DateMention],
    persons: list[PersonMention],
    places: list[LocationMention],
    timed: list[TimedLine],
    boilerplate: list[tuple[int, int]],
    is_advisory: bool,
    fallback_date: DateMention | None = None,
    title: str = "",
    speakers: list[str] | None = None,
    undated: bool = False,
) -> list[Draft]:
    """Event drafts in text order, in passes: per sentence the headings pass (transcript
    headings, datelines, day headers), else the prose pass; then the title's event; then the
    advisory lines. ``title`` (of a transcript) and the ``speakers`` it names give the speech
    or press conference when the body does not head it. ``undated``: the reference date is
    only a fetch day (see ``dates``)."""
    scan = _Scan(body, reference_date, dates, persons, places, is_advisory, undated)
    scan.date_starts = [d.start for d in dates]
    scan.hits = trigger_hits(body) if dates or timed else []
    scan.lower = anchors(body).lower if scan.hits else ""
    line_starts = {line.start for line in timed}
    person_starts = sorted(p.start for p in persons)
    place_starts = sorted(p.start for p in places)
    date_starts = scan.date_starts
    bisect_left = bisect.bisect_left
    dates_count = len(date_starts)
    for paragraph in paragraphs(body):
        if boilerplate and in_spans(paragraph.start, boilerplate):
            continue
        index = bisect_left(date_starts, paragraph.start)  # ``_any_between``, inlined
        has_date = index < dates_count and date_starts[index] < paragraph.end
        last_date = scan.last_date
        if not has_date and not (is_advisory and last_date):
            continue  # nothing in it can carry a date
        if not has_date:
            ranks = _ranks_between(scan.hits, paragraph.start, paragraph.end)
            if not ranks:
                continue  # no dates and no event words: no headers, no events
            # Undated, so every draft here is dated by ``last_date``; when each of its
            # event types already has a draft on that date and nothing in the paragraph
            # can name a person or a place, its drafts would all fold away unchanged.
            key_end = last_date.end_date if last_date is not None else None
            if (
                last_date is not None
                and key_end is None
                and all((KINDS[rank], last_date.start_date, None) in scan.built for rank in ranks)
                and not _any_between(person_starts, paragraph.start, paragraph.end)
                and not _any_between(place_starts, paragraph.start, paragraph.end)
                and not (scan.last_people and _may_start_with_pronoun(paragraph.text))
                and not (persons and _names_a_ref(paragraph.text, scan.refs()))
            ):
                continue
        state = _Paragraph()
        for sentence in sentences(paragraph):
            kind = _kind_between(scan.hits, sentence.start, sentence.end)
            first = bisect.bisect_left(date_starts, sentence.start)
            dated = first < len(date_starts) and date_starts[first] < sentence.end
            if _heading_pass(scan, state, sentence, kind, first, dated, line_starts):
                continue
            _prose_pass(scan, state, sentence, kind, first, dated)
    prose = scan.prose
    if title:
        titled = _title_event(
            body,
            title,
            speakers or [],
            dates,
            persons,
            places,
            prose,
            None if undated else reference_date,
        )
        if titled is not None:
            prose.insert(0, titled)
    return _merge(prose, _advisory_pass(scan, timed, scan.main_date or fallback_date))


def _heading_pass(
    scan: _Scan,
    state: _Paragraph,
    sentence: Span,
    kind: str | None,
    first: int,
    dated: bool,
    line_starts: set[int],
) -> bool:
    """Transcript headings with their dateline, skipped lines and day headers; True when
    the sentence was one of those (the prose pass then skips it)."""
    if state.heading is not None and dated and len(sentence.text) <= _DATELINE_MAX:
        # "Remarks by X" over the dateline "Brussels, 15 November 2024".
        when = scan.dates[first]
        if when.precision == "day":
            line, heading_kind = state.heading
            scan.day_heading(line, heading_kind, when, sentence.end)
            state.date = scan.last_date
            state.heading = None
            return True
    state.heading = (
        (sentence, kind)
        if not dated
        and kind in ("speech", "press_conference")
        and len(sentence.text) <= _HEADING_MAX
        and scan.body.startswith("\n", sentence.end)
        else None
    )
    if not dated and kind is None:
        return True  # neither a date to carry nor an event to date
    if sentence.start in line_starts or (
        len(sentence.text) <= _SKIP_LINE_MAX and _SKIP_LINE.match(sentence.text)
    ):
        return True
    header = (
        date_line(sentence.text, scan.reference_date, scan.undated)
        if dated and len(sentence.text) <= _HEADER_MAX
        else None
    )
    if header is None:
        return False
    scan.headers.append((sentence.start, header))
    if kind in ("speech", "press_conference") and header.precision == "day":
        # A transcript's heading: "Speech by X" over "Brussels, 18 November 2024".
        scan.day_heading(sentence, kind, header, sentence.end)
        state.date = scan.last_date
    return True


def _prose_pass(
    scan: _Scan, state: _Paragraph, sentence: Span, kind: str | None, first: int, dated: bool
) -> None:
    """Drafts for the happenings a prose sentence names, dated by its own date, else by its
    paragraph's (an advisory's last date for its lines)."""
    dates, is_advisory = scan.dates, scan.is_advisory
    when = None
    background = False
    for mention in dates[first:] if dated else ():
        if mention.start >= sentence.end:
            break
        if mention.precision in ("day", "month"):
            if _BACKGROUND_BEFORE.search(scan.body, max(0, mention.start - 40), mention.start):
                background = True  # "Elected in October 2020", "a member since July 2022"
                continue
            when = mention
            break
    if when is None and background:
        return  # a background fact, not one of the release's happenings
    if when is not None and _extends(state.last, when, kind, scan.body):
        return  # "began on 3 June ... will run until 20 June": one happening
    if when is None and state.date is None and not (is_advisory and scan.last_date):
        return
    if when is not None:
        if scan.main_date is None and when.precision == "day":
            scan.main_date = when
        state.date = when
        scan.last_date = when
    elif kind is not None:
        when = state.date or (scan.last_date if is_advisory else None)
        if when is not None and when.end_date is not None:
            when = None  # a follow-up sentence is not the whole multi-day visit
    if kind is None or when is None:
        return
    people, roles = scan.cast(sentence, scan.last_people)
    scan.last_people = people or scan.last_people
    in_sentence = [p for p in scan.places if sentence.start <= p.start < sentence.end]
    if in_sentence:
        state.place = in_sentence
    elif when is state.date and state.place:
        in_sentence = state.place  # "He will then meet ...": same place
    found = kinds_between(scan.hits, scan.lower, sentence.start, sentence.end)
    if not people and not in_sentence:
        found = [
            (pos, event_kind)
            for pos, event_kind in found
            if (event_kind, when.start_date, when.end_date) not in scan.built
        ]
        if not found:
            return
    clock = prose_time(sentence.text) if when.precision == "day" else None
    lasting = _lasting_days(sentence.text) if when.end_date is None else None
    for pos, event_kind in found:
        end_date = when.end_date
        if lasting and event_kind in _LASTING_KINDS and when.precision == "day":
            end_date = when.start_date + timedelta(days=lasting - 1)
        place = _best_place([p for p in in_sentence if p.start > pos], scan.body) or _best_place(
            in_sentence, scan.body
        )
        cast = (
            _visitors(people, scan.persons, pos, found) if event_kind == "visit" else list(people),
            dict(roles),
        )
        draft = _draft(
            event_type=event_kind,
            evidence=sentence,
            start_date=when.start_date,
            end_date=end_date,
            precision=when.precision,
            place=place,
            cast=cast,
        )
        if clock is not None and when.end_date is None:
            _set_time(draft, *clock, draft.place or _best_place(scan.places))
        scan.add(draft)
        state.last = draft


def _advisory_pass(
    scan: _Scan, timed: list[TimedLine], main_date: DateMention | None
) -> list[Draft]:
    """One draft per timed media-advisory line, dated by the day header above it, else by
    the release's main date."""
    body, places = scan.body, scan.places
    labels = [line.timezone_label for line in timed if line.timezone_label]
    default_label = labels[0] if labels and len(set(labels)) == 1 else None
    release_place = _best_place(places)
    advisory: list[Draft] = []
    for line in timed:
        day_header = [h for pos, h in scan.headers if pos < line.start]
        when = day_header[-1] if day_header else main_date
        if when is None:
            continue
        span = Span(line.start, line.end, body[line.start : line.end])
        place = _best_place([p for p in places if line.start <= p.start < line.end])
        label = line.timezone_label or default_label
        zone = timezone_name(label, _zone_of(place or release_place))
        starts = (
            to_utc(when.start_date, line.local_time, zone) if zone and line.local_time else None
        )
        draft = _draft(
            _kind_between(scan.hits, line.start, line.end) or "other",
            span,
            when.start_date,
            None,
            "day",
            place,
            scan.cast(span),
            description=line.text,
        )
        draft.local_time = line.local_time
        draft.timezone_label = label
        draft.timezone_name = zone
        draft.starts_at_utc = starts
        advisory.append(draft)
    return advisory


_TITLE_KINDS = ("speech", "press_conference")
_TOP_REACH = 400  # a transcript's dateline sits in its first lines
_FIRST_LABEL = re.compile(r"^[ \t]*[A-Z][\w’'. -]{1,70}?:[ \t]", re.M)


def _title_event(
    body: str,
    title: str,
    speakers: list[str],
    dates: list[DateMention],
    persons: list[PersonMention],
    places: list[LocationMention],
    prose: list[Draft],
    reference_date: date | None,
) -> Draft | None:
    """The speech or press conference a transcript's title names ("Speech by X at ..."):
    dated by the body's dateline ("Riga, 11 June 2025"), else by the first date of its
    opening lines, else by the reference date; the speakers are the title's people."""
    kind = classify(title)
    if kind not in _TITLE_KINDS or any(d.event_type == kind for d in prose):
        return None
    stripped = body.lstrip()
    if not stripped:
        return None
    written = [
        d
        for d in dates
        if d.precision == "day"
        and d.start < _TOP_REACH
        and any(c.isdigit() for c in body[d.start : d.end])
    ]
    top = None
    for mention in written:
        line_start = body.rfind("\n", 0, mention.start) + 1
        line_end = body.find("\n", mention.end)
        line_end = len(body) if line_end < 0 else line_end
        if line_end - line_start <= _DATELINE_MAX:
            top = mention  # the dateline: "NATO Headquarters, Brussels, 5 June 2025"
            evidence = Span(line_start, line_end, "")
            break
    if top is not None:
        start_date, end_date = top.start_date, top.end_date
    else:
        label = _FIRST_LABEL.search(body)
        first = label.start() if label and label.start() < _TOP_REACH else len(body) - len(stripped)
        line_end = body.find("\n", first)
        evidence = Span(first, len(body) if line_end < 0 else line_end, "")
        # "here today, 8 July 2025": a date written out, not "today" (the reference date).
        opening = next(
            (
                d
                for d in dates
                if d.precision == "day"
                and d.start < evidence.end + _TOP_REACH
                and any(c.isdigit() for c in body[d.start : d.end])
            ),
            None,
        )
        start_date = opening.start_date if opening else reference_date
        end_date = opening.end_date if opening else None
        if start_date is None:
            return None  # an undated release: no day to give it
    evidence = Span(evidence.start, evidence.end, body[evidence.start : evidence.end])
    near = [p for p in places if evidence.start <= p.start < evidence.end]
    if not near and top is None:
        paragraph_end = body.find("\n\n", evidence.start)
        paragraph_end = len(body) if paragraph_end < 0 else paragraph_end
        near = [p for p in places if evidence.start <= p.start < paragraph_end]
    people: list[tuple[str, str | None]] = []
    for name in speakers:
        mention = next((p.mention_id for p in persons if p.full_name == name), None)
        people.append((name, mention))
    return Draft(
        event_type=kind,
        description=title[:200],
        start_date=start_date,
        end_date=end_date,
        precision="day",
        evidence=evidence,
        place=_best_place(near, body),
        people=people,
        roles=dict.fromkeys(speakers, "speaker"),
    )


# A date that dates a background fact (an election, an accession, a founding) rather than
# the sentence's happening.
_BACKGROUND_BEFORE = re.compile(
    r"(?:\b(?:[Ee]lected|[Aa]ppointed|[Ff]ounded|[Ee]stablished|[Cc]reated|[Ss]et up|joined "
    r"(?:the )?(?:Alliance|NATO|European Union|EU|Union)|[Aa]ccession|[Mm]ember)\s+"
    r"(?:(?:in|on|of)\s+)?|\bsince\s+)\Z"
)
_UNTIL_BEFORE = re.compile(r"\b(?:until|till|through|to)\s+(?:the\s+)?\Z")


def _extends(last: Draft | None, when: DateMention, kind: str | None, body: str) -> bool:
    """Whether a sentence dated only "until <day>" ends the paragraph's previous happening
    ("The exercise will run until 20 June"); if so, that draft takes the day as its end."""
    if (
        last is None
        or last.end_date is not None
        or when.end_date is not None
        or when.precision != "day"
        or last.precision != "day"
        or when.start_date <= last.start_date
        or kind not in (None, last.event_type)
        or not _UNTIL_BEFORE.search(body, max(0, when.start - 12), when.start)
    ):
        return False
    last.end_date = when.start_date
    return True


_LASTING = re.compile(r"\b(two|three|four|five|2|3|4|5)-day\b")
_LASTING_KINDS = ("conference", "visit", "operation")
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5}


def _lasting_days(text: str) -> int | None:
    """Days a "two-day summit" lasts, when the sentence says so."""
    if "-day" not in text:
        return None
    match = _LASTING.search(text)
    if match is None:
        return None
    word = match.group(1)
    return _NUMBERS.get(word) or int(word)


def _visitors(
    people: list[tuple[str, str | None]],
    persons: list[PersonMention],
    visit_at: int,
    found: list[tuple[int, str]],
) -> list[tuple[str, str | None]]:
    """The visit's people: those named before the sentence's other happening ("X will
    travel to Helsinki, where he will meet Y": X visits, Y is met)."""
    others = [pos for pos, kind in found if kind != "visit" and pos > visit_at]
    if not others:
        return list(people)
    cut = others[0]
    later = {p.mention_id for p in persons if p.start >= cut}
    kept = [(name, mention) for name, mention in people if mention not in later]
    return kept or list(people[:1])


def _may_start_with_pronoun(text: str) -> bool:
    """Whether a sentence of ``text`` may open with He, She or They (see ``_PRONOUN``)."""
    return "He" in text or "She" in text or "They" in text


def _ranks_between(hits: list[tuple[int, int]], start: int, end: int) -> set[int]:
    """Family ranks of the triggers in [start, end)."""
    index = bisect.bisect_left(hits, (start, -1))
    ranks = set()
    while index < len(hits) and hits[index][0] < end:
        ranks.add(hits[index][1])
        index += 1
    return ranks


def _names_a_ref(text: str, refs: list[tuple[re.Pattern[str], str, str, tuple[str, ...]]]) -> bool:
    """Whether ``text`` holds a literal of one of the office references (see ``_role_refs``)."""
    return any(needle in text for _p, _n, _m, needles in refs for needle in needles)


def _any_between(starts: list[int], start: int, end: int) -> bool:
    """Whether a sorted list of offsets has one in [start, end)."""
    index = bisect.bisect_left(starts, start)
    return index < len(starts) and starts[index] < end


def _set_time(
    draft: Draft, local_time: str, label: str | None, place: LocationMention | None
) -> None:
    """Local time as written, its zone, and UTC when the zone is known."""
    zone = timezone_name(label, _zone_of(place)) if label else None
    draft.local_time = local_time
    draft.timezone_label = label
    draft.timezone_name = zone
    draft.starts_at_utc = to_utc(draft.start_date, local_time, zone) if zone else None


def _zone_of(place: LocationMention | None) -> str | None:
    if place is None:
        return None
    gaz = gazetteer()
    entry = gaz.places.get(place.place_id)
    if entry is None:
        return None
    if entry.timezone:
        return entry.timezone
    capital = gaz.capitals.get(entry.country_code or "")
    return capital.timezone if capital else None


def _merge(prose: list[Draft], advisory: list[Draft]) -> list[Draft]:
    """Fold prose events into the advisory line for the same happening; drop duplicates."""
    kept: list[Draft] = []
    for draft in prose:
        twin = next(
            (
                a
                for a in advisory
                if a.event_type == draft.event_type
                and a.start_date == draft.start_date
                and draft.end_date is None
            ),
            None,
        )
        if twin is None:
            twin = next(
                (
                    k
                    for k in kept
                    if k.event_type == draft.event_type
                    and k.start_date == draft.start_date
                    and k.end_date == draft.end_date
                ),
                None,
            )
            if twin is None:
                kept.append(draft)
                continue
        twin.place = twin.place or draft.place
        for person in draft.people:
            if person[0] not in [n for n, _m in twin.people]:
                twin.people.append(person)
            role = draft.roles.get(person[0])
            if role and twin.roles.get(person[0], "participant") == "participant":
                twin.roles[person[0]] = role
    return sorted(kept + advisory, key=lambda d: d.evidence.start)
