"""Score the extraction engine against a labelled text dump.

Usage::

    .venv/bin/python benchmarks/score_extraction.py --dump FILE.txt --expected FILE.expected.yaml \
        [--as-of YYYY-MM-DD] [--json] [--verbose] [--only TITLE_SUBSTRING] [--check]
    .venv/bin/python benchmarks/score_extraction.py --realset DIR \
        [--fetched-on YYYY-MM-DD] [--json] [--verbose] [--only TITLE_SUBSTRING]

The dump is split with ``parse_dump``; every release goes through
``orchestration.extract.extract_release`` and is matched to the yaml's ``releases`` by title.
A real set (``releases.jsonl`` + ``expected.yaml``; ``DIR`` is the project's labelled real set,
kept beside the repository) is read as it is: each release's own
``published`` date is its reference date; a release with none is read as the pipeline reads
an undated feed item (reference date = the day it was fetched, ``--fetched-on``, flagged as
a fetch date so the extractor does not take it for a publication date).

Matching rules (the yaml header comments state the same):

* people: full name, case- and accent-insensitive, punctuation and leading honorifics
  (Mr, Dr, His Majesty, King ...) ignored; a one-word label (``{name: Putin}``) matches a
  found person whose last name token equals it. Found surname references (``Stoltenberg``,
  ``de la Cruz Ortega``) fold into a found full name of the same release ending in them.
  Labels may list ``aliases``.
* places: name (same normalisation, ``aliases`` allowed) + ISO country code (null for
  regions); the found name is the resolved one or any text it was written as ("UK");
  country-code accuracy is reported over found places whose name matches a label.
* events: start_date, plus end_date / time / tz / location when the label gives them (an
  event at a venue matches a label naming the venue's parent place, e.g. its city);
  type accuracy is reported over matched events.
* appearances: (event, person) pairs on matched events only; an event label's
  ``acceptable_participants`` may be found without counting as errors.
* release type: accuracy over labelled releases found in the dump.

Recall counts ``required`` labels; a found item is correct when it is matched one-to-one to
a required or acceptable label; precision = correct / found. Seed rule: every required item
(people, places, events, appearances) found and at most 1 in 10 found items unmatched.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

KINDS = ("people", "places", "events", "appearances")
SEED_RULE_MAX_EXTRA_SHARE = 0.1
# The day undated real-set releases are taken to have been fetched (their reference date).
REALSET_FETCHED_ON = date(2026, 12, 1)
_HONORIFICS = frozenset(
    {"mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sir", "dame", "his", "her"}
    | {"majesty", "royal", "highness", "excellency", "king", "queen", "prince", "princess"}
    | {"crown", "h", "e", "hm", "hrh"}
)
_PUNCTUATION = re.compile(r"[\s.,;:'’‘\"()\-‐–—/]+")


# ---------------------------------------------------------------- found data (what was extracted)


@dataclass(frozen=True)
class FoundEvent:
    """One extracted event, reduced to what the labels can check."""

    event_type: str | None
    start_date: date | None
    end_date: date | None = None
    time: str | None = None
    tz: str | None = None
    tz_name: str | None = None
    location: str | None = None
    participants: tuple[str, ...] = ()
    location_parent: str | None = None


@dataclass(frozen=True)
class FoundRelease:
    """One release's extraction, reduced to names, (place, country) pairs and events."""

    release_type: str | None = None
    people: tuple[str, ...] = ()
    places: tuple[tuple[str, str | None], ...] = ()
    events: tuple[FoundEvent, ...] = ()
    error: str | None = None
    # (place name, country) -> the texts it was written as ("UK" for United Kingdom)
    place_surfaces: Mapping[tuple[str, str | None], frozenset[str]] = field(default_factory=dict)


# ---------------------------------------------------------------- scores


@dataclass
class KindScore:
    """Counts for one kind of item; precision/recall/F1 are None when undefined."""

    required: int = 0
    recalled: int = 0
    found: int = 0
    correct: int = 0

    @property
    def precision(self) -> float | None:
        return self.correct / self.found if self.found else None

    @property
    def recall(self) -> float | None:
        return self.recalled / self.required if self.required else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: KindScore) -> None:
        self.required += other.required
        self.recalled += other.recalled
        self.found += other.found
        self.correct += other.correct

    def as_dict(self) -> dict[str, Any]:
        return {
            "required": self.required,
            "recalled": self.recalled,
            "found": self.found,
            "correct": self.correct,
            "precision": _round(self.precision),
            "recall": _round(self.recall),
            "f1": _round(self.f1),
        }


