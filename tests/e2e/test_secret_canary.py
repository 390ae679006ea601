"""Secrets never land in storage: a canary API key sent as query parameters (one that looks
secret, one named in `secret_params`) and as a header from an environment variable, through
success, 401, 500 and connection-refused paths of a full `pressroom run` against 127.0.0.1.

The canaries must appear in no file under the home (Dagster event logs and compute logs, the
HTTP cache, the warehouse and the published copy, whose text columns are queried because DuckDB
compresses strings on disk), in no dbt log, and on neither output stream.
"""

from __future__ import annotations

import os
import socket
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


QUERY_CANARY = "cAnArY-q-7d41e0"
NAMED_CANARY = "cAnArY-k-93b2aa"
HEADER_CANARY = "cAnArY-h-5c80f1"
CANARIES = (QUERY_CANARY, NAMED_CANARY, HEADER_CANARY)
REPO = Path(__file__).resolve().parents[2]


def _feed(base: str) -> bytes:
    items = "".join(
        f"<item><title>Canary release {n}</title><link>{base}/news/{n}</link><guid>c{n}</guid>"
        f"<description>Ministers met in Brussels to discuss item {n}.</description>"
        f"<pubDate>Tue, 1{n} Nov 2023 10:00:00 GMT</pubDate></item>"
        for n in (1, 2, 3)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Canary</title>{items}'
        "</channel></rss>"
    ).encode()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _source(name: str, base: str, path: str, endpoints: list[str]) -> dict:
    return {
        "name": name,
        "display_name": name.title(),
        "kind": "rss",
        "base_url": base,
        "feed_url": path,
        "rate_limit": {"min_interval_s": 0.2},
        "http": {
            "retries": 0,
            "deadline_s": 10,
            "allowed_private_endpoints": endpoints,
            "secret_params": ["k"],
            "headers_from_env": {"X-Api-Key": "PRESSROOM_TEST_CANARY"},
        },
    }


def _text_columns_containing(path: Path, needle: str) -> list[str]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        columns = conn.execute("""
            select columns.table_schema, columns.table_name, columns.column_name
            from information_schema.columns as columns
            inner join information_schema.tables as tables using (table_schema, table_name)
            where tables.table_type = 'BASE TABLE' and columns.data_type in ('VARCHAR', 'JSON')
        """).fetchall()
        found = []
        for schema, table, column in columns:
            hits = conn.execute(
                f'select count(*) from "{schema}"."{table}" where "{column}" like ?',
                [f"%{needle}%"],
            ).fetchone()[0]
            if hits:
                found.append(f"{schema}.{table}.{column}")
        return found
    finally:
        conn.close()


def test_canary_secrets_never_reach_storage_logs_or_output(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    base = httpserver.url_for("/").rstrip("/")
    allowed = [f"127.0.0.1:{httpserver.port}"]
    httpserver.expect_request("/feed.xml").respond_with_data(
        _feed(base), content_type="application/rss+xml"
    )
    httpserver.expect_request("/broken.xml").respond_with_data(b"oops", status=500)
    httpserver.expect_request("/denied.xml").respond_with_data(b"no", status=401)
    secret_query = f"?api_key={QUERY_CANARY}&k={NAMED_CANARY}&lang=en"
    dead = _closed_port()
    sources = {
        "sources": [
            _source("canary", base, f"/feed.xml{secret_query}", allowed),
            _source("broken", base, f"/broken.xml?token={QUERY_CANARY}", allowed),
            _source("denied", base, f"/denied.xml{secret_query}", allowed),
            _source(
                "refused",
                f"http://127.0.0.1:{dead}",
                f"/feed.xml{secret_query}",
                [f"127.0.0.1:{dead}"],
            ),
        ]
    }
    sources_file = tmp_path / "sources.yaml"
    sources_file.write_text(yaml.safe_dump(sources), encoding="utf-8")
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
            "PRESSROOM_TEST_CANARY": HEADER_CANARY,
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
    # The secrets were really used: the origin saw them.
    feed_requests = [request for request, _ in httpserver.log if request.path == "/feed.xml"]
    assert feed_requests and feed_requests[0].args["api_key"] == QUERY_CANARY
    assert feed_requests[0].headers["X-Api-Key"] == HEADER_CANARY
    published = home / "published" / "pressroom.duckdb"
    assert published.exists()
    for canary in CANARIES:
        assert canary not in output
        for path in [*home.rglob("*"), *(REPO / "dbt_project" / "logs").rglob("*")]:
            if path.is_file() and path.suffix not in {".duckdb", ".wal"}:
                assert canary.encode() not in path.read_bytes(), path
        for database in (home / "warehouse.duckdb", published):
            assert _text_columns_containing(database, canary) == [], database
    # The kept payloads are writer-only (not in the published copy): their URLs are read there.
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as writer:
        urls = [row[0] for row in writer.execute("select url from raw.http_responses").fetchall()]
    conn = duckdb.connect(str(published), read_only=True)
    try:
        reasons = dict(conn.execute("select source, reason from raw.rejected_items").fetchall())
        released = conn.execute("select count(*) from marts.fct_releases").fetchone()[0]
    finally:
        conn.close()
    assert any("api_key=REDACTED" in url and "k=REDACTED" in url for url in urls), urls
    assert reasons == {"broken": "http_status", "denied": "http_status", "refused": "connection"}
    assert released == 3
