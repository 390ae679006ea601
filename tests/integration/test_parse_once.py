"""Each payload is parsed once per run: the fetch keeps the releases it parsed
(raw.parsed_items) and the rebuild reads them; a rebuild from the kept payloads alone (no kept
parse, a parse of another parser or of other source settings) gives the same rows.

Real DuckDB files, the bundled sample replayed (fetches 01 and 02 and the text dump), and the
real parsers, counted by wrapping the functions the fetch and the rebuild call.
"""

from __future__ import annotations

import hashlib
import textwrap
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

import orchestration.sources.collect as collect_module
import orchestration.sources.rebuild as rebuild_module
from orchestration.sources.config import SourcesFile, load_sources
from orchestration.warehouse.connection import open_warehouse
from orchestration.warehouse.schema import ensure_raw_schema
from tests.integration.raw_replay import rebuild_all, store_replays

pytestmark = pytest.mark.timeout(120)

SAMPLE_CONFIG = (
    Path(__file__).resolve().parents[2] / "orchestration" / "sources" / "sample" / ("sources.yaml")
)
RELEASES = "select * from raw.releases order by release_id, version"


class Parses:
    """Counts the parses of feed payloads (by sha256) and the rebuild's item builds."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.feeds: Counter[str] = Counter()
        self.builds = 0
        for module in (collect_module, rebuild_module):
            monkeypatch.setattr(module, "parse_feed", self._counted(module.parse_feed))
        build = rebuild_module.Rebuilder.build

        def counted_build(rebuilder, row):
            self.builds += 1
            return build(rebuilder, row)

        monkeypatch.setattr(rebuild_module.Rebuilder, "build", counted_build)

    def _counted(self, parse):
        def counted(payload: bytes, *args, **kwargs):
            self.feeds[hashlib.sha256(payload).hexdigest()] += 1
            return parse(payload, *args, **kwargs)

        return counted


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with open_warehouse(tmp_path / "warehouse.duckdb") as conn:
        ensure_raw_schema(conn)
        yield conn


@pytest.fixture
def sample_file() -> SourcesFile:
    return load_sources(SAMPLE_CONFIG)


def test_a_run_parses_each_feed_payload_once_and_the_rebuild_parses_nothing(
    warehouse: duckdb.DuckDBPyConnection, sample_file: SourcesFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses = Parses(monkeypatch)
    store_replays(warehouse, SAMPLE_CONFIG, sample_file)
    feeds = warehouse.execute(
        "select count(distinct feed_payload_sha256) from raw.fetched_items "
        "where context_json is null and feed_payload_sha256 is not null"
    ).fetchone()[0]
    assert feeds >= 4 and len(parses.feeds) == feeds  # NATO, Europol, Frontex, two fetches
    assert set(parses.feeds.values()) == {1}
    stats = rebuild_all(warehouse, sample_file)
    assert stats.releases > 60
    assert (parses.builds, set(parses.feeds.values())) == (0, {1})


def test_the_rebuild_from_kept_payloads_alone_gives_the_same_rows(
    warehouse: duckdb.DuckDBPyConnection, sample_file: SourcesFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_replays(warehouse, SAMPLE_CONFIG, sample_file)
    from_fetch = rebuild_all(warehouse, sample_file)
    rows = warehouse.execute(RELEASES).fetchall()
    observations = warehouse.execute("select count(*) from raw.fetched_items").fetchone()[0]
    warehouse.execute("delete from raw.parsed_items")
    parses = Parses(monkeypatch)
    from_payloads = rebuild_all(warehouse, sample_file)
    assert parses.builds == observations  # every observation parsed again from its payloads
    assert warehouse.execute(RELEASES).fetchall() == rows
    assert (from_payloads.releases, from_payloads.versions_written) == (
        from_fetch.releases,
        from_fetch.versions_written,
    )
    # the rebuild kept what it parsed: the next one parses nothing
    parses.builds = 0
    rebuild_all(warehouse, sample_file)
    assert parses.builds == 0
    assert warehouse.execute(RELEASES).fetchall() == rows


def test_parses_of_another_parser_version_are_not_used(
    warehouse: duckdb.DuckDBPyConnection, sample_file: SourcesFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_replays(warehouse, SAMPLE_CONFIG, sample_file)
    rebuild_all(warehouse, sample_file)
    rows = warehouse.execute(RELEASES).fetchall()
    # what an older parser kept: wrong texts under another fingerprint
    warehouse.execute("update raw.parsed_items set parser = 'older', body_text = 'stale'")
    parses = Parses(monkeypatch)
    rebuild_all(warehouse, sample_file)
    assert parses.builds > 0
    assert warehouse.execute(RELEASES).fetchall() == rows


def test_a_changed_source_setting_is_parsed_again(
    warehouse: duckdb.DuckDBPyConnection, sample_file: SourcesFile, tmp_path: Path
) -> None:
    store_replays(warehouse, SAMPLE_CONFIG, sample_file)
    rebuild_all(warehouse, sample_file)
    renamed = sample_file.model_copy(
        update={
            "sources": [
                source.model_copy(update={"display_name": f"{source.display_name} (renamed)"})
                if source.name == "frontex"
                else source
                for source in sample_file.sources
            ]
        }
    )
    rebuild_all(warehouse, renamed)
    names = dict(
        warehouse.execute(
            "select source, any_value(source_name) from raw.releases "
            "where source in ('frontex', 'nato') group by all"
        ).fetchall()
    )
    assert names["frontex"].endswith("(renamed)") and not names["nato"].endswith("(renamed)")


def _replay(root: Path, feed: str) -> Path:
    folder = root / "fetches" / "01" / "agency"
    folder.mkdir(parents=True)
    (root / "fetches" / "01" / "fetch.yaml").write_text('fetched_at: "2023-11-20T12:00:00Z"\n')
    (folder / "rss.xml").write_text(feed, encoding="utf-8")
    (folder / "index.yaml").write_text(
        textwrap.dedent("""\
        responses:
          - url: "https://feeds.example.org/rss.xml"
            file: "rss.xml"
            status: 200
            content_type: "application/rss+xml"
        """),
        encoding="utf-8",
    )
    config = root / "sources.yaml"
    config.write_text(
        textwrap.dedent("""\
        replay_dir: fetches
        sources:
          - name: agency
            display_name: Agency
            kind: rss
            base_url: https://feeds.example.org
            feed_url: /rss.xml
        """),
        encoding="utf-8",
    )
    return config


def test_a_repeated_entry_key_is_rebuilt_as_a_reparse_would(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """A feed repeating a guid with another text: every observation of that key is the first
    entry (what a re-parse of the payload finds), with or without the fetch's parses."""
    items = "".join(
        f'<item><title>{title}</title><guid isPermaLink="false">a-1</guid>'
        f"<description>{text}</description>"
        "<pubDate>Mon, 20 Nov 2023 10:00:00 GMT</pubDate></item>"
        for title, text in (("First", "The first text."), ("Second", "The second text."))
    )
    config = _replay(
        tmp_path / "replay",
        '<?xml version="1.0" encoding="utf-8"?><rss '
        f'version="2.0"><channel><title>T</title>{items}</channel></rss>',
    )
    sources_file = load_sources(config)
    store_replays(warehouse, config, sources_file)
    rebuild_all(warehouse, sources_file)
    rows = warehouse.execute(RELEASES).fetchall()
    assert [(row[0], row[1], row[6]) for row in rows] == [("agency:a-1", 1, "First")]
    warehouse.execute("delete from raw.parsed_items")
    rebuild_all(warehouse, sources_file)
    assert warehouse.execute(RELEASES).fetchall() == rows
