"""A whole `pressroom run` against a hostile publisher on 127.0.0.1 (tests/fixtures/hostile):
the run publishes, the healthy source and the hostile source's good items reach the marts, the
1949 treaty is loaded, and no `<script`, tag or control character survives into any text
column of the published warehouse."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml
from pytest_httpserver import HTTPServer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """127.0.0.1, not "localhost" (which also resolves to ::1, an address not allowed here)."""
    return ("127.0.0.1", 0)


HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"
FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
TAG = re.compile(r"<[A-Za-z!?/]")


def _fixture(name: str, base: str) -> bytes:
    return (HOSTILE / name).read_bytes().replace(b"{BASE}", base.encode())


def _serve(server: HTTPServer) -> str:
    base = server.url_for("/").rstrip("/")
    for path, name in (
        ("/hostile.xml", "mixed_feed.xml"),
        ("/controls.xml", "controls_feed.xml"),
        ("/healthy.xml", "good_feed.xml"),
    ):
        server.expect_request(path).respond_with_data(
            _fixture(name, base), content_type="application/rss+xml"
        )
    nodes = {
        "good-item": "node_good.json",
        "wrong-types": "node_wrong_types.json",
        "markup": "node_nonstring_body.json",
        "treaty": "node_good.json",
    }
    for slug, name in nodes.items():
        server.expect_request(
            "/cms/api/node", query_string=f"url=/newsroom/news/{slug}"
        ).respond_with_data((HOSTILE / name).read_bytes(), content_type="application/json")
    server.expect_request(
        "/cms/api/node", query_string="url=/newsroom/news/deep"
    ).respond_with_data(b"[" * 100_000 + b"]" * 100_000, content_type="application/json")
    server.expect_request("/cms/api/node").respond_with_data(b"{}", status=404)
    return base


def _source(name: str, base: str, feed: str, port: int, json_api: bool) -> dict:
    source = {
        "name": name,
        "display_name": name.title(),
        "kind": "rss",
        "base_url": base,
        "feed_url": feed,
        "timezone": "Europe/Amsterdam",
        "rate_limit": {"min_interval_s": 0.2},
        "http": {
            "retries": 0,
            "deadline_s": 10,
            "allowed_private_endpoints": [f"127.0.0.1:{port}"],
        },
    }
    if json_api:
        source.update(
            profile="europol",
            full_text={"method": "json-api", "url_template": "/cms/api/node?url={path}"},
        )
    return source


def test_hostile_publisher_never_stops_the_run_nor_reaches_the_marts(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    base = _serve(httpserver)
    port = httpserver.port
    sources_file = tmp_path / "sources.yaml"
    sources_file.write_text(
        yaml.safe_dump(
            {
                "sources": [
                    _source("hostile", base, "/hostile.xml", port, json_api=True),
                    _source("controls", base, "/controls.xml", port, json_api=False),
                    _source("healthy", base, "/healthy.xml", port, json_api=False),
                ]
            }
        ),
        encoding="utf-8",
    )
    home = tmp_path / "home"
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PRESSROOM_", "DAGSTER_"))
    }
    environment.update(
        {
            "PRESSROOM_HOME": str(home),
            "DAGSTER_HOME": str(home / "dagster"),
            "PRESSROOM_SOURCES": str(sources_file),
        }
    )
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=500,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-4000:]
    assert "\x1b[2J" not in completed.stdout and "\x07" not in completed.stdout
    conn = duckdb.connect(str(home / "published" / "pressroom.duckdb"), read_only=True)
    try:
        titles = dict(conn.execute("select title, source from marts.fct_releases").fetchall())
        columns = conn.execute("""
            select columns.table_schema, columns.table_name, columns.column_name
            from information_schema.columns as columns
            inner join information_schema.tables as tables using (table_schema, table_name)
            where tables.table_type = 'BASE TABLE' and columns.data_type = 'VARCHAR'
              and columns.table_schema in ('marts', 'staging', 'intermediate')
        """).fetchall()
        for schema, table, column in columns:
            values = [
                value
                for (value,) in conn.execute(
                    f'select distinct "{column}" from "{schema}"."{table}" '
                    f'where "{column}" is not null'
                ).fetchall()
            ]
            for value in values:
                assert not FORBIDDEN.search(value), (schema, table, column, value)
                if column not in {"url", "locator", "detail", "metadata_json"}:
                    assert not TAG.search(value), (schema, table, column, value)
                assert "<script" not in value.lower(), (schema, table, column, value)
    finally:
        conn.close()
    assert titles["Healthy release one"] == "healthy"
    assert titles["Good item about the Council meeting"] == "hostile"
    assert titles["Historic text: the North Atlantic Treaty"] == "hostile"
    assert titles["Bell escape [2J and nul in a title"] == "controls"
