"""Resolution on the bundled sample plus the seed dump, as an analyst counts (issue #10).

One home: `pressroom run` (the sample, offline), then `pressroom ingest-dump` of the seed
(as-of 2023-11-08) into the same warehouse, through real Dagster runs, dbt and DuckDB.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from orchestration.extract import EXTRACTOR_VERSION
from orchestration.warehouse.schema import MENTION_TABLES
from orchestration.warehouse.versions import stale_partitions
from tests.conftest import SHARED_DIR
from tests.integration.dbt_fixtures import run_dbt

pytestmark = pytest.mark.e2e

SEED = SHARED_DIR / "seeds" / "000_921cdd6db4130189.txt"

# who held an office on a day, as docs/warehouse.md tells analysts to ask it
OFFICE_HOLDER_ON = """
    select people.full_name
    from marts.dim_people_roles as roles
    inner join marts.dim_people as people on roles.person_id = people.person_id
    where roles.organisation = 'NATO' and roles.title = 'Secretary General'
        and ? between roles.valid_from and coalesce(roles.valid_to, date '9999-12-31')
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not SEED.is_file():
        pytest.skip(f"{SEED} is absent: the resolution test needs the seed dumps beside the repo")
    home = tmp_path_factory.mktemp("resolution_home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_HOME", str(home / "dagster"))
        patch.delenv("PRESSROOM_SOURCES", raising=False)
        assert main(["--home", str(home), "run"]) == 0
        assert main(["--home", str(home), "ingest-dump", str(SEED), "--as-of", "2023-11-08"]) == 0
    return home


@pytest.fixture(scope="module")
def warehouse(home: Path) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(str(home / "published" / "pressroom.duckdb"), read_only=True)
    yield conn
    conn.close()


def count(conn: duckdb.DuckDBPyConnection, sql: str) -> int:
    return conn.execute(sql).fetchone()[0]


DUPLICATE_TEXTS = """
    select count(*) from (
        select 1 from marts.fct_releases
        group by regexp_replace(lower(strip_accents(title)), '[^a-z0-9]+', '', 'g'),
                 regexp_replace(lower(strip_accents(body_text)), '[^a-z0-9]+', '', 'g')
        having count(*) > 1)
"""
ORPHAN_SIGHTINGS = """
    select count(*) from marts.fct_release_sightings
    where release_id not in (select release_id from marts.fct_releases)
"""
# events whose reports give two different times, or two reports of one release
MERGED_AGENDA_ITEMS = """
    select count(*) from (
        select lineage.event_id
        from marts.fct_event_releases as lineage
        inner join staging.stg_raw__event_mentions as mentions
            on lineage.event_mention_id = mentions.event_mention_id
        group by lineage.event_id
        having count(distinct mentions.start_time) > 1
            or count(*) > count(distinct lineage.release_id))
"""
COUNCIL_AGENDA_EVENTS = """
    select count(distinct lineage.event_id)
    from marts.fct_event_releases as lineage
    inner join marts.fct_releases as releases on lineage.release_id = releases.release_id
    where releases.title like 'Media advisory – Justice and Home Affairs Council%'
"""


def test_fct_releases_holds_one_row_per_release(warehouse) -> None:
    rows = count(warehouse, "select count(*) from marts.fct_releases")
    assert rows == count(warehouse, "select count(distinct release_id) from marts.fct_releases")
    assert count(warehouse, DUPLICATE_TEXTS) == 0  # the sightings rule's keys
    assert count(warehouse, ORPHAN_SIGHTINGS) == 0


def test_no_timed_agenda_items_are_merged(home: Path) -> None:
    # the writer warehouse: the published copy has no staging views (they name its catalog)
    conn = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        assert count(conn, MERGED_AGENDA_ITEMS) == 0
        # the sample's Council agenda (08:30 doorstep, 16:30 press conference): two events
        assert count(conn, COUNCIL_AGENDA_EVENTS) >= 2
    finally:
        conn.close()


def test_no_surname_only_duplicates_in_dim_people(warehouse) -> None:
    duplicates = warehouse.execute("""
        select short_names.full_name, long_names.full_name
        from marts.dim_people as short_names
        inner join marts.dim_people as long_names
            on short_names.person_id <> long_names.person_id
            and lower(strip_accents(long_names.full_name))
                like '% ' || lower(strip_accents(short_names.full_name))
    """).fetchall()
    assert duplicates == []


TITLE_VARIANTS = """
    select full_name, variant
    from (select full_name, unnest(name_variants) as variant from marts.dim_people)
    where variant in ('Secretary General', 'the Secretary General', 'Executive Director',
                      'the Executive Director', 'Minister', 'President')
"""
PLACES_WITHOUT_POINT = """
    select name, kind from marts.dim_locations
    where latitude is null or longitude is null or precision is null
"""
PLACED_EVENTS_WITHOUT_POINT = """
    select count(*) from marts.fct_events
    where location_id is not null and (latitude is null or location_precision is null)
"""


def test_name_variants_hold_names_only(warehouse) -> None:
    assert warehouse.execute(TITLE_VARIANTS).fetchall() == []


def test_every_location_has_coordinates_and_a_precision(warehouse) -> None:
    assert count(warehouse, "select count(*) from marts.dim_locations") > 100
    assert warehouse.execute(PLACES_WITHOUT_POINT).fetchall() == []
    # events carry their place's point and precision
    assert count(warehouse, PLACED_EVENTS_WITHOUT_POINT) == 0


@pytest.mark.parametrize(
    ("day", "holder"),
    [
        (date(2024, 10, 15), "Mark Rutte"),
        (date(2014, 6, 1), "Anders Fogh Rasmussen"),
        (date(2023, 11, 9), "Jens Stoltenberg"),
    ],
)
def test_who_was_natos_secretary_general_on_a_day(warehouse, day, holder) -> None:
    assert warehouse.execute(OFFICE_HOLDER_ON, [day]).fetchall() == [(holder,)]


# runs last: it rewrites the warehouse
def test_reprocess_re_extracts_what_an_older_extractor_made(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    writer = home / "warehouse.duckdb"
    old_days = (date(2023, 10, 1), date(2023, 10, 5))
    conn = duckdb.connect(str(writer))
    for table in MENTION_TABLES:  # as if an older extractor had made those partitions
        conn.execute(
            f"update raw.{table} set extractor_version = '0.0-old' "
            "where partition_date between ? and ?",
            list(old_days),
        )
    stale = stale_partitions(conn, EXTRACTOR_VERSION)
    conn.close()
    assert stale and all(old_days[0] <= day <= old_days[1] for day in stale)

    # the marts would mix two extractor versions: the dbt gate fails, naming the test
    with pytest.raises(AssertionError, match="assert_marts_from_one_extractor_version"):
        run_dbt(writer, tmp_path, "build")

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_HOME", str(home / "dagster"))
        patch.delenv("PRESSROOM_SOURCES", raising=False)
        assert main(["--home", str(home), "reprocess", "--dry-run"]) == 0
        listed = capsys.readouterr().out
        assert f"{len(stale)} of " in listed and "0.0-old" in listed
        assert main(["--home", str(home), "reprocess", "--start", "2023-09-01"]) == 0

    conn = duckdb.connect(str(writer), read_only=True)
    assert stale_partitions(conn, EXTRACTOR_VERSION) == []
    conn.close()
    published = duckdb.connect(str(home / "published" / "pressroom.duckdb"), read_only=True)
    versions = published.execute(
        "select distinct extractor_version from marts.fct_releases"
        " where extractor_version is not null"
    ).fetchall()
    published.close()
    assert versions == [(EXTRACTOR_VERSION,)]