@dataclass
class Accuracy:
    """A simple hit rate; ``value`` is None when nothing was counted."""

    total: int = 0
    correct: int = 0

    @property
    def value(self) -> float | None:
        return self.correct / self.total if self.total else None

    def add(self, other: Accuracy) -> None:
        self.total += other.total
        self.correct += other.correct

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "correct": self.correct, "accuracy": _round(self.value)}


@dataclass
class ReleaseReport:
    """Per-release outcome: counts plus human-readable misses, extras and mismatches."""

    title: str
    kinds: dict[str, KindScore] = field(default_factory=lambda: {k: KindScore() for k in KINDS})
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Scores:
    """Totals over a dump plus the per-release reports."""

    kinds: dict[str, KindScore] = field(default_factory=lambda: {k: KindScore() for k in KINDS})
    release_type: Accuracy = field(default_factory=Accuracy)
    event_type: Accuracy = field(default_factory=Accuracy)
    country_code: Accuracy = field(default_factory=Accuracy)
    releases: list[ReleaseReport] = field(default_factory=list)
    missing_releases: list[str] = field(default_factory=list)
    unlabelled_releases: list[str] = field(default_factory=list)

    @property
    def extras(self) -> int:
        return sum(score.found - score.correct for score in self.kinds.values())

    @property
    def found(self) -> int:
        return sum(score.found for score in self.kinds.values())

    @property
    def seed_rule_passed(self) -> bool:
        all_found = all(s.recalled == s.required for s in self.kinds.values())
        return all_found and self.extras <= SEED_RULE_MAX_EXTRA_SHARE * self.found

    def as_dict(self) -> dict[str, Any]:
        return {
            "kinds": {kind: score.as_dict() for kind, score in self.kinds.items()},
            "release_type": self.release_type.as_dict(),
            "event_type": self.event_type.as_dict(),
            "country_code": self.country_code.as_dict(),
            "seed_rule": {
                "passed": self.seed_rule_passed,
                "missed_required": sum(s.required - s.recalled for s in self.kinds.values()),
                "extras": self.extras,
                "found": self.found,
            },
            "missing_releases": self.missing_releases,
            "unlabelled_releases": self.unlabelled_releases,
            "releases": [
                {
                    "title": report.title,
                    "kinds": {k: s.as_dict() for k, s in report.kinds.items()},
                    "misses": report.misses,
                    "extras": report.extras,
                    "notes": report.notes,
                }
                for report in self.releases
            ],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# ---------------------------------------------------------------- normalisation


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_PUNCTUATION.sub(" ", stripped).split())


def person_key(name: str) -> str:
    """Folded name minus leading honorifics (``His Majesty King Abdullah II``: ``abdullah ii``)."""
    tokens = fold(name).split()
    while len(tokens) > 1 and tokens[0] in _HONORIFICS:
        tokens.pop(0)
    return " ".join(tokens)


def title_key(title: str) -> str:
    """Titles match on their alphanumeric characters only."""
    folded = unicodedata.normalize("NFKD", title.casefold())
    return "".join(ch for ch in folded if ch.isalnum())


def time_text(value: Any) -> str | None:
    """``"13:30"`` as written; YAML 1.1 reads unquoted 13:30 as the integer 810."""
    if value is None:
        return None
    if isinstance(value, int):
        return f"{value // 60:02d}:{value % 60:02d}"
    text = str(value).strip()
    match = re.fullmatch(r"(\d{1,2})[:.h](\d{2})", text)
    return f"{int(match.group(1)):02d}:{match.group(2)}" if match else text


def as_date(value: Any) -> date | None:
    """A date from a date, a datetime or an ISO string."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value if type(value) is date else value.date()  # type: ignore[attr-defined]
    return date.fromisoformat(str(value)[:10])


def country(value: Any) -> str | None:
    """Upper-case ISO code; ``False`` is YAML 1.1's reading of an unquoted ``NO`` (Norway)."""
    if value is False:
        return "NO"
    return str(value).upper() if value else None


