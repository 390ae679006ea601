"""End to end on real writing: the project's labelled real set (kept beside the repository)
served as one RSS feed per institution on 127.0.0.1, run through ``pressroom run --sources
<generated yaml>``, and scored from the published marts with ``benchmarks/score_extraction.py``
(the same rules as the in-process score). The texts stay beside the repository: the feeds are
generated in the test from the jsonl.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path

import duckdb
import pytest
import yaml
from pytest_httpserver import HTTPServer

from benchmarks import score_extraction as sc
from orchestration.cli import main
from tests.conftest import SHARED_DIR

# Tens of minutes with #8's daily partitions (~5,400 over the window); #9's yearly partitions
# cut that, not re-measured yet. `pytest -m slow` runs it.
pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REALSET = SHARED_DIR / "realset"
# The release published in 2009 is left out, as when the raw step's daily partitions started
# on 2010-01-01; since #9 it has a yearly partition (PRESSROOM_FIRST_YEAR, default 1990), but
# the floors below were set on the other 42. It is scored in process
# (``score_extraction.py --realset``).
BEFORE_PARTITIONS = "2010-01-01"
# Floors a little under the scores this branch reaches, so a regression fails the test.
FLOORS = {"people": 0.90, "places": 0.84, "events": 0.55, "appearances": 0.75}
RELEASE_TYPE_FLOOR = 0.65


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """Serve on 127.0.0.1 (not "localhost", which also resolves to ::1)."""
    return ("127.0.0.1", 0)


def _releases() -> list[dict]:
    lines = (REALSET / "releases.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _in_partitions(release: dict) -> bool:
    return release["published"] is None or release["published"] >= BEFORE_PARTITIONS


def _slug(source: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", source.lower()).strip("_")[:40]


def _item(release: dict, base: str) -> str:
    """One RSS item: the body as paragraphs in content:encoded, no pubDate when undated."""
    paragraphs = "".join(f"<p>{escape(part)}</p>" for part in release["text"].split("\n\n"))
    published = ""
    if release["published"]:
        day = datetime.fromisoformat(release["published"]).replace(hour=12, tzinfo=UTC)
        published = f"<pubDate>{format_datetime(day, usegmt=True)}</pubDate>"
    return (
        f"<item><title>{escape(release['title'])}</title>"
        f"<link>{base}/items/{release['id']}</link>"
        f'<guid isPermaLink="false">{release["id"]}</guid>{published}'
        f"<content:encoded><![CDATA[{paragraphs}]]></content:encoded></item>"
    )


def _feed(title: str, items: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{escape(title)}</title>{''.join(items)}</channel></rss>"
    ).encode()


@pytest.fixture
def realset_home(
    tmp_path_factory: pytest.TempPathFactory, httpserver: HTTPServer
) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("realset_home")
    base = httpserver.url_for("/").rstrip("/")
    by_source: dict[str, list[dict]] = {}
    for release in filter(_in_partitions, _releases()):
        by_source.setdefault(release["source"], []).append(release)
    sources = []
    for display_name, releases in sorted(by_source.items()):
        name = _slug(display_name)
        feed = f"/feeds/{name}.xml"
        httpserver.expect_request(feed).respond_with_data(
            _feed(display_name, [_item(r, base) for r in releases]),
            content_type="application/rss+xml",
        )
        sources.append(
            {
                "name": name,
                "display_name": display_name,
                "kind": "rss",
                "base_url": base,
                "feed_url": feed,
                "full_text": {"method": "none"},
                "http": {"retries": 0, "allowed_private_endpoints": [base.split("//")[1]]},
                "rate_limit": {"min_interval_s": 0.2},
            }
        )
    config = home / "sources.yaml"
    config.write_text(yaml.safe_dump({"sources": sources}), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_HOME", str(home / "dagster"))
        assert main(["--home", str(home), "--sources", str(config), "run"]) == 0
    yield home


def test_realset_scores_from_the_published_marts(realset_home: Path) -> None:
    expected = sc.load_expected((REALSET / "expected.yaml").read_text(encoding="utf-8"))
    kept = {r["id"] for r in filter(_in_partitions, _releases())}
    expected["releases"] = [r for r in expected["releases"] if r["id"] in kept]
    conn = duckdb.connect(str(realset_home / "published" / "pressroom.duckdb"), read_only=True)
    try:
        found = sc.found_from_marts(conn)
    finally:
        conn.close()
    scores = sc.score(expected, found)
    print(sc.format_table(scores, f"realset through pressroom run ({len(kept)} releases)"))
    assert not scores.missing_releases, "every served release reaches the marts"
    for kind, floor in FLOORS.items():
        assert (scores.kinds[kind].f1 or 0) >= floor, sc.format_table(scores)
    assert (scores.release_type.value or 0) >= RELEASE_TYPE_FLOOR, sc.format_table(scores)
