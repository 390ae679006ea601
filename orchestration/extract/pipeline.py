"""extract_release / extract_many / extraction_rows: the public entry points."""

from __future__ import annotations

import itertools
import multiprocessing
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from datetime import date
from multiprocessing.pool import AsyncResult

from orchestration.extract.dates import find_dates
from orchestration.extract.events import build_events
from orchestration.extract.models import (
    EventMention,
    EventParticipant,
    LocationMention,
    PersonMention,
    ReleaseExtraction,
    ReleaseInput,
    fast_constructor,
)
from orchestration.extract.people import find_people, title_speakers
from orchestration.extract.places import find_places
from orchestration.extract.release_type import classify_release
from orchestration.extract.text import boilerplate_spans
from orchestration.extract.times import find_timed_lines

EXTRACTOR_VERSION = "1.5.0"
# Frozen dataclasses' ``__init__`` sets each field through ``object.__setattr__``; these
# fill the same fields directly (all arguments positional, in field order).
_new_person = fast_constructor(PersonMention)
_new_location = fast_constructor(LocationMention)
_new_event = fast_constructor(EventMention)
_new_participant = fast_constructor(EventParticipant)
# Below this many releases a process pool costs more than it saves.
MIN_PARALLEL_BATCH = 200
# Releases per task: big chunks keep the pool's messaging a small share of the work.
CHUNK_SIZE = 256
# Chunks queued per worker ahead of the consumer (bounds what is read ahead and held).
CHUNKS_IN_FLIGHT = 8
POLL_S = 0.5
# A release that walks every lazy cache (patterns, lexicons, automata, gazetteer) once.
_WARM_UP = ReleaseInput(
    "warm-up",
    "Secretary General visits Berlin",
    "On Tuesday, 7 November 2023, the NATO Secretary General, Mr Jens Stoltenberg, met the "
    "Chancellor of Germany, Olaf Scholz, in Berlin. Catherine De Bolle, Europol's Executive "
    "Director, said yesterday that police arrested 5 suspects in 2023.\n\n"
    "Media advisory\n\n13:30 (CET)     Joint press conference\n\nFor more information:",
    date(2023, 11, 8),
    "NATO",
)


def warm_up_in_background() -> threading.Thread:
    """Build what the extractor builds once per process (the gazetteer, its lexicons, the
    compiled patterns: ~0.8 s of CPU) in a daemon thread, started before a run fetches: a
    small batch (a new day) is extracted in this process and no longer waits for them.
    Only caches are filled, so a thread that has not finished costs the extraction nothing
    but a second build of what it was building."""
    thread = threading.Thread(
        target=extract_release, args=(_WARM_UP,), name="pressroom-extractor-warm-up", daemon=True
    )
    thread.start()
    return thread


def extract_release(release: ReleaseInput) -> ReleaseExtraction:
    """Extract people, places, events and the release type from one release (deterministic)."""
    body = release.body_text
    rid = release.release_id
    boilerplate = boilerplate_spans(body)
    release_type = classify_release(release.title, body, release.release_type_hint)

    speakers = title_speakers(release.title, release.source_name)
    persons = [
        _new_person(
            f"{rid}#p{n}",
            h.start,
            h.end,
            h.surface,
            h.full_name,
            h.honorific,
            h.title,
            h.organisation,
        )
        for n, h in enumerate(
            find_people(
                body,
                source_name=release.source_name,
                exclude=boilerplate,
                speakers=speakers,
            ),
            start=1,
        )
    ]
    exclude = [(p.start, p.end) for p in persons] + boilerplate
    locations = []
    for n, match in enumerate(find_places(body, title=release.title, exclude=exclude), start=1):
        place = match.place
        locations.append(
            _new_location(
                f"{rid}#l{n}",
                match.start,
                match.end,
                match.surface,
                place.place_id,
                place.name,
                place.kind,
                place.country_code,
                place.latitude,
                place.longitude,
                place.geonames_id,
                place.parent_id,
                place.parent_name,
                place.parent_kind,
            )
        )
    undated = not release.is_reference_published
    dates = find_dates(body, release.reference_date, undated=undated)
    hinted = release.metadata.get("event_dates") if release.metadata else None
    fallback = (
        next(iter(find_dates(hinted, release.reference_date, undated=undated)), None)
        if hinted
        else None
    )
    drafts = build_events(
        body,
        reference_date=release.reference_date,
        dates=dates,
        persons=persons,
        places=locations,
        timed=find_timed_lines(body),
        boilerplate=boilerplate,
        is_advisory=release_type == "media_advisory",
        fallback_date=fallback,
        title=release.title if speakers or release_type == "speech" else "",
        speakers=[s.full_name for s in speakers],
        undated=undated,
    )
    events, participants = [], []
    mentioned = {person.full_name for person in persons}
    for n, draft in enumerate(drafts, start=1):
        event_id = f"{rid}#e{n}"
        events.append(
            _new_event(
                event_id,
                draft.event_type,
                draft.description,
                draft.start_date,
                draft.end_date,
                draft.precision,
                draft.local_time,
                draft.timezone_label,
                draft.timezone_name,
                draft.starts_at_utc,
                draft.place.place_id if draft.place else None,
                draft.evidence.start,
                draft.evidence.end,
            )
        )
        for name, mention_id in draft.people:
            if mention_id is None and name not in mentioned:
                continue  # named only in the title: no span in the body to trace it to
            participants.append(
                _new_participant(
                    event_id,
                    mention_id,
                    name,
                    draft.roles.get(name, "participant"),
                    draft.evidence.start,
                    draft.evidence.end,
                )
            )
    return ReleaseExtraction(
        rid, release_type, release.reference_date, persons, locations, events, participants
    )