class LabelLoader(yaml.SafeLoader):
    """SafeLoader whose booleans are only true/false: ``country: NO`` stays the string "NO"."""


LabelLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
LabelLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_expected(text: str) -> dict[str, Any]:
    """Parse an expected.yaml document (Norway-safe)."""
    return yaml.load(text, Loader=LabelLoader)  # a SafeLoader subclass: no arbitrary objects


# ---------------------------------------------------------------- matching rules


def names_of(label: Mapping[str, Any]) -> list[str]:
    """A label's name and its aliases."""
    return [str(label["name"]), *(str(alias) for alias in label.get("aliases") or [])]


def person_matches(label_name: str, found_name: str) -> bool:
    """Full-name match, or a one-word label equal to the found name's last token."""
    label_key, found_key = person_key(label_name), person_key(found_name)
    if not label_key or not found_key:
        return False
    if label_key == found_key:
        return True
    return " " not in label_key and found_key.split()[-1] == label_key


def person_label_matches(label: Mapping[str, Any], found_name: str) -> bool:
    return any(person_matches(name, found_name) for name in names_of(label))


def place_name_matches(label: Mapping[str, Any], found_name: str) -> bool:
    return fold(found_name) in {fold(name) for name in names_of(label)}


def place_matches(label: Mapping[str, Any], found: tuple[str, str | None]) -> bool:
    name, code = found
    return place_name_matches(label, name) and country(label.get("country")) == country(code)


def place_matches_as_written(
    surfaces: Mapping[tuple[str, str | None], frozenset[str]],
) -> Callable[[Mapping[str, Any], tuple[str, str | None]], bool]:
    """``place_matches`` on the resolved name or on any text the place was written as
    ("UK" for United Kingdom): labels name places as the body writes them."""

    def matches(label: Mapping[str, Any], found: tuple[str, str | None]) -> bool:
        if country(label.get("country")) != country(found[1]):
            return False
        names = {found[0], *surfaces.get(found, ())}
        return any(place_name_matches(label, name) for name in names)

    return matches


def tz_matches(label_tz: Any, event: FoundEvent) -> bool:
    wanted = fold(str(label_tz))
    return wanted in {fold(value) for value in (event.tz, event.tz_name) if value}


def event_matches(label: Mapping[str, Any], event: FoundEvent) -> bool:
    """start_date always; end_date, time, tz and location (or its parent) when labelled."""
    if event.start_date != as_date(label.get("start_date")):
        return False
    if label.get("end_date") is not None and event.end_date != as_date(label["end_date"]):
        return False
    if label.get("time") is not None and event.time != time_text(label["time"]):
        return False
    if label.get("tz") and label.get("time") is not None and not tz_matches(label["tz"], event):
        return False
    location = label.get("location")
    places = {fold(place) for place in (event.location, event.location_parent) if place}
    return not location or fold(location) in places


def match_one_to_one(
    labels: Sequence[Any],
    found: Sequence[Any],
    compatible: Callable[[Any, Any], bool],
    prefer: Callable[[Any, Any], bool] | None = None,
) -> dict[int, int]:
    """Maximum bipartite matching label index -> found index (Kuhn), earlier labels first.

    Labels are tried in order, and a matched label never loses its match, so listing
    required labels before acceptable ones maximises the required matches.
    """
    candidates = []
    for label in labels:
        options = [j for j, item in enumerate(found) if compatible(label, item)]
        if prefer is not None:
            options.sort(key=lambda j, label=label: not prefer(label, found[j]))
        candidates.append(options)
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in candidates[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(labels)):
        augment(i, set())
    return {i: j for j, i in owner.items()}


# ---------------------------------------------------------------- per-kind scoring


def label_lists(section: Any) -> tuple[list[Any], list[Any]]:
    """(required, acceptable) from ``{required: [...], acceptable: [...]}`` or None."""
    section = section or {}
    return list(section.get("required") or []), list(section.get("acceptable") or [])


def full_name_ending_in(key: str, keys: Iterable[str]) -> str | None:
    """The first longer key that ends with ``key`` as whole tokens (``rajoy brey``)."""
    return next((other for other in keys if other.endswith(" " + key)), None)


