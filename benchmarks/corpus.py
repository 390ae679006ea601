"""A deterministic archive of synthetic press releases in a real feed format, served on loopback.

    .venv/bin/python benchmarks/corpus.py --releases 100000 --years 20 --out /tmp/corpus

Releases are spread over ``years`` calendar years ending with ``end_year`` (every day of a
dense archive, a few scattered days of a sparse one) and written as Atom feeds with the full
text in ``<content type="html">`` (the Frontex format), ``per_feed`` entries each, oldest
first: one source per feed, as an institution's archive split into pages. The same
arguments always give byte-identical files. :func:`serve` answers them on 127.0.0.1 and
writes the matching sources file.
"""

from __future__ import annotations

import argparse
import functools
import html
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PEOPLE = [
    ("Mr", "Aleksander Novak", "Minister of Defence", "Poland"),
    ("Ms", "Ingrid van der Meer", "Minister of Foreign Affairs", "the Netherlands"),
    ("Dr", "Tomás Ferreira", "Prime Minister", "Portugal"),
    ("Mrs", "Elena Popescu", "President", "Romania"),
    ("Mr", "Jonas Petrauskas", "Defence Minister", "Lithuania"),
    ("Ms", "Hanna Lindqvist", "Chancellor", "Austria"),
]
CITIES = [
    ("Warsaw", "Poland"),
    ("Lisbon", "Portugal"),
    ("Bucharest", "Romania"),
    ("Vilnius", "Lithuania"),
    ("Vienna", "Austria"),
    ("Madrid", "Spain"),
    ("Oslo", "Norway"),
    ("Tallinn", "Estonia"),
]
FILLER = [
    "Allies discussed the security situation and the need to strengthen deterrence and defence.",
    "The discussions focused on resilience, innovation and support for partners.",
    "Investigators exchanged information through secure channels throughout the investigation.",
    "The meeting addressed hybrid threats, critical infrastructure and energy security.",
    "Participants agreed to continue close cooperation in the months ahead.",
    "The authorities seized cash, vehicles, firearms and electronic equipment worth millions.",
    "Experts from several countries shared best practices and lessons learned.",
    "Financial investigators traced the proceeds through a network of shell companies.",
]
PER_FEED = 5000


@dataclass(frozen=True)
class Release:
    number: int
    published_at: datetime
    title: str
    paragraphs: tuple[str, ...]


def _days(count: int, years: int, end_year: int, rng: random.Random) -> list[date]:
    """Publication days, oldest first: every day when releases outnumber days, else a sorted
    random sample of days (a sparse archive)."""
    first, last = date(end_year - years + 1, 1, 1), date(end_year, 12, 31)
    span = (last - first).days + 1
    if count >= span:
        return [first + timedelta(days=index * span // count) for index in range(count)]
    return [first + timedelta(days=offset) for offset in sorted(rng.sample(range(span), count))]


def _paragraphs(rng: random.Random, day: date) -> tuple[str, ...]:
    hon, name, title, country = rng.choice(PEOPLE)
    city, city_country = rng.choice(CITIES)
    event_day = day + timedelta(days=rng.randint(0, 10))
    when = f"{event_day.day} {event_day:%B} {event_day.year}"
    kind = rng.randrange(3)
    if kind == 0:
        parts = [
            f"The Secretary General, Mr Mark Rutte, will visit {city}, {city_country} on "
            f"{when}. He will meet the {title} of {country}, {hon} {name}, and deliver "
            "remarks at a security conference."
        ]
    elif kind == 1:
        parts = [
            f"During an action day on {when}, law enforcement authorities in "
            f"{city_country} arrested {rng.randint(2, 40)} suspects in {city}.",
            "Catherine De Bolle, Europol's Executive Director, said the operation showed "
            f"the value of cooperation with {country}.",
        ]
    else:
        parts = [
            f"Addressing the annual forum in {city} on {when}, the Secretary General "
            f"said that Allies stand united. {name.split()[-1]} agreed."
        ]
    words, target = sum(len(part.split()) for part in parts), rng.randint(150, 600)
    while words < target:
        sentence = " ".join(rng.choice(FILLER) for _ in range(3))
        parts.append(sentence)
        words += len(sentence.split())
    return tuple(parts)


def releases(count: int, years: int, end_year: int = 2025, seed: int = 9) -> Iterator[Release]:
    """``count`` releases over ``years`` years, oldest first; the same for the same arguments."""
    rng = random.Random(seed)
    for number, day in enumerate(_days(count, years, end_year, rng)):
        at = datetime(day.year, day.month, day.day, 6 + number % 12, number % 60, tzinfo=UTC)
        yield Release(
            number,
            at,
            f"Release {number}: cooperation in {rng.choice(CITIES)[0]}",
            _paragraphs(rng, day),
        )


def _entry(release: Release, base_url: str) -> str:
    link = f"{base_url}/news/release-{release.number}"
    content = html.escape("".join(f"<p>{paragraph}</p>" for paragraph in release.paragraphs))
    stamp = release.published_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"<entry><title>{html.escape(release.title)}</title>"
        f'<link href="{link}" rel="alternate" type="text/html"/><id>{link}</id>'
        f"<published>{stamp}</published><updated>{stamp}</updated>"
        f"<summary>{html.escape(release.paragraphs[0][:200])}</summary>"
        f'<content type="html">{content}</content></entry>\n'
    )


def write_corpus(
    root: Path,
    count: int,
    years: int,
    *,
    end_year: int = 2025,
    per_feed: int = PER_FEED,
    seed: int = 9,
) -> list[str]:
    """Write ``feeds/archive_NNN.xml`` under ``root``; return the feed names (oldest first).

    Links are written relative to a placeholder host, so the files do not depend on the port
    they are later served from.
    """
    folder = root / "feeds"
    folder.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    stream = releases(count, years, end_year, seed)
    while True:
        chunk = [release for _, release in zip(range(per_feed), stream, strict=False)]
        if not chunk:
            return names
        name = f"archive_{len(names) + 1:03d}"
        newest = chunk[-1].published_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        with (folder / f"{name}.xml").open("w", encoding="utf-8") as out:
            out.write(
                '<?xml version="1.0" encoding="utf-8"?>\n'
                '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">'
                f"<title>Archive {name}</title><id>urn:pressroom:{name}</id>"
                f"<updated>{newest}</updated>\n"
            )
            for release in reversed(chunk):  # a feed lists the newest entry first
                out.write(_entry(release, "https://archive.example.org"))
            out.write("</feed>\n")
        names.append(name)


def write_new_day(
    root: Path, count: int, end_year: int = 2025, *, per_day: int = 15, seed: int = 11
) -> str:
    """``feeds/live.xml``: ``per_day`` new releases on the archive's last day (inside its last
    yearly partition), numbered after the archive's ``count``. Returns the feed name."""
    rng = random.Random(seed)
    day = date(end_year, 12, 31)
    chunk = [
        Release(
            count + index,
            datetime(day.year, day.month, day.day, 8, index, tzinfo=UTC),
            f"Release {count + index}: new today",
            _paragraphs(rng, day),
        )
        for index in range(per_day)
    ]
    (root / "feeds").mkdir(parents=True, exist_ok=True)
    with (root / "feeds" / "live.xml").open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">'
            f"<title>Live</title><id>urn:pressroom:live</id>"
            f"<updated>{day.isoformat()}T09:00:00Z</updated>\n"
        )
        for release in reversed(chunk):
            out.write(_entry(release, "https://archive.example.org"))
        out.write("</feed>\n")
    return "live"


