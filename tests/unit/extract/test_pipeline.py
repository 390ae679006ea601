"""Public API: rows match the raw table columns, spans index the body, extract_many keeps order."""

from datetime import date

from orchestration.extract import ReleaseInput, extract_many, extract_release, extraction_rows

BODY = (
    "On 9 November 2023, the NATO Secretary General, Mr Jens Stoltenberg, will meet the "
    "Chancellor of Germany, Mr Olaf Scholz, in Berlin."
)

COLUMNS = {
    "release_annotations": {"release_id", "release_type", "reference_date"},
    "person_mentions": {
        "mention_id",
        "release_id",
        "start",
        "end",
        "surface_text",
        "full_name",
        "honorific",
        "title",
        "organisation",
    },
    "location_mentions": {
        "mention_id",
        "release_id",
        "start",
        "end",
        "surface_text",
        "place_id",
        "place_name",
        "place_kind",
        "country_code",
        "latitude",
        "longitude",
        "geonames_id",
        "parent_place_id",
        "parent_place_name",
        "parent_place_kind",
    },
    "event_mentions": {
        "event_mention_id",
        "release_id",
        "event_type",
        "description",
        "start_date",
        "end_date",
        "date_precision",
        "local_time",
        "timezone_label",
        "timezone_name",
        "starts_at_utc",
        "place_id",
        "evidence_start",
        "evidence_end",
    },
    "event_participants": {
        "event_mention_id",
        "release_id",
        "person_mention_id",
        "full_name",
        "role",
        "evidence_start",
        "evidence_end",
    },
}


def _release(n: int = 0) -> ReleaseInput:
    return ReleaseInput(f"nato:{n}", "T", BODY, date(2023, 11, 8), "NATO")


def test_rows_have_exactly_the_raw_columns_and_spans_index_body():
    rows = extraction_rows(extract_release(_release()))
    assert {table: set(r[0]) for table, r in rows.items()} == COLUMNS
    for row in rows["person_mentions"] + rows["location_mentions"]:
        assert BODY[row["start"] : row["end"]] == row["surface_text"]
    assert rows["person_mentions"][0]["mention_id"] == "nato:0#p1"
    assert rows["event_participants"][0]["person_mention_id"] == "nato:0#p1"


def test_extract_many_keeps_order_with_processes():
    releases = [_release(n) for n in range(450)]
    ids = [r.release_id for r in extract_many(releases, processes=2)]
    assert ids == [r.release_id for r in releases]


def test_extract_release_is_deterministic():
    assert extract_release(_release()) == extract_release(_release())