def dedupe_people(names: Iterable[str]) -> list[str]:
    """Distinct people: same key once; a surname reference folds into a full name ending in it."""
    distinct: dict[str, str] = {}
    for name in names:
        key = person_key(name)
        if key and key not in distinct:
            distinct[key] = name
    return [name for key, name in distinct.items() if full_name_ending_in(key, distinct) is None]


def resolve_surnames(names: Iterable[str], people: Sequence[str]) -> list[str]:
    """Replace surname references among participants by the release's full name ending in them."""
    full_names = {person_key(person): person for person in people}
    resolved = []
    for name in names:
        longer = full_name_ending_in(person_key(name), full_names)
        resolved.append(full_names[longer] if longer else name)
    return dedupe_people(resolved)


def score_items(
    required: list[Any],
    acceptable: list[Any],
    found: Sequence[Any],
    compatible: Callable[[Any, Any], bool],
    describe_label: Callable[[Any], str],
    describe_found: Callable[[Any], str],
    prefer: Callable[[Any, Any], bool] | None = None,
) -> tuple[KindScore, dict[int, int], list[str], list[str]]:
    """Match, count, and describe misses (required unmatched) and extras (found unmatched)."""
    matches = match_one_to_one([*required, *acceptable], found, compatible, prefer)
    matched_found = set(matches.values())
    score = KindScore(
        required=len(required),
        recalled=sum(1 for i in matches if i < len(required)),
        found=len(found),
        correct=len(matched_found),
    )
    misses = [describe_label(label) for i, label in enumerate(required) if i not in matches]
    extras = [describe_found(item) for j, item in enumerate(found) if j not in matched_found]
    return score, matches, misses, extras


def describe_place_label(label: Mapping[str, Any]) -> str:
    return f"{label['name']} ({label.get('country') or '-'})"


def describe_place(found: tuple[str, str | None]) -> str:
    return f"{found[0]} ({found[1] or '-'})"


def describe_event_label(label: Mapping[str, Any]) -> str:
    parts = [str(label.get("type", "?")), str(label.get("start_date"))]
    if label.get("end_date"):
        parts.append(f"to {label['end_date']}")
    if label.get("time") is not None:
        parts.append(f"{time_text(label['time'])} {label.get('tz') or ''}".strip())
    if label.get("location"):
        parts.append(f"@ {label['location']}")
    return " ".join(parts) + f" {list(label.get('participants') or [])}"


def describe_event(event: FoundEvent) -> str:
    parts = [str(event.event_type), str(event.start_date)]
    if event.end_date:
        parts.append(f"to {event.end_date}")
    if event.time:
        parts.append(f"{event.time} {event.tz or event.tz_name or ''}".strip())
    if event.location:
        parts.append(f"@ {event.location}")
    if event.location_parent:
        parts.append(f"(in {event.location_parent})")
    return " ".join(parts) + f" {list(event.participants)}"


def country_accuracy(labels: list[Any], places: Sequence[tuple[str, str | None]]) -> Accuracy:
    """Over found places whose name matches a label: is the country code right?"""
    accuracy = Accuracy()
    for place in places:
        named = [label for label in labels if place_name_matches(label, place[0])]
        if named:
            accuracy.total += 1
            accuracy.correct += any(place_matches(label, place) for label in named)
    return accuracy


def score_appearances(
    pairs: list[tuple[Mapping[str, Any], FoundEvent, bool]], people: Sequence[str]
) -> tuple[KindScore, list[str], list[str]]:
    """(event, person) pairs on matched events; recall counts required events' participants."""
    total, misses, extras = KindScore(), [], []
    for label, event, is_required in pairs:
        wanted = [{"name": name} for name in label.get("participants") or []]
        optional = [{"name": name} for name in label.get("acceptable_participants") or []]
        got = resolve_surnames(event.participants, people)
        score, _, missed, extra = score_items(
            wanted if is_required else [],
            optional if is_required else [*wanted, *optional],
            got,
            person_label_matches,
            lambda item: str(item["name"]),
            str,
        )
        total.add(score)
        where = f"{label.get('type')} {label.get('start_date')}"
        misses += [f"{name} in {where}" for name in missed]
        extras += [f"{name} in {where}" for name in extra]
    return total, misses, extras


