"""Records that the extraction layer takes and returns (plain, frozen where possible)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import TypeVar

_T = TypeVar("_T")


def fast_constructor(cls: type[_T]) -> Callable[..., _T]:
    """A constructor taking every field of the dataclass ``cls`` positionally that fills the
    instance dict directly: a frozen dataclass's ``__init__`` pays an
    ``object.__setattr__`` call per field. The instance is equal to (and has the same dict,
    in the same order, as) the one ``cls(...)`` makes; ``cls`` must have no
    ``__post_init__``."""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    stores = "".join(f"    d[{name!r}] = {name}\n" for name in names)
    source = (
        f"def make({', '.join(names)}):\n    o = new(cls)\n    d = o.__dict__\n{stores}"
        "    return o\n"
    )
    namespace: dict[str, object] = {"new": object.__new__, "cls": cls}
    exec(source, namespace)  # field names of our own dataclasses: nothing from input
    make = namespace["make"]
    make.__qualname__ = f"fast_constructor.<{cls.__name__}>"  # type: ignore[attr-defined]
    return make  # type: ignore[return-value]


@dataclass(frozen=True)
class ReleaseInput:
    """One release as the extractor sees it; spans index ``body_text``.

    ``reference_date`` is the publication day, or the fetch day when the source gives no
    date (``is_reference_published`` False): then it only bounds past happenings.
    """

    release_id: str
    title: str
    body_text: str
    reference_date: date
    source_name: str = ""
    release_type_hint: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    is_truncated: bool = False
    is_reference_published: bool = True


@dataclass(frozen=True)
class PersonMention:
    """A person named in the body; ``full_name`` is resolved within the release."""

    mention_id: str
    start: int
    end: int
    surface_text: str
    full_name: str
    honorific: str | None = None
    title: str | None = None
    organisation: str | None = None


@dataclass(frozen=True)
class LocationMention:
    """A place named in the body, resolved against the gazetteer."""

    mention_id: str
    start: int
    end: int
    surface_text: str
    place_id: str
    place_name: str
    place_kind: str
    country_code: str | None
    latitude: float | None
    longitude: float | None
    geonames_id: int | None
    parent_place_id: str | None
    parent_place_name: str | None
    parent_place_kind: str | None


@dataclass(frozen=True)
class EventMention:
    """One happening with a date; times are local as written plus UTC when resolvable."""

    event_mention_id: str
    event_type: str
    description: str
    start_date: date
    end_date: date | None
    date_precision: str
    local_time: str | None
    timezone_label: str | None
    timezone_name: str | None
    starts_at_utc: datetime | None
    place_id: str | None
    evidence_start: int
    evidence_end: int


@dataclass(frozen=True)
class EventParticipant:
    """A person taking part in an event, linked to a person mention where there is one."""

    event_mention_id: str
    person_mention_id: str | None
    full_name: str
    role: str
    evidence_start: int
    evidence_end: int


@dataclass
class ReleaseExtraction:
    """Everything extracted from one release."""

    release_id: str
    release_type: str
    reference_date: date
    persons: list[PersonMention] = field(default_factory=list)
    locations: list[LocationMention] = field(default_factory=list)
    events: list[EventMention] = field(default_factory=list)
    participants: list[EventParticipant] = field(default_factory=list)
