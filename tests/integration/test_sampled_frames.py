"""Raw suites' frames on a window larger than the sample: bounded, in the window, repeatable,
with every span check computed against the release's latest text."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.quality import frames
from orchestration.warehouse.schema import ensure_raw_schema

FIRST = date(2024, 1, 1)
DAYS = 40
PER_DAY = 5
BODY = "Mark Rutte met Kaja Kallas in Brussels."
NAME = "Kaja Kallas"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """200 releases over 40 days (two versions of each: only the second holds the name where
    the mention says), one person mention each; every fifth mention's span is wrong."""
    path: Path = tmp_path_factory.mktemp("sampled") / "warehouse.duckdb"
    conn = duckdb.connect(str(path))
    ensure_raw_schema(conn)
    conn.execute(
        """insert into raw.releases (release_id, version, source, source_name, native_id,
               title, body_text, published_at, partition_date, is_truncated, content_hash,
               fetched_at)
           select 'nato:' || i, v, 'nato', 'NATO', cast(i as varchar), 'Title ' || i,
                  case when v = 1 then 'Old text ' || i else $1 end,
                  $2::date + cast(i // $3 as integer), $2::date + cast(i // $3 as integer),
                  false, 'hash' || i || '-' || v, now()
           from range($4) as r(i), range(1, 3) as versions(v)""",
        [BODY, FIRST, PER_DAY, DAYS * PER_DAY],
    )
    start = BODY.index(NAME)
    conn.execute(
        """insert into raw.person_mentions (mention_id, release_id, start, "end", surface_text,
               full_name, partition_date, extractor_version)
           select 'm' || i, 'nato:' || i, $1 + case when i % 5 = 0 then 1 else 0 end,
                  $2, $3, $3, $4::date + cast(i // $5 as integer), 'test'
           from range($6) as r(i)""",
        [start, start + len(NAME), NAME, FIRST, PER_DAY, DAYS * PER_DAY],
    )
    yield conn
    conn.close()


def test_a_window_within_the_limit_is_whole(warehouse: duckdb.DuckDBPyConnection) -> None:
    window = (FIRST, FIRST + timedelta(days=10))
    frame = frames.raw_person_mentions(warehouse, *window, limit=1000)
    assert len(frame.data) == 10 * PER_DAY
    wrong = frame.data[~frame.data["span_matches_text"]]
    assert sorted(wrong["mention_id"]) == sorted(f"m{i}" for i in range(0, 50, 5))


def test_a_larger_window_is_sampled_to_the_limit_inside_the_window(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    window = (FIRST + timedelta(days=5), FIRST + timedelta(days=35))  # 150 mentions
    frame = frames.raw_person_mentions(warehouse, *window, limit=40)
    assert len(frame.data) == 40
    numbers = frame.data["mention_id"].str.removeprefix("m").astype(int)
    assert numbers.between(5 * PER_DAY, 35 * PER_DAY - 1).all()
    # the checks are those of the sampled rows, against each release's latest text
    expected = numbers % 5 != 0
    assert (frame.data["span_matches_text"] == expected).all()
    assert frame.data["span_inside_text"].all()


def test_the_releases_frame_is_sampled_inside_the_window(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    window = (FIRST, FIRST + timedelta(days=DAYS))  # 400 release versions
    frame = frames.raw_releases(warehouse, *window, ["nato"], limit=25)
    assert len(frame.data) == 25
    assert frame.data["partition_in_window"].all()
    assert frame.data["release_id"].str.startswith("nato:").all()