def score_release(label: Mapping[str, Any], found: FoundRelease, scores: Scores) -> ReleaseReport:
    """Score one labelled release; adds accuracies to ``scores`` and returns the report."""
    report = ReleaseReport(title=str(label["title"]))
    if found.error:
        report.notes.append(f"extraction failed: {found.error}")
    people = dedupe_people(found.people)
    required, acceptable = label_lists(label.get("people"))
    kind, _, misses, extras = score_items(
        required, acceptable, people, person_label_matches, lambda x: str(x["name"]), str
    )
    _record(report, "people", kind, misses, extras)

    places = list(dict.fromkeys((name, country(code)) for name, code in found.places))
    surfaces = {
        (name, country(code)): texts for (name, code), texts in found.place_surfaces.items()
    }
    required, acceptable = label_lists(label.get("locations"))
    kind, _, misses, extras = score_items(
        required,
        acceptable,
        places,
        place_matches_as_written(surfaces),
        describe_place_label,
        describe_place,
    )
    _record(report, "places", kind, misses, extras)
    scores.country_code.add(country_accuracy([*required, *acceptable], places))

    required, acceptable = label_lists(label.get("events"))
    kind, matches, misses, extras = score_items(
        required,
        acceptable,
        found.events,
        event_matches,
        describe_event_label,
        describe_event,
        prefer=lambda lab, ev: ev.event_type == lab.get("type"),
    )
    _record(report, "events", kind, misses, extras)
    labels = [*required, *acceptable]
    pairs = [(labels[i], found.events[j], i < len(required)) for i, j in matches.items()]
    for event_label, event, _ in pairs:
        scores.event_type.total += 1
        scores.event_type.correct += event.event_type == event_label.get("type")
        if event.event_type != event_label.get("type"):
            report.notes.append(
                f"event type {event.event_type!r} != {event_label.get('type')!r} "
                f"on {event_label.get('start_date')}"
            )
    kind, misses, extras = score_appearances(pairs, people)
    _record(report, "appearances", kind, misses, extras)

    wanted_type = label.get("release_type")
    if wanted_type:
        scores.release_type.total += 1
        scores.release_type.correct += found.release_type == wanted_type
        if found.release_type != wanted_type:
            report.notes.append(f"release type {found.release_type!r} != {wanted_type!r}")
    return report


def _record(
    report: ReleaseReport, kind: str, score: KindScore, misses: list[str], extras: list[str]
) -> None:
    report.kinds[kind] = score
    report.misses += [f"{kind}: {item}" for item in misses]
    report.extras += [f"{kind}: {item}" for item in extras]


def score(expected: Mapping[str, Any], extractions: Mapping[str, FoundRelease]) -> Scores:
    """Score extractions keyed by release title against an ``expected`` yaml document."""
    scores = Scores()
    found_by_key = {title_key(title): found for title, found in extractions.items()}
    labelled_keys = set()
    for label in expected.get("releases") or []:
        key = title_key(str(label["title"]))
        labelled_keys.add(key)
        if key not in found_by_key:
            scores.missing_releases.append(str(label["title"]))
        report = score_release(label, found_by_key.get(key, FoundRelease()), scores)
        for kind, kind_score in report.kinds.items():
            scores.kinds[kind].add(kind_score)
        scores.releases.append(report)
    scores.unlabelled_releases = [t for t in extractions if title_key(t) not in labelled_keys]
    return scores


# ---------------------------------------------------------------- extraction adapter


def place_name_from_id(place_id: str) -> str:
    """Fallback name from a gazetteer id (``venue:nato-headquarters``: ``nato headquarters``)."""
    return place_id.split(":", 1)[-1].replace("-", " ").replace("_", " ")