def write_records(
    root: Path, count: int, years: int, *, end_year: int = 2025, seed: int = 9
) -> Path:
    """The same releases as newline-delimited JSON (what DuckDB's ``read_json`` loads)."""
    import json

    path = root / "records.ndjson"
    with path.open("w", encoding="utf-8") as out:
        for release in releases(count, years, end_year, seed):
            out.write(
                json.dumps(
                    {
                        "release_id": f"archive:{release.number}",
                        "title": release.title,
                        "published_at": release.published_at.isoformat(),
                        "body_text": "\n\n".join(release.paragraphs),
                    }
                )
                + "\n"
            )
    return path


def sources_yaml(
    names: list[str], port: int, *, enabled: bool = True, live: str | None = None
) -> str:
    """A sources file reading every feed from 127.0.0.1:``port`` (archive feeds disabled but
    still configured when ``enabled`` is False: their kept releases stay rebuildable)."""
    lines = ["sources:"]
    for name in [*names, *([live] if live else [])]:
        on = enabled or name == live
        lines += [
            f"  - name: {name}",
            f"    display_name: Archive {name[-3:]}",
            f"    enabled: {'true' if on else 'false'}",
            "    kind: atom",
            f"    base_url: http://127.0.0.1:{port}",
            f"    feed_url: /feeds/{name}.xml",
            "    expected_period_days: 3650",
            "    http: {max_bytes: 200000000, deadline_s: 600, read_timeout_s: 120}",
            "    rate_limit: {min_interval_s: 0.2}",
        ]
    return "\n".join(lines) + "\n"


def replay_sources(root: Path, names: list[str]) -> Path:
    """The same feeds as a recorded fetch (``fetches/01``) and a sources file replaying it:
    for code that cannot fetch from loopback (the baseline)."""
    fetch = root / "fetches" / "01"
    for name in names:
        folder = fetch / name
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / "feed.xml"
        if not target.exists():
            target.symlink_to(root / "feeds" / f"{name}.xml")
        (folder / "index.yaml").write_text(
            "responses:\n"
            f"  - {{url: 'https://archive.example.org/feeds/{name}.xml', file: feed.xml, "
            "status: 200, content_type: application/atom+xml}\n",
            encoding="utf-8",
        )
    (fetch / "fetch.yaml").write_text('fetched_at: "2026-01-02T06:00:00Z"\n', encoding="utf-8")
    lines = ["replay_dir: fetches", "sources:"]
    for name in names:
        lines += [
            f"  - name: {name}",
            f"    display_name: Archive {name[-3:]}",
            "    kind: atom",
            "    base_url: https://archive.example.org",
            f"    feed_url: /feeds/{name}.xml",
            "    expected_period_days: 3650",
        ]
    path = root / "replay_sources.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def serve(root: Path) -> Iterator[int]:
    """Serve ``root`` on 127.0.0.1 (a free port) for the ``with`` block; yields the port."""
    handler = functools.partial(_Quiet, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, required=True)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--end-year", type=int, default=2025)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    names = write_corpus(args.out, args.releases, args.years, end_year=args.end_year)
    print(f"{len(names)} feeds in {args.out / 'feeds'}")


if __name__ == "__main__":
    main()
