"""A home path with a quote in it (``/home/o'brien``) publishes and exports.

Regression: ATTACH and COPY … TO were built with the path pasted between single quotes.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.warehouse.export import export_parquet
from orchestration.warehouse.publish import publish


def test_publish_and_export_under_a_path_with_quotes(tmp_path: Path) -> None:
    home = tmp_path / "o'brien's \"home\""
    home.mkdir()
    warehouse = home / "warehouse.duckdb"
    conn = duckdb.connect(str(warehouse))
    conn.execute("create schema marts")
    conn.execute("create table marts.fct_releases as select 1 as release_id")
    conn.close()
    published = publish(warehouse, home / "published" / "pressroom.duckdb")
    written = export_parquet(published, home / "exports")
    assert [path.name for path in written] == ["fct_releases.parquet"]
    assert duckdb.read_parquet(str(written[0])).fetchall() == [(1,)]
