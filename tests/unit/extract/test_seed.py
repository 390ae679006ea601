"""The shared seed dump: every required person, location and event is found."""

from pathlib import Path

import pytest
import yaml

from orchestration.extract import ReleaseInput, extract_release
from orchestration.extract.gazetteer import fold
from orchestration.sources.dump import parse_dump

REPO = Path(__file__).resolve().parents[3]
SEEDS = REPO / ".." / "shared" / "seeds"
SEED = SEEDS / "000_921cdd6db4130189.txt"
EXPECTED = SEEDS / "000_921cdd6db4130189.expected.yaml"

pytestmark = pytest.mark.skipif(
    not SEED.exists(), reason=f"shared seed not present at {SEEDS.resolve()}"
)


@pytest.fixture(scope="module")
def results():
    expected = yaml.safe_load(EXPECTED.read_text(encoding="utf-8"))
    as_of = expected["as_of"]
    parsed = parse_dump(
        SEED.read_text(encoding="utf-8"),
        as_of=as_of,
        known_sources={"nato": "NATO", "europol": "Europol"},
    )
    by_title = {}
    for r in parsed.releases:
        by_title[r.title] = extract_release(
            ReleaseInput(
                r.release_id,
                r.title,
                r.body_text,
                as_of,
                r.source_name,
                is_truncated=r.is_truncated,
            )
        )
    return expected, by_title


def _code(value: object) -> str | None:
    """YAML 1.1 reads the ISO code ``NO`` (Norway) as False."""
    return "NO" if value is False else value  # type: ignore[return-value]


def _key(name: str) -> str:
    return fold(name).casefold()


def test_required_people(results):
    expected, by_title = results
    for release in expected["releases"]:
        found = {_key(p.full_name) for p in by_title[release["title"]].persons}
        for person in release["people"].get("required", []):
            assert _key(person["name"]) in found, (release["title"], person)


def test_required_locations(results):
    expected, by_title = results
    for release in expected["releases"]:
        found = {(_key(m.place_name), m.country_code) for m in by_title[release["title"]].locations}
        for place in release["locations"].get("required", []):
            assert (_key(place["name"]), _code(place["country"])) in found, (
                release["title"],
                place,
            )


def test_required_events(results):
    expected, by_title = results
    for release in expected["releases"]:
        events = by_title[release["title"]].events
        for wanted in release["events"].get("required", []):
            matches = [
                e
                for e in events
                if e.start_date == wanted["start_date"]
                and e.end_date == wanted.get("end_date")
                and ("time" not in wanted or e.local_time == wanted["time"])
            ]
            assert matches, (release["title"], wanted)


def test_release_types(results):
    expected, by_title = results
    for release in expected["releases"]:
        assert by_title[release["title"]].release_type == release["release_type"], release["title"]