def extract_many(
    releases: Iterable[ReleaseInput], processes: int | None = None
) -> Iterator[ReleaseExtraction]:
    """Extract a stream of releases in input order, with a pool of workers for big batches.

    At most ``CHUNKS_IN_FLIGHT`` chunks per worker are queued ahead of the consumer: the
    workers keep extracting while the consumer writes what it got, and the stream is never
    read ahead further than that (``Pool.imap`` would read all of it into its queue)."""
    iterator = iter(releases)
    head = list(itertools.islice(iterator, MIN_PARALLEL_BATCH))
    if not processes or processes <= 1 or len(head) < MIN_PARALLEL_BATCH:
        yield from map(extract_release, itertools.chain(head, iterator))
        return
    # Workers are forked from a fork server (a fresh single-threaded process), never from
    # this one, which holds DuckDB and Dagster threads. The server builds the gazetteer and
    # every compiled pattern once (forkserver_warmup) and freezes its heap, so the workers
    # share those pages.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["orchestration.extract.forkserver_warmup"])
    chunks = _chunks(itertools.chain(head, iterator), CHUNK_SIZE)
    with context.Pool(processes) as pool:  # leaving it (also on a timeout) kills the workers
        pending: deque[AsyncResult] = deque()
        for chunk in chunks:
            pending.append(pool.apply_async(_extract_chunk, (chunk,)))
            if len(pending) >= processes * CHUNKS_IN_FLIGHT:
                yield from _polled(pending.popleft())
        while pending:
            yield from _polled(pending.popleft())


def _polled(task: AsyncResult) -> list[ReleaseExtraction]:
    """A task's result, polled rather than awaited: a step timeout can interrupt this thread
    only while it runs Python code, never inside a lock wait on a hung worker."""
    while True:
        try:
            return task.get(timeout=POLL_S)
        except multiprocessing.TimeoutError:
            continue


def _chunks(releases: Iterator[ReleaseInput], size: int) -> Iterator[list[ReleaseInput]]:
    while chunk := list(itertools.islice(releases, size)):
        yield chunk


def _extract_chunk(releases: list[ReleaseInput]) -> list[ReleaseExtraction]:
    """One pool task: a chunk of releases (big chunks keep messaging a small share)."""
    return [extract_release(release) for release in releases]


def extraction_rows(extraction: ReleaseExtraction) -> dict[str, list[dict]]:
    """Rows for the raw mention tables (without partition_date and extractor_version)."""
    rid = extraction.release_id
    person_rows = [
        {
            "mention_id": p.mention_id,
            "release_id": rid,
            "start": p.start,
            "end": p.end,
            "surface_text": p.surface_text,
            "full_name": p.full_name,
            "honorific": p.honorific,
            "title": p.title,
            "organisation": p.organisation,
        }
        for p in extraction.persons
    ]
    location_rows = [
        {
            "mention_id": m.mention_id,
            "release_id": rid,
            "start": m.start,
            "end": m.end,
            "surface_text": m.surface_text,
            "place_id": m.place_id,
            "place_name": m.place_name,
            "place_kind": m.place_kind,
            "country_code": m.country_code,
            "latitude": m.latitude,
            "longitude": m.longitude,
            "geonames_id": m.geonames_id,
            "parent_place_id": m.parent_place_id,
            "parent_place_name": m.parent_place_name,
            "parent_place_kind": m.parent_place_kind,
        }
        for m in extraction.locations
    ]
    event_rows = [
        {
            "event_mention_id": e.event_mention_id,
            "release_id": rid,
            "event_type": e.event_type,
            "description": e.description,
            "start_date": e.start_date,
            "end_date": e.end_date,
            "date_precision": e.date_precision,
            "local_time": e.local_time,
            "timezone_label": e.timezone_label,
            "timezone_name": e.timezone_name,
            "starts_at_utc": e.starts_at_utc,
            "place_id": e.place_id,
            "evidence_start": e.evidence_start,
            "evidence_end": e.evidence_end,
        }
        for e in extraction.events
    ]
    participant_rows = [
        {
            "event_mention_id": p.event_mention_id,
            "release_id": rid,
            "person_mention_id": p.person_mention_id,
            "full_name": p.full_name,
            "role": p.role,
            "evidence_start": p.evidence_start,
            "evidence_end": p.evidence_end,
        }
        for p in extraction.participants
    ]
    return {
        "release_annotations": [
            {
                "release_id": rid,
                "release_type": extraction.release_type,
                "reference_date": extraction.reference_date,
            }
        ],
        "person_mentions": person_rows,
        "location_mentions": location_rows,
        "event_mentions": event_rows,
        "event_participants": participant_rows,
    }
