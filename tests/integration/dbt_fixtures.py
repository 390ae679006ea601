"""A small, hand-written raw layer for the dbt integration tests, and a dbt runner.

The fixture is realistic on purpose: two versions of one release, the same person named
two ways (with/without honorific, with/without accents), the same press conference
reported by an advisory and by the later news item (two partitions), two different
people who share a surname, a lone surname, and NATO's change of Secretary General.

Spans are computed from the body text, so `body_text[start:end] == surface_text` holds as
in the real extractor's output.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from orchestration.warehouse.schema import ensure_raw_schema
from orchestration.window import Window

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
EXTRACTOR_VERSION = "test-1.0"


@dataclass
class Person:
    surface: str
    full_name: str
    honorific: str | None = None
    title: str | None = None
    organisation: str | None = None


@dataclass
class Place:
    surface: str
    place_id: str
    name: str
    kind: str
    country_code: str | None
    latitude: float | None = None
    longitude: float | None = None
    geonames_id: int | None = None
    parent: tuple[str, str, str] | None = None  # (place_id, name, kind)


@dataclass
class Event:
    event_type: str
    evidence: str
    start_date: date
    participants: list[tuple[str, str]] = field(default_factory=list)  # (person surface, role)
    end_date: date | None = None
    local_time: str | None = None
    timezone_label: str | None = None
    timezone_name: str | None = None
    starts_at_utc: datetime | None = None
    place_id: str | None = None
    description: str | None = None
    date_precision: str = "day"


@dataclass
class Release:
    release_id: str
    source: str
    source_name: str
    title: str
    body: str
    published_at: datetime | None
    partition_date: date
    release_type: str
    hint: str | None = None
    versions: int = 1
    is_truncated: bool = False
    people: list[Person] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


BERLIN = Place("Berlin", "geonames:2950159", "Berlin", "city", "DE", 52.52437, 13.41053, 2950159,
               ("country:DE", "Germany", "country"))
GERMANY = Place("Germany", "country:DE", "Germany", "country", "DE")
NATO_HQ = Place("NATO Headquarters", "venue:nato-headquarters", "NATO Headquarters", "venue", "BE",
                50.8796, 4.4262, None, ("geonames:2800866", "Brussels", "city"))
EUROPOL_HQ = Place("Europol headquarters", "venue:europol-headquarters", "Europol headquarters",
                   "venue", "NL", 52.0958, 4.3275, None, None)
SPAIN = Place("Spain", "country:ES", "Spain", "country", "ES")
PORTUGAL = Place("Portugal", "country:PT", "Portugal", "country", "PT")

R_ADVISORY = Release(
    release_id="nato:news_219001",
    source="nato", source_name="NATO",
    title="NATO Secretary General to visit Berlin, Germany",
    body=(
        "NATO Secretary General Jens Stoltenberg will visit Berlin, Germany on Thursday, "
        "9 November 2023.\n\nThe Secretary General will meet with Chancellor Olaf Scholz. "
        "Joint press conference by the NATO Secretary General and the German Chancellor "
        "at 13:30 CET."
    ),
    published_at=datetime(2023, 11, 7, 10, 0), partition_date=date(2023, 11, 7),
    release_type="media_advisory", hint="Media advisory", versions=2,
    people=[
        Person("Jens Stoltenberg", "Jens Stoltenberg", None, "Secretary General", "NATO"),
        Person("Olaf Scholz", "Olaf Scholz", None, "Chancellor", "Germany"),
    ],
    places=[BERLIN, GERMANY],
    events=[
        Event("press_conference", "Joint press conference", date(2023, 11, 9),
              [("Jens Stoltenberg", "host"), ("Olaf Scholz", "guest")],
              local_time="13:30", timezone_label="CET", timezone_name="Europe/Berlin",
              starts_at_utc=datetime(2023, 11, 9, 12, 30), place_id=BERLIN.place_id,
              description="Joint press conference with the German Chancellor"),
    ],
)

R_NEWS = Release(
    release_id="nato:news_219050",
    source="nato", source_name="NATO",
    title="Secretary General in Berlin: Allies must keep supporting Ukraine",
    body=(
        "Mr Stoltenberg met Chancellor Olaf Scholz in Berlin on Thursday (9 November 2023). "
        "At a press conference, Jens Stoltenberg said that Putin must not win."
    ),
    published_at=datetime(2023, 11, 9, 18, 15), partition_date=date(2023, 11, 9),
    release_type="news", hint="news",
    people=[
        Person("Mr Stoltenberg", "Jens Stoltenberg", "Mr", "Secretary General", "NATO"),
        Person("Olaf Scholz", "Olaf Scholz", None, "Chancellor", "Germany"),
        Person("Putin", "Putin"),
    ],
    places=[BERLIN],
    events=[
        Event("press_conference", "At a press conference", date(2023, 11, 9),
              [("Mr Stoltenberg", "speaker"), ("Olaf Scholz", "participant")],
              place_id=BERLIN.place_id),
    ],
)

R_EUROPOL = Release(
    release_id="europol:media-press/newsroom/news/operation-blue-tide",
    source="europol", source_name="Europol",
    title="Operation Blue Tide: 14 arrests across Spain and Portugal",
    body=(
        "Europol Executive Director Catherine De Bolle welcomed the results of the operation "
        "coordinated from the Europol headquarters. Officers in Spain and Portugal arrested "
        "14 suspects on 6 November 2023 in a joint action day…"
    ),
    published_at=datetime(2023, 11, 6, 20, 0), partition_date=date(2023, 11, 6),
    release_type="news", hint=None, is_truncated=True,
    people=[Person("Catherine De Bolle", "Catherine De Bolle", None, "Executive Director",
                   "Europol")],
    places=[EUROPOL_HQ, SPAIN, PORTUGAL],
    events=[
        Event("operation", "joint action day", date(2023, 11, 6), [], place_id=SPAIN.place_id,
              description="Joint action day against drug trafficking"),
    ],
)

# a second institution reports the same operation the next day: one event, two releases
R_EUROJUST = Release(
    release_id="eurojust:news/joint-action-day-spain-portugal",
    source="eurojust", source_name="Eurojust",
    title="Eurojust supports action day against drug traffickers",
    body="Eurojust supported the joint action day on 6 November 2023 in Spain and Portugal.",
    published_at=datetime(2023, 11, 7, 10, 0), partition_date=date(2023, 11, 7),
    release_type="press_release", hint="Press release",
    places=[SPAIN, PORTUGAL],
    events=[Event("operation", "joint action day", date(2023, 11, 6), [], place_id=SPAIN.place_id)],
)

R_HUNGARY = Release(
    release_id="nato:news_219020",
    source="nato", source_name="NATO",
    title="NATO Secretary General meets with the President of Hungary",
    body=(
        "The NATO Secretary General, Jens Stoltenberg, will meet with the President of Hungary, "
        "Ms Katalin Novák, at NATO Headquarters on Wednesday, 8 November 2023. German Defence "
        "Minister Anna Schmidt and EU official Peter Schmidt will also attend the meeting."
    ),
    published_at=datetime(2023, 11, 7, 16, 0), partition_date=date(2023, 11, 7),
    release_type="media_advisory", hint="Media advisory",
    people=[
        Person("Jens Stoltenberg", "Jens Stoltenberg", None, "Secretary General", "NATO"),
        Person("Ms Katalin Novák", "Katalin Novák", "Ms", "President", "Hungary"),
        Person("Anna Schmidt", "Anna Schmidt", None, "Defence Minister", "Germany"),
        Person("Peter Schmidt", "Peter Schmidt", None, "Official", "European Union"),
    ],
    places=[NATO_HQ],
    events=[
        Event("meeting", "will meet with the President of Hungary", date(2023, 11, 8),
              [("Jens Stoltenberg", "host"), ("Ms Katalin Novák", "guest"),
               ("Anna Schmidt", "participant"), ("Peter Schmidt", "participant")],
              place_id=NATO_HQ.place_id),
    ],
)

R_NOVAK_LATER = Release(
    release_id="nato:news_224000",
    source="nato", source_name="NATO",
    title="Secretary General welcomes Hungarian President",
    body="NATO Secretary General Mark Rutte met Katalin Novak, the President of Hungary, "
         "on 16 October 2024.",
    published_at=datetime(2024, 10, 16, 12, 0), partition_date=date(2024, 10, 16),
    release_type="news", hint="news",
    people=[
        Person("Mark Rutte", "Mark Rutte", None, "Secretary General", "NATO"),
        Person("Katalin Novak", "Katalin Novak", None, "President", "Hungary"),
    ],
    events=[
        Event("meeting", "met Katalin Novak", date(2024, 10, 16),
              [("Mark Rutte", "host"), ("Katalin Novak", "guest")]),
    ],
)

R_RUTTE_PM = Release(
    release_id="nato:news_223500",
    source="nato", source_name="NATO",
    title="Secretary General meets Dutch Prime Minister",
    body="NATO Secretary General Jens Stoltenberg met the Prime Minister of the Netherlands, "
         "Mark Rutte, at NATO Headquarters on 20 May 2024.",
    published_at=datetime(2024, 5, 20, 14, 0), partition_date=date(2024, 5, 20),
    release_type="news", hint="news",
    people=[
        Person("Jens Stoltenberg", "Jens Stoltenberg", None, "Secretary General", "NATO"),
        Person("Mark Rutte", "Mark Rutte", None, "Prime Minister", "Netherlands"),
    ],
    places=[NATO_HQ],
    events=[
        Event("meeting", "met the Prime Minister", date(2024, 5, 20),
              [("Jens Stoltenberg", "host"), ("Mark Rutte", "guest")], place_id=NATO_HQ.place_id),
    ],
)

R_LONE_RUTTE = Release(
    release_id="nato:news_224100",
    source="nato", source_name="NATO",
    title="Allies discuss defence production",
    body="Allies discussed defence production on 1 November 2024. Rutte called for more "
         "investment.",
    published_at=datetime(2024, 11, 1, 9, 0), partition_date=date(2024, 11, 1),
    release_type="press_release", hint="Press Release (2024) 150",
    people=[Person("Rutte", "Rutte")],
)

# loaded first; the rest arrive later and are processed incrementally
BATCH_1 = [R_ADVISORY, R_EUROPOL, R_EUROJUST, R_HUNGARY, R_LONE_RUTTE]
BATCH_2 = [R_NEWS, R_RUTTE_PM, R_NOVAK_LATER]
ALL_RELEASES = BATCH_1 + BATCH_2
BATCH_2_WINDOW = Window.of_days(date(2023, 11, 9), date(2024, 10, 16))

# resolution cases (issue #10), arriving in a third incremental run:
# - the news item again, through a text dump (no date, as-of 22 Nov): the same release, a
#   sighting; its mentions and events must not count twice
R_NEWS_DUMP_COPY = dataclasses.replace(
    R_NEWS, release_id="nato:dump-5b1c0e7a9d2f4e61", published_at=None,
    partition_date=date(2023, 11, 22), hint=None)
# - a lone two-word surname: Catherine De Bolle, not a second person
R_DE_BOLLE = Release(
    release_id="europol:media-press/newsroom/news/de-bolle-opens-conference",
    source="europol", source_name="Europol",
    title="Europol hosts conference on cybercrime",
    body="The conference was opened on 20 November 2023 by De Bolle, who called for "
         "stronger cooperation.",
    published_at=datetime(2023, 11, 20, 9, 0), partition_date=date(2023, 11, 20),
    release_type="news", hint=None,
    people=[Person("De Bolle", "De Bolle", None, "Executive Director", "Europol")],
)
# - one agenda with two timed items the same day (never one event), and another
#   institution's untimed press conference that day (nothing ties it to either)
R_COUNCIL_AGENDA = Release(
    release_id="council_of_the_eu:dump-0c72bf3154d372b9",
    source="council_of_the_eu", source_name="Council of the EU",
    title="Media advisory – Justice and Home Affairs Council, 27 November",
    body="08:30 Arrivals and doorstep\n\n16:30 Press conference in live streaming",
    published_at=None, partition_date=date(2023, 11, 27),
    release_type="media_advisory", hint="Media advisory",
    events=[
        Event("press_conference", "Arrivals and doorstep", date(2023, 11, 27),
              local_time="08:30", description="Arrivals and doorstep"),
        Event("press_conference", "Press conference in live streaming", date(2023, 11, 27),
              local_time="16:30", description="Press conference in live streaming"),
    ],
)
R_OTHER_PRESS_CONFERENCE = Release(
    release_id="nato:opinions_219976",
    source="nato", source_name="NATO",
    title="Pre-ministerial press conference",
    body="Press conference by the Secretary General on 27 November 2023.",
    published_at=datetime(2023, 11, 27, 15, 0), partition_date=date(2023, 11, 27),
    release_type="speech", hint="Speech",
    events=[Event("press_conference", "Press conference", date(2023, 11, 27),
                  description="Press conference by the Secretary General")],
)
RESOLUTION_CASES = [R_NEWS_DUMP_COPY, R_DE_BOLLE, R_COUNCIL_AGENDA, R_OTHER_PRESS_CONFERENCE]
RESOLUTION_WINDOW = Window.of_days(date(2023, 11, 20), date(2023, 11, 27))

# then the extractor re-reads the Europol release (partition 2023-11-06) and now dates the
# operation 7 November: it must split from the Eurojust report instead of dragging it along
R_EUROPOL_REEXTRACTED = dataclasses.replace(
    R_EUROPOL, events=[dataclasses.replace(R_EUROPOL.events[0], start_date=date(2023, 11, 7))])
REEXTRACTION_WINDOW = Window.of_days(date(2023, 11, 6), date(2023, 11, 6))


def _span(body: str, surface: str) -> tuple[int, int]:
    start = body.find(surface)
    if start < 0:
        raise ValueError(f"{surface!r} not in body")
    return start, start + len(surface)


def release_rows(release: Release) -> dict[str, list[tuple]]:
    """Raw rows of one release, keyed by raw table name."""
    rows: dict[str, list[tuple]] = {name: [] for name in (
        "releases", "release_annotations", "person_mentions", "location_mentions",
        "event_mentions", "event_participants")}
    native_id = release.release_id.split(":", 1)[1]
    for version in range(1, release.versions + 1):
        # older versions had a shorter body (the advisory was updated with the time)
        body = release.body if version == release.versions else release.body.split("\n\n")[0]
        fetched = (release.published_at or datetime(2023, 11, 8)).replace(hour=20, minute=version)
        rows["releases"].append((
            release.release_id, version, release.source, release.source_name, native_id,
            f"https://example.org/{native_id}", release.title, None, body, release.published_at,
            release.partition_date, release.is_truncated, "en", release.hint, "{}",
            f"hash-{native_id}-{version}", fetched, None,
        ))
        rows["release_annotations"].append((
            release.release_id, version, release.release_type, release.partition_date,
            release.partition_date, EXTRACTOR_VERSION,
        ))
    body = release.body
    mention_ids: dict[str, str] = {}
    for number, person in enumerate(release.people, start=1):
        start, end = _span(body, person.surface)
        mention_id = f"{release.release_id}#p{number}"
        mention_ids[person.surface] = mention_id
        rows["person_mentions"].append((
            mention_id, release.release_id, start, end, person.surface, person.full_name,
            person.honorific, person.title, person.organisation, release.partition_date,
            EXTRACTOR_VERSION,
        ))
    for number, place in enumerate(release.places, start=1):
        start, end = _span(body, place.surface)
        parent = place.parent or (None, None, None)
        rows["location_mentions"].append((
            f"{release.release_id}#l{number}", release.release_id, start, end, place.surface,
            place.place_id, place.name, place.kind, place.country_code, place.latitude,
            place.longitude, place.geonames_id, *parent, release.partition_date, EXTRACTOR_VERSION,
        ))
    for number, event in enumerate(release.events, start=1):
        start, end = _span(body, event.evidence)
        event_mention_id = f"{release.release_id}#e{number}"
        rows["event_mentions"].append((
            event_mention_id, release.release_id, event.event_type, event.description,
            event.start_date, event.end_date, event.date_precision, event.local_time,
            event.timezone_label, event.timezone_name, event.starts_at_utc, event.place_id,
            start, end, release.partition_date, EXTRACTOR_VERSION,
        ))
        for surface, role in event.participants:
            person = next(p for p in release.people if p.surface == surface)
            p_start, p_end = _span(body, surface)
            rows["event_participants"].append((
                event_mention_id, release.release_id, mention_ids[surface], person.full_name,
                role, p_start, p_end, release.partition_date, EXTRACTOR_VERSION,
            ))
    return rows


def load_releases(db_path: Path, releases: list[Release]) -> None:
    """Create the raw schema (idempotent) and replace the given releases' rows."""
    conn = duckdb.connect(str(db_path))
    try:
        ensure_raw_schema(conn)
        for release in releases:
            for table, rows in release_rows(release).items():
                conn.execute(f"delete from raw.{table} where release_id = ?", [release.release_id])
                if rows:
                    placeholders = ", ".join("?" * len(rows[0]))
                    conn.executemany(f"insert into raw.{table} values ({placeholders})", rows)
    finally:
        conn.close()


