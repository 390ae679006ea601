"""Quarantine, not poison, and nothing deleted by configuration, on a real DuckDB file.

A release that breaks a row-level rule moves to raw.quarantine and the rest of its partition
stays publishable; a rebuild of its window releases and re-screens it; a dump repeating
releases already loaded and a sources file that drops a source never break or delete data.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.quality.audit import audit_raw
from orchestration.sources.collect import collect_dump
from orchestration.sources.config import DumpConfig, SourcesFile, load_sources
from orchestration.sources.runner import collect_dumps, collect_sources, known_labels
from orchestration.warehouse.mentions import extract_batches, latest_releases, replace_mentions
from orchestration.warehouse.quarantine import quarantined
from orchestration.warehouse.raw_store import store_collected
from orchestration.warehouse.releases import rebuild_releases
from orchestration.warehouse.schema import ensure_raw_schema

pytestmark = pytest.mark.timeout(120)

SAMPLE_CONFIG = Path(__file__).resolve().parents[2] / "orchestration/sources/sample/sources.yaml"
NOW = datetime(2024, 1, 1, tzinfo=UTC)
DAY = date(2023, 11, 22)
WINDOW = (DAY, date(2023, 11, 23))
EVERY_DAY = (date(1900, 1, 1), date(2200, 1, 1))


def _dump_text(items: list[tuple[str, str, str]]) -> str:
    return "\n\n".join(f"{title}\n\nSource: {source}\n\n{body}" for title, source, body in items)


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    ensure_raw_schema(connection)
    yield connection
    connection.close()


def _load_dump(conn: duckdb.DuckDBPyConnection, path: Path, as_of: date, run: str) -> None:
    collected = collect_dump(path, DumpConfig(path=str(path), as_of=as_of), {"osce": "OSCE"})
    store_collected(conn, collected, run)


def _build(conn: duckdb.DuckDBPyConnection, window: tuple[date, date]) -> None:
    rebuild_releases(conn, {}, *window, now=NOW)
    replace_mentions(conn, *window, extract_batches(latest_releases(conn, *window), processes=1))


def test_oversized_body_is_quarantined_and_the_partition_still_publishes(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    # Regression: one oversized body failed a blocking check and blocked every later publish.
    dump = tmp_path / "dump.txt"
    dump.write_text(
        _dump_text(
            [
                (
                    "OSCE chair visits Vienna",
                    "OSCE",
                    "The chair met ministers in Vienna on Monday.",
                ),
                ("A release far too long", "OSCE", "word " * 220_000),
            ]
        ),
        encoding="utf-8",
    )
    _load_dump(conn, dump, DAY, "dump-1")
    _build(conn, WINDOW)
    titles = [row[0] for row in conn.execute("select title from raw.releases").fetchall()]
    assert titles == ["OSCE chair visits Vienna"]
    held = conn.execute(
        "select release_id, partition_date, check_name, reason, payload_sha256, "
        "rows_json from raw.quarantine where released_at is null"
    ).fetchall()
    assert len(held) == 1
    release_id, day, check, reason, payload, rows_json = held[0]
    assert (day, check) == (DAY, "oversized_body") and "exceeds" in reason
    assert payload and "A release far too long" in rows_json
    assert conn.execute(
        "select count(*) from raw.person_mentions where release_id = ?", [release_id]
    ).fetchone() == (0,)
    assert audit_raw(conn, ["osce"]) == []  # fit to publish


def test_bad_mention_quarantines_its_release_until_a_reprocess_releases_it(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    dump = tmp_path / "dump.txt"
    dump.write_text(
        _dump_text(
            [
                (
                    "OSCE chair visits Vienna",
                    "OSCE",
                    "The chair met ministers in Vienna on Monday.",
                ),
                ("OSCE observers deployed", "OSCE", "Observers arrived in Skopje on Tuesday."),
            ]
        ),
        encoding="utf-8",
    )
    _load_dump(conn, dump, DAY, "dump-1")
    rebuild_releases(conn, {}, *WINDOW, now=NOW)
    ids = [
        row[0]
        for row in conn.execute("select release_id from raw.releases order by title").fetchall()
    ]
    bad, good = ids[0], ids[1]
    mention = {
        "mention_id": "m-bad",
        "release_id": bad,
        "start": 5,
        "end": 500,
        "surface_text": "nobody",
        "full_name": "No Body",
        "partition_date": DAY,
        "extractor_version": "test",
    }
    ok = {
        **mention,
        "mention_id": "m-ok",
        "release_id": good,
        "start": 0,
        "end": 9,
        "surface_text": "Observers",
        "full_name": "Observers",
    }
    counts = replace_mentions(conn, *WINDOW, [{"person_mentions": [mention, ok]}])
    assert counts["quarantined"] == 1
    assert [row[0] for row in quarantined(conn)] == [bad]
    assert quarantined(conn)[0][2] == "person_span"
    assert conn.execute("select release_id from raw.releases").fetchall() == [(good,)]
    assert conn.execute("select mention_id from raw.person_mentions").fetchall() == [("m-ok",)]
    # The fix (here: a correct extractor run) and a reprocess of the window release it.
    _build(conn, WINDOW)
    assert quarantined(conn) == []
    assert sorted(
        row[0] for row in conn.execute("select release_id from raw.releases").fetchall()
    ) == sorted(ids)
    assert conn.execute(
        "select count(*) from raw.quarantine where released_at is not null"
    ).fetchone() == (1,)


def test_a_dump_repeating_releases_already_loaded_stays_publishable(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    # Regression: re-ingesting the sample dump on a later day left the releases' old mention
    # rows under the old day, duplicating every mention id and blocking the publish.
    sources = load_sources(SAMPLE_CONFIG)
    labels = known_labels(sources)
    for number, collected in enumerate(collect_dumps(sources.dumps, SAMPLE_CONFIG, labels)):
        store_collected(conn, collected, f"dump-{number}")
    _build(conn, WINDOW)
    before = conn.execute("select count(*) from raw.person_mentions").fetchone()
    later = date(2023, 11, 25)
    repeat = DumpConfig(path=sources.dumps[0].path, as_of=later)
    for collected in collect_dumps([repeat], SAMPLE_CONFIG, labels):
        store_collected(conn, collected, "dump-again")
    _build(conn, (later, later.replace(day=26)))
    duplicates = conn.execute(
        "select mention_id from raw.person_mentions group by all having count(*) > 1"
    ).fetchall()
    assert duplicates == []
    assert conn.execute("select count(*) from raw.person_mentions").fetchone() == before
    assert audit_raw(conn, [s.name for s in sources.sources]) == []


@pytest.mark.parametrize("change", ["removed", "disabled"])
def test_a_config_change_never_deletes_releases(
    conn: duckdb.DuckDBPyConnection, change: str
) -> None:
    # Regression: a sources file lacking a source, then a backfill, deleted its releases.
    sources = load_sources(SAMPLE_CONFIG)
    for number, collected in enumerate(collect_sources(sources, SAMPLE_CONFIG, now=NOW)):
        store_collected(conn, collected, f"replay-{number}")
    rebuild_releases(conn, {s.name: s for s in sources.sources}, *EVERY_DAY, now=NOW)
    before = conn.execute("select * from raw.releases order by all").fetchall()
    assert any(row[2] == "europol" for row in before)
    if change == "removed":
        edited = SourcesFile(sources=[s for s in sources.sources if s.name != "europol"])
    else:
        edited = SourcesFile(
            sources=[s.model_copy(update={"enabled": s.name != "europol"}) for s in sources.sources]
        )
    rebuild_releases(conn, {s.name: s for s in edited.sources}, *EVERY_DAY, now=NOW)
    assert conn.execute("select * from raw.releases order by all").fetchall() == before
    assert audit_raw(conn, [s.name for s in edited.sources if s.enabled]) == []


def test_status_lists_quarantined_releases_and_escapes_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Regression: ESC/BEL/NUL in rejected locators were echoed raw to the terminal.
    from orchestration.settings import Settings
    from orchestration.summary import print_summary

    settings = Settings(home=tmp_path, sources_file=SAMPLE_CONFIG)
    connection = duckdb.connect(str(settings.warehouse_path))
    ensure_raw_schema(connection)
    connection.execute(
        "insert into raw.rejected_items values (now(), 'osce', ?, 'parse_error', 'x', null, null)",
        ["http://example.org/\x1b[2J\x07evil"],
    )
    connection.execute(
        "insert into raw.quarantine values (now(), null, 'osce:abc', 'osce', DATE '2023-11-22', "
        "'oversized_body', 'body of 2000000 characters exceeds 1000000', null, null)"
    )
    connection.close()
    print_summary(settings)
    shown = capsys.readouterr().out
    assert "\x1b" not in shown and "\x07" not in shown
    assert "\\x1b[2J\\x07evil" in shown
    assert "quarantined releases: 1" in shown
    assert "osce:abc" in shown and "oversized_body" in shown
