"""Author the Great Expectations suites: writes expectations/suites/<name>.json.

The suites are code-reviewed as this script and committed as its JSON output. Run it after any
change and commit both; ``--check`` exits 1 when the committed JSON differs (CI and
tests/integration/test_gx_suites.py assert they are equal).

    .venv/bin/python scripts/author_expectations.py          # regenerate
    .venv/bin/python scripts/author_expectations.py --check  # verify, write nothing
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pycountry

SUITES_DIR = Path(__file__).resolve().parents[1] / "expectations" / "suites"

# Enumerations of the warehouse contract (docs/contract.md, docs/architecture.md).
RELEASE_TYPES = ["media_advisory", "press_release", "statement", "news", "speech", "other"]
EVENT_TYPES = ["visit", "meeting", "press_conference", "speech", "conference", "ceremony",
               "operation", "arrest", "other"]
DATE_PRECISIONS = ["day", "month", "year"]
ROLES = ["host", "guest", "speaker", "participant"]
PLACE_KINDS = ["city", "country", "region", "venue"]
# ISO 3166-1 alpha-2 from pycountry, plus Kosovo's user-assigned XK. A snapshot: a pycountry
# upgrade that changes the list shows up as a diff in the committed JSON.
COUNTRY_CODES = sorted({country.alpha_2 for country in pycountry.countries} | {"XK"})
YEARS = (1000, 2999)  # historic dates are data (the 1949 treaty); year 1 or 9999 is not
BODY_LENGTH = (1, 1_000_000)
NON_BLANK = r"\S"
SOURCE_KEY = r"^[a-z][a-z0-9_]{0,62}$"
LOCAL_TIME = r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$"


def expect(kind: str, notes: str, **kwargs: object) -> dict:
    """One expectation as GX 1.x JSON: type, kwargs, and a note saying why it exists."""
    return {"type": f"expect_{kind}", "kwargs": kwargs, "meta": {"notes": notes}}


def not_null(column: str) -> dict:
    return expect("column_values_to_not_be_null", f"{column} is always present", column=column)


def unique(column: str) -> dict:
    return expect("column_values_to_be_unique", f"{column} is a key", column=column)


def key(column: str) -> list[dict]:
    return [not_null(column), unique(column)]


def in_set(column: str, values: object, notes: str) -> dict:
    return expect("column_values_to_be_in_set", notes, column=column, value_set=values)


def true(column: str, notes: str) -> list[dict]:
    """A boolean helper column computed before validation (orchestration/quality/frames.py)."""
    return [not_null(column), in_set(column, [True], notes)]


def between(column: str, low: float, high: float, notes: str) -> dict:
    return expect("column_values_to_be_between", notes, column=column,
                  min_value=low, max_value=high)


def non_blank(column: str) -> list[dict]:
    return [not_null(column), expect("column_values_to_match_regex",
                                     f"{column} is not empty or blank", column=column,
                                     regex=NON_BLANK)]


def suite(name: str, grain: str, expectations: list[dict]) -> dict:
    return {
        "name": name,
        "meta": {"grain": grain, "authored_by": "scripts/author_expectations.py",
                 "frame": f"orchestration/quality/frames.py:{name}"},
        "expectations": expectations,
    }


def country_code(column: str) -> dict:
    return in_set(column, COUNTRY_CODES,
                  "ISO 3166-1 alpha-2 (pycountry) or XK; null for supranational regions")


def coordinates() -> list[dict]:
    return [between("latitude", -90, 90, "latitude in degrees"),
            between("longitude", -180, 180, "longitude in degrees")]


def year_range(column: str) -> dict:
    return between(column, *YEARS,
                   notes=f"{column} is plausible ({YEARS[0]}..{YEARS[1]}: historic dates are data)")


def build_suites() -> dict[str, dict]:
    suites = [
        suite("raw_releases", "raw.releases, one row per release version, one partition window", [
            not_null("release_id"), not_null("version"), not_null("partition_date"),
            expect("compound_columns_to_be_unique", "(release_id, version) is the key",
                   column_list=["release_id", "version"]),
            between("version", 1, 1_000_000, "versions count from 1"),
            *non_blank("title"),
            not_null("body_length"),
            between("body_length", *BODY_LENGTH, notes="body_text is non-empty and not absurd"),
            not_null("source"),
            expect("column_values_to_match_regex", "source is a config key", column="source",
                   regex=SOURCE_KEY),
            in_set("feed_source", {"$PARAMETER": "known_sources"},
                   "releases fetched from a feed (url set) come from a configured source; "
                   "text-dump items (no url) may name any institution"),
            *true("published_day_matches_partition",
                  "published_at (UTC) falls on partition_date when present"),
            *true("partition_in_window", "rows belong to the validated partition window"),
        ]),
        suite("raw_release_annotations", "raw.release_annotations, one row per release", [
            *key("release_id"), not_null("version"),
            not_null("release_type"),
            in_set("release_type", RELEASE_TYPES, "release_type enumeration"),
            *true("release_exists", "the annotated (release_id, version) is in raw.releases"),
        ]),
        suite("raw_person_mentions", "raw.person_mentions, one row per person mention", [
            *key("mention_id"), not_null("release_id"), *non_blank("full_name"),
            *true("span_inside_text", "0 <= start < end <= len(body_text) of the latest version"),
            *true("span_matches_text", "body_text[start:end] == surface_text"),
        ]),
        suite("raw_location_mentions", "raw.location_mentions, one row per place mention", [
            *key("mention_id"), not_null("release_id"), not_null("place_id"),
            not_null("place_kind"), in_set("place_kind", PLACE_KINDS, "place kind enumeration"),
            country_code("country_code"), *coordinates(),
            *true("span_inside_text", "0 <= start < end <= len(body_text) of the latest version"),
            *true("span_matches_text", "body_text[start:end] == surface_text"),
        ]),
        suite("raw_event_mentions", "raw.event_mentions, one row per dated event mention", [
            *key("event_mention_id"), not_null("release_id"),
            not_null("event_type"), in_set("event_type", EVENT_TYPES, "event type enumeration"),
            not_null("date_precision"),
            in_set("date_precision", DATE_PRECISIONS, "date precision enumeration"),
            not_null("start_year"), year_range("start_year"), year_range("end_year"),
            *true("end_not_before_start", "end_date is null or >= start_date"),
            expect("column_values_to_match_regex", "local_time is HH:MM (24 h) when present",
                   column="local_time", regex=LOCAL_TIME),
            *true("span_inside_text", "the evidence span lies inside body_text"),
        ]),
        suite("raw_event_participants", "raw.event_participants, one row per participant", [
            not_null("event_mention_id"), not_null("release_id"), *non_blank("full_name"),
            not_null("role"), in_set("role", ROLES, "participant role enumeration"),
            *true("event_exists", "the participant's event mention exists (no orphans)"),
            *true("span_inside_text", "the evidence span, when given, lies inside body_text"),
        ]),
        suite("marts_fct_releases", "marts.fct_releases, one row per release (latest version)", [
            *key("release_id"), not_null("source"), *non_blank("title"),
            not_null("release_type"),
            in_set("release_type", RELEASE_TYPES, "release_type enumeration"),
            between("word_count", 0, 1_000_000, "word_count is a count"),
            between("version_count", 1, 1_000_000, "every release has at least one version"),
            *true("published_date_matches", "published_date is the UTC date of published_at"),
            expect("column_values_to_be_between",
                   "one row per distinct release_id in raw.releases (table_rows: the whole "
                   "table's count; the frame is a sample)", column="table_rows",
                   min_value={"$PARAMETER": "raw_release_count"},
                   max_value={"$PARAMETER": "raw_release_count"}),
        ]),
        suite("marts_fct_events", "marts.fct_events, one row per de-duplicated event", [
            *key("event_id"), not_null("release_id"),
            not_null("event_type"), in_set("event_type", EVENT_TYPES, "event type enumeration"),
            not_null("date_precision"),
            in_set("date_precision", DATE_PRECISIONS, "date precision enumeration"),
            not_null("start_year"), year_range("start_year"),
            *true("end_not_before_start", "end_date is null or >= start_date"),
            *true("release_exists", "no orphan: the release is in fct_releases"),
            *true("location_exists", "no orphan: location_id is null or in dim_locations"),
            *true("evidence_inside_text", "the evidence span lies inside the release body"),
            expect("column_values_to_be_between",
                   "de-duplication never creates events: at most one per raw event mention "
                   "(table_rows: the whole table's count)", column="table_rows",
                   min_value=0, max_value={"$PARAMETER": "raw_event_mention_count"}),
        ]),
        suite("marts_fct_appearances", "marts.fct_appearances, one row per person per event", [
            *key("appearance_id"), not_null("event_id"), not_null("person_id"),
            not_null("release_id"),
            not_null("role"), in_set("role", ROLES, "role enumeration"),
            *true("event_exists", "no orphan: the event is in fct_events"),
            *true("person_exists", "no orphan: the person is in dim_people"),
            *true("release_exists", "no orphan: the release is in fct_releases"),
            expect("column_values_to_be_between",
                   "at most one appearance per raw event participant "
                   "(table_rows: the whole table's count)", column="table_rows",
                   min_value=0, max_value={"$PARAMETER": "raw_event_participant_count"}),
        ]),
        suite("marts_dim_people", "marts.dim_people, one row per person", [
            *key("person_id"), *non_blank("full_name"),
            between("release_count", 0, 10_000_000, "release_count is a count"),
            between("appearance_count", 0, 10_000_000, "appearance_count is a count"),
            *true("seen_dates_ordered", "first_seen_date <= last_seen_date"),
        ]),
        suite("marts_dim_locations", "marts.dim_locations, one row per place", [
            *key("location_id"), *non_blank("name"),
            not_null("kind"), in_set("kind", PLACE_KINDS, "place kind enumeration"),
            country_code("country_code"), *coordinates(),
            *true("parent_exists", "no orphan: parent_location_id is null or a dim_locations row"),
        ]),
    ]
    return {item["name"]: item for item in suites}


def render(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def rendered_suites() -> dict[str, str]:
    """File name -> exact file content, as committed."""
    return {f"{name}.json": render(document) for name, document in build_suites().items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare with the committed JSON instead of writing")
    args = parser.parse_args(argv)
    expected = rendered_suites()
    present = {path.name for path in SUITES_DIR.glob("*.json")}
    if args.check:
        stale = sorted(name for name, text in expected.items()
                       if not (SUITES_DIR / name).is_file()
                       or (SUITES_DIR / name).read_text(encoding="utf-8") != text)
        extra = sorted(present - set(expected))
        for name in stale:
            print(f"out of date: expectations/suites/{name}")
        for name in extra:
            print(f"not authored by this script: expectations/suites/{name}")
        return 1 if stale or extra else 0
    SUITES_DIR.mkdir(parents=True, exist_ok=True)
    for name in present - set(expected):
        (SUITES_DIR / name).unlink()
    for name, text in expected.items():
        (SUITES_DIR / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(expected)} suites to {SUITES_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