@contextlib.contextmanager
def _environ(values: dict[str, str]):
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _release_duckdb() -> None:
    """dbt-duckdb keeps its DuckDB instance open in-process after a run; close it so the
    test (and the next dbt run) can open the file, read-only or not."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        with contextlib.suppress(Exception):
            environment.close()
    DuckDBConnectionManager.close_all_connections()


def run_dbt(db_path: Path, work_dir: Path, *args: str, window: Window | None = None,
            check: bool = True, profiles_dir: Path = DBT_PROJECT_DIR):
    """Run dbt in-process against `db_path`, for ``window`` (none: every day) as the pipeline
    passes it (`Window.dbt_args`); raise with dbt's own message when it fails (unless
    ``check`` is false: then the caller reads the result). ``profiles_dir``: another
    profiles.yml (e.g. a smaller pool)."""
    from dbt.cli.main import dbtRunner

    env = {
        "PRESSROOM_DUCKDB_PATH": str(db_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    cli_args = [
        *args,
        *(window.dbt_args() if window else []),
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(profiles_dir),
        "--target-path", str(work_dir / "target"),
        "--log-path", str(work_dir / "logs"),
        "--quiet",
    ]
    with _environ(env):
        try:
            result = dbtRunner().invoke(cli_args)
        finally:
            _release_duckdb()
    if check and not result.success:
        failures = []
        for node_result in getattr(result.result, "results", None) or []:
            if str(node_result.status) not in ("success", "pass", "warn"):
                failures.append(f"{node_result.node.unique_id}: {node_result.status}: "
                                f"{node_result.message}")
        raise AssertionError(f"dbt {' '.join(args)} failed: {result.exception}\n"
                             + "\n".join(failures))
    return result


def mart_rows(db_path: Path, table: str, order_by: str) -> list[tuple]:
    conn = duckdb.connect(str(db_path), read_only=True)
    try:
        return conn.execute(f"select * from marts.{table} order by {order_by}").fetchall()
    finally:
        conn.close()
