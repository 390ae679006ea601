"""A new window does not make dbt parse the whole project again.

The window reaches dbt as its event-time flags (`Window.dbt_args`), which dbt keeps out of
its partial-parse state; a window in ``--vars`` changed that state on every new day and cost
a full parse (~2.6 s of CPU a run). The second build below, for a window where the first had
none, in the same target directory, must not parse again and still build its own window."""

from __future__ import annotations

from pathlib import Path

import duckdb
from dbt.cli.main import dbtRunner

from orchestration.window import Window
from tests.integration.dbt_fixtures import (
    BATCH_1,
    BATCH_2,
    BATCH_2_WINDOW,
    DBT_PROJECT_DIR,
    R_LONE_RUTTE,
    _release_duckdb,
    load_releases,
)


def _build(db: Path, work: Path, window: Window | None) -> list[str]:
    """`dbt build` as the pipeline runs it (the database in --vars, the window as flags);
    returns the names of dbt's events."""
    events: list[str] = []
    runner = dbtRunner(callbacks=[lambda event: events.append(event.info.name)])
    try:
        result = runner.invoke(
            [
                "build",
                "--vars",
                f'{{"duckdb_path": "{db}"}}',
                *(window.dbt_args() if window else []),
                "--exclude",
                "resource_type:unit_test",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(work / "target"),
                "--log-path",
                str(work / "logs"),
                "--quiet",
            ]
        )
    finally:
        _release_duckdb()
    assert result.success, result.exception
    return events


def test_a_new_window_keeps_partial_parsing(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    load_releases(db, BATCH_1)
    _build(db, tmp_path, None)  # every day: the first build of a warehouse
    load_releases(db, BATCH_2)
    events = _build(db, tmp_path, BATCH_2_WINDOW)
    assert "UnableToPartialParse" not in events
    assert "PartialParsingSkipParsing" in events  # nothing to parse again: no file changed
    # the second build's work set: its window's releases, and the lone "Rutte" of the first
    # batch, whom the full name arriving in the window now links (int_releases_windowed)
    with duckdb.connect(str(db), read_only=True) as conn:
        work_set = {
            row[0]
            for row in conn.execute(
                "select release_id from intermediate.int_releases_windowed"
            ).fetchall()
        }
    assert work_set == {release.release_id for release in [*BATCH_2, R_LONE_RUTTE]}