def found_from_rows(rows: Mapping[str, list[Mapping[str, Any]]]) -> FoundRelease:
    """Reduce ``extraction_rows`` output (raw table rows) to a FoundRelease."""
    annotations = rows.get("release_annotations") or [{}]
    locations = rows.get("location_mentions") or []
    place_names = {r["place_id"]: r["place_name"] for r in locations if r.get("place_id")}
    parents = {r["place_id"]: r.get("parent_place_name") for r in locations if r.get("place_id")}
    participants: dict[str, list[str]] = {}
    for row in rows.get("event_participants") or []:
        if row.get("full_name"):
            participants.setdefault(row["event_mention_id"], []).append(row["full_name"])
    events = []
    for row in rows.get("event_mentions") or []:
        place_id = row.get("place_id")
        location = place_names.get(place_id) or (place_name_from_id(place_id) if place_id else None)
        events.append(
            FoundEvent(
                event_type=row.get("event_type"),
                start_date=as_date(row.get("start_date")),
                end_date=as_date(row.get("end_date")),
                time=time_text(row.get("local_time")),
                tz=row.get("timezone_label"),
                tz_name=row.get("timezone_name"),
                location=location,
                participants=tuple(participants.get(row["event_mention_id"], [])),
                location_parent=parents.get(place_id),
            )
        )
    surfaces: dict[tuple[str, str | None], set[str]] = {}
    for r in locations:
        key = (r.get("place_name") or r.get("surface_text") or "", r.get("country_code"))
        surfaces.setdefault(key, set()).add(r.get("surface_text") or "")
    return FoundRelease(
        place_surfaces={key: frozenset(texts) for key, texts in surfaces.items()},
        release_type=annotations[0].get("release_type"),
        people=tuple(
            r["full_name"] for r in rows.get("person_mentions") or [] if r.get("full_name")
        ),
        places=tuple(
            (r.get("place_name") or r.get("surface_text") or "", r.get("country_code"))
            for r in locations
        ),
        events=tuple(events),
    )


# ---------------------------------------------------------------- running the extractor


class ExtractorMissing(RuntimeError):
    """``orchestration.extract`` cannot be imported or lacks the documented API."""


def load_extractor() -> tuple[Any, Callable[..., Any], Callable[..., Any], str]:
    """(ReleaseInput, extract_release, extraction_rows, EXTRACTOR_VERSION) or ExtractorMissing."""
    try:
        from orchestration.extract import (
            EXTRACTOR_VERSION,
            ReleaseInput,
            extract_release,
            extraction_rows,
        )
    except ImportError as exc:
        raise ExtractorMissing(
            f"cannot import the extraction API from orchestration.extract ({exc}). "
            "The module is not there yet or lacks names from docs/extraction_api.md "
            "(ReleaseInput, extract_release, extraction_rows, EXTRACTOR_VERSION)."
        ) from exc
    return ReleaseInput, extract_release, extraction_rows, str(EXTRACTOR_VERSION)


def run_extraction(
    dump_text: str, as_of: date, locator: str
) -> tuple[dict[str, FoundRelease], str]:
    """Parse the dump and extract every release; returns ({title: found}, extractor version)."""
    from orchestration.sources.dump import parse_dump

    release_input, extract_release, extraction_rows, version = load_extractor()
    parsed = parse_dump(
        dump_text, as_of, locator=locator, known_sources={"nato": "NATO", "europol": "Europol"}
    )
    found = {}
    for release in parsed.releases:
        item = release_input(
            release_id=release.release_id,
            title=release.title,
            body_text=release.body_text,
            reference_date=as_of,
            source_name=release.source_name,
            is_truncated=release.is_truncated,
        )
        try:
            found[release.title] = found_from_rows(extraction_rows(extract_release(item)))
        except Exception as exc:  # a crash on one release must not hide the others' scores
            found[release.title] = FoundRelease(error=f"{type(exc).__name__}: {exc}")
    return found, version


def realset_inputs(jsonl_text: str, fetched_on: date) -> list[tuple[str, Any]]:
    """(title, ReleaseInput) per line of a real set's ``releases.jsonl``."""
    release_input, *_ = load_extractor()
    inputs = []
    for line in jsonl_text.splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        published = as_date(record.get("published"))
        item = release_input(
            release_id=str(record["id"]),
            title=str(record["title"]),
            body_text=str(record["text"]),
            reference_date=published or fetched_on,
            source_name=str(record.get("source") or ""),
            is_reference_published=published is not None,
        )
        inputs.append((item.title, item))
    return inputs


