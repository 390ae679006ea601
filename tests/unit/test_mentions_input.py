"""The extractor's input from a raw release row: which reference dates are publication days.

Regression: dump releases (no published_at, a declared as-of day) were read as undated and
lost their year-less events in the pipeline (the seed's 26 October conference)."""

from datetime import date

from orchestration.extract import ReleaseInput
from orchestration.warehouse.mentions import _release_input


def _row(published: bool, metadata: str) -> dict:
    return {
        "release_id": "r",
        "title": "T",
        "body_text": "B",
        "reference_date": date(2023, 11, 8),
        "source_name": "NATO",
        "release_type_hint": None,
        "metadata_json": metadata,
        "is_truncated": False,
        "is_reference_published": published,
    }


def test_published_or_dump_as_of_is_a_reference_and_a_bare_fetch_day_is_not():
    assert _release_input(_row(True, "{}"), ReleaseInput).is_reference_published
    dump = '{"as_of": "2023-11-08", "dump": "seed.txt"}'
    assert _release_input(_row(False, dump), ReleaseInput).is_reference_published
    assert not _release_input(_row(False, None), ReleaseInput).is_reference_published
