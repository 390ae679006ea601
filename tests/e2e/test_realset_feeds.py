"""End to end on real writing: the project's labelled real set (kept beside the repository)
served as one RSS feed per institution on 127.0.0.1, run through ``pressroom run --sources
<generated yaml>``, and scored from the published marts with ``benchmarks/score_extraction.py``
(the same rules as the in-process score). The texts stay beside the repository: the feeds are
generated in the test from the jsonl.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import yaml
from pytest_httpserver import HTTPServer

from benchmarks import score_extraction as sc
from orchestration.cli import main
from tests.realset_feeds import REALSET, realset_releases, serve_realset

# Tens of minutes with #8's daily partitions (~5,400 over the window); #9's yearly partitions
# cut that, not re-measured yet. `pytest -m slow` runs it.
pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# The release published in 2009 is left out, as when the raw step's daily partitions started
# on 2010-01-01; since #9 it has a yearly partition (PRESSROOM_FIRST_YEAR, default 1990), but
# the floors below were set on the other 42. It is scored in process
# (``score_extraction.py --realset``, and tests/integration/test_realset_raw_path.py).
BEFORE_PARTITIONS = "2010-01-01"
# Floors under the in-process scores of extractor 1.5.0, so a regression fails the test.
FLOORS = {"people": 0.93, "places": 0.90, "events": 0.80, "appearances": 0.85}
RELEASE_TYPE_FLOOR = 0.85


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """Serve on 127.0.0.1 (not "localhost", which also resolves to ::1)."""
    return ("127.0.0.1", 0)


def _in_partitions(release: dict) -> bool:
    return release["published"] is None or release["published"] >= BEFORE_PARTITIONS


@pytest.fixture
def realset_home(
    tmp_path_factory: pytest.TempPathFactory, httpserver: HTTPServer
) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("realset_home")
    sources = serve_realset(httpserver, [r for r in realset_releases() if _in_partitions(r)])
    config = home / "sources.yaml"
    config.write_text(yaml.safe_dump({"sources": sources}), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_HOME", str(home / "dagster"))
        assert main(["--home", str(home), "--sources", str(config), "run"]) == 0
    yield home


def test_realset_scores_from_the_published_marts(realset_home: Path) -> None:
    expected = sc.load_expected((REALSET / "expected.yaml").read_text(encoding="utf-8"))
    kept = {r["id"] for r in realset_releases() if _in_partitions(r)}
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