def run_realset(jsonl_text: str, fetched_on: date) -> tuple[dict[str, FoundRelease], str]:
    """Extract every release of a real set in process; ({title: found}, extractor version)."""
    _, extract_release, extraction_rows, version = load_extractor()
    found = {}
    for title, item in realset_inputs(jsonl_text, fetched_on):
        try:
            found[title] = found_from_rows(extraction_rows(extract_release(item)))
        except Exception as exc:  # a crash on one release must not hide the others' scores
            found[title] = FoundRelease(error=f"{type(exc).__name__}: {exc}")
    return found, version


MARTS_QUERIES = {
    "releases": "select release_id, title, release_type from marts.fct_releases",
    "people": """
        select mentions.release_id, people.full_name
        from marts.fct_person_mentions as mentions
        inner join marts.dim_people as people on people.person_id = mentions.person_id""",
    "places": """
        select mentions.release_id, places.name, places.country_code, mentions.mention_text
        from marts.fct_location_mentions as mentions
        inner join marts.dim_locations as places on places.location_id = mentions.location_id""",
    "events": """
        select reports.release_id, events.event_id, events.event_type, events.start_date,
               events.end_date, left(cast(events.start_time as varchar), 5) as start_time,
               events.timezone, places.name as place_name, parents.name as parent_name
        from marts.fct_event_releases as reports
        inner join marts.fct_events as events on events.event_id = reports.event_id
        left join marts.dim_locations as places on places.location_id = events.location_id
        left join marts.dim_locations as parents
            on parents.location_id = places.parent_location_id
        order by reports.release_id, reports.event_mention_id""",
    "appearances": """
        select appearances.event_id, people.full_name
        from marts.fct_appearances as appearances
        inner join marts.dim_people as people on people.person_id = appearances.person_id""",
}


def found_from_marts(conn: Any) -> dict[str, FoundRelease]:
    """{title: found} read back from a published warehouse's marts (a DuckDB connection)."""
    rows = {name: conn.execute(sql).fetchall() for name, sql in MARTS_QUERIES.items()}
    people: dict[str, list[str]] = {}
    for release_id, name in rows["people"]:
        people.setdefault(release_id, []).append(name)
    places: dict[str, list[tuple[str, str | None]]] = {}
    surfaces: dict[str, dict[tuple[str, str | None], set[str]]] = {}
    for release_id, name, code, text in rows["places"]:
        places.setdefault(release_id, []).append((name, code))
        surfaces.setdefault(release_id, {}).setdefault((name, code), set()).add(text or "")
    participants: dict[str, list[str]] = {}
    for event_id, name in rows["appearances"]:
        participants.setdefault(event_id, []).append(name)
    events: dict[str, list[FoundEvent]] = {}
    for release_id, event_id, kind, start, end, time, tz, place, parent in rows["events"]:
        events.setdefault(release_id, []).append(
            FoundEvent(
                event_type=kind,
                start_date=as_date(start),
                end_date=as_date(end),
                time=time,
                tz=tz,
                location=place,
                participants=tuple(participants.get(event_id, [])),
                location_parent=parent,
            )
        )
    return {
        title: FoundRelease(
            release_type=release_type,
            people=tuple(people.get(release_id, [])),
            places=tuple(places.get(release_id, [])),
            events=tuple(events.get(release_id, [])),
            place_surfaces={
                key: frozenset(texts) for key, texts in surfaces.get(release_id, {}).items()
            },
        )
        for release_id, title, release_type in rows["releases"]
    }


# ---------------------------------------------------------------- output


def pct(value: float | None) -> str:
    return "   -  " if value is None else f"{100 * value:5.1f}%"


