"""One worker pool for a whole window: each batch's mention rows come back as that batch's,
stamped with its releases' days and versions, in order, whatever the pool read ahead."""

from __future__ import annotations

from datetime import date, timedelta

from orchestration.extract.pipeline import MIN_PARALLEL_BATCH
from orchestration.warehouse.mentions import extract_batches

FIRST = date(2024, 3, 1)
BODY = "NATO Secretary General Mark Rutte met Kaja Kallas in Brussels on {day:%d %B %Y}."


def _row(number: int) -> dict:
    day = FIRST + timedelta(days=number % 7)
    return {
        "release_id": f"nato:{number:04d}",
        "version": 1 + number % 3,
        "title": f"Release {number}",
        "body_text": BODY.format(day=day),
        "source_name": "NATO",
        "release_type_hint": None,
        "metadata_json": "{}",
        "is_truncated": False,
        "partition_date": day,
        "reference_date": day,
        "is_reference_published": True,
    }


def test_batches_come_back_as_they_went_in_through_one_pool() -> None:
    sizes = [150, 0, 170, 1, MIN_PARALLEL_BATCH]  # the first batch alone is too small for it
    batches, start = [], 0
    for size in sizes:
        batches.append([_row(number) for number in range(start, start + size)])
        start += size
    tally: dict[str, int] = {}
    out = list(extract_batches(iter(batches), tally, processes=2))

    assert len(out) == len([size for size in sizes if size])  # an empty batch yields nothing
    assert tally["releases"] == sum(sizes)
    for batch, tables in zip([batch for batch in batches if batch], out, strict=True):
        by_id = {row["release_id"]: row for row in batch}
        annotations = tables["release_annotations"]
        assert [row["release_id"] for row in annotations] == list(by_id)
        for row in annotations:
            assert row["version"] == by_id[row["release_id"]]["version"]
        people = tables["person_mentions"]
        assert {row["release_id"] for row in people} == set(by_id)
        for row in people:
            assert row["partition_date"] == by_id[row["release_id"]]["partition_date"]