def format_table(scores: Scores, header: str = "") -> str:
    """The readable summary table."""
    lines = [header] if header else []
    lines.append(
        f"{'kind':<12} {'req':>5} {'hit':>5} {'found':>6} {'ok':>5}  "
        f"{'prec':>6} {'recall':>6} {'F1':>6}"
    )
    for kind, s in scores.kinds.items():
        lines.append(
            f"{kind:<12} {s.required:>5} {s.recalled:>5} {s.found:>6} {s.correct:>5}  "
            f"{pct(s.precision)} {pct(s.recall)} {pct(s.f1)}"
        )
    for name, acc in (
        ("release type accuracy", scores.release_type),
        ("event type accuracy (matched events)", scores.event_type),
        ("country code accuracy (name-matched places)", scores.country_code),
    ):
        lines.append(f"{name:<44} {pct(acc.value)}  ({acc.correct}/{acc.total})")
    missed = sum(s.required - s.recalled for s in scores.kinds.values())
    verdict = "PASS" if scores.seed_rule_passed else "FAIL"
    lines.append(
        f"seed rule: {verdict}  (missed required: {missed}; extras {scores.extras}/{scores.found}"
        f", max {SEED_RULE_MAX_EXTRA_SHARE:.0%})"
    )
    for title in scores.missing_releases:
        lines.append(f"labelled release not in dump: {title}")
    for title in scores.unlabelled_releases:
        lines.append(f"release in dump without labels (not scored): {title}")
    return "\n".join(lines)


def format_details(scores: Scores) -> str:
    """Misses, extras and notes per release (``--verbose``)."""
    blocks = []
    for report in scores.releases:
        if not (report.misses or report.extras or report.notes):
            continue
        lines = [f"== {report.title}"]
        lines += [f"  MISS  {item}" for item in report.misses]
        lines += [f"  EXTRA {item}" for item in report.extras]
        lines += [f"  NOTE  {item}" for item in report.notes]
        blocks.append("\n".join(lines))
    return "\n".join(blocks) if blocks else "(no misses, extras or notes)"


def filter_releases(expected: dict[str, Any], only: str | None) -> dict[str, Any]:
    """Keep labelled releases whose title contains ``only`` (case-insensitive)."""
    if not only:
        return expected
    kept = [
        r for r in expected.get("releases") or [] if only.casefold() in str(r["title"]).casefold()
    ]
    return {**expected, "releases": kept}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--dump", type=Path, help="text dump (.txt); needs --expected")
    source.add_argument("--realset", type=Path, help="folder with releases.jsonl and expected.yaml")
    parser.add_argument("--expected", type=Path, help="labels (.expected.yaml)")
    parser.add_argument(
        "--fetched-on",
        type=date.fromisoformat,
        default=REALSET_FETCHED_ON,
        help=f"real set: the fetch day undated releases are read with ({REALSET_FETCHED_ON})",
    )
    parser.add_argument("--as-of", type=date.fromisoformat, help="default: the yaml's as_of")
    parser.add_argument("--json", action="store_true", help="machine-readable scores")
    parser.add_argument("--verbose", "-v", action="store_true", help="misses/extras per release")
    parser.add_argument("--only", help="score only labelled releases whose title contains this")
    parser.add_argument("--check", action="store_true", help="exit 1 when the seed rule fails")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.dump is not None and args.expected is None:
        print("error: --dump needs --expected FILE.expected.yaml", file=sys.stderr)
        return 2
    labels = args.expected or args.realset / "expected.yaml"
    inputs = args.dump or args.realset / "releases.jsonl"
    try:
        expected = load_expected(labels.read_text(encoding="utf-8"))
        input_text = inputs.read_text(encoding="utf-8")
    except (OSError, yaml.YAMLError) as exc:
        print(f"error: cannot read inputs: {exc}", file=sys.stderr)
        return 2
    as_of = args.fetched_on if args.realset else args.as_of or as_date(expected.get("as_of"))
    if as_of is None:
        print(f"error: {labels} has no as_of; pass --as-of YYYY-MM-DD", file=sys.stderr)
        return 2
    try:
        if args.realset:
            found, version = run_realset(input_text, as_of)
        else:
            found, version = run_extraction(input_text, as_of, str(args.dump))
    except ExtractorMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    expected = filter_releases(expected, args.only)
    if args.only:
        found = {t: f for t, f in found.items() if args.only.casefold() in t.casefold()}
    scores = score(expected, found)
    if args.json:
        print(
            json.dumps(
                {"extractor_version": version, "as_of": as_of.isoformat(), **scores.as_dict()},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        header = f"{inputs.name}  as_of={as_of}  extractor={version}"
        print(format_table(scores, header))
        if args.verbose:
            print()
            print(format_details(scores))
    return 1 if args.check and not scores.seed_rule_passed else 0


if __name__ == "__main__":
    sys.exit(main())
