"""Matrix row 5 over real HTTP on 127.0.0.1: a UTF-8 body the HTTP header calls ISO-8859-1
(its XML declaration says UTF-8), windows-1252 smart quotes with no charset, a BOM, and
double-encoded text (``Ã©``, ``â€™``) all give correct Unicode in the clean columns of
raw.releases. Mojibake is repaired in the clean columns only (the kept payload keeps its
bytes) and counted per release (``mojibake_repaired`` in ``metadata_json``)."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from orchestration.sources.collect import collect_source
from orchestration.sources.config import SourceConfig
from orchestration.sources.http import HttpSettings
from orchestration.sources.http_transport import HttpTransport
from orchestration.warehouse.connection import open_warehouse
from orchestration.warehouse.raw_store import store_collected
from orchestration.warehouse.releases import rebuild_releases
from orchestration.warehouse.schema import ensure_raw_schema

pytestmark = pytest.mark.timeout(60)

WIDE = (date(2000, 1, 1), date(2100, 1, 1))
FAST_HTTP = {
    "retries": 0,
    "backoff_s": 0,
    "connect_timeout_s": 2,
    "read_timeout_s": 2,
    "deadline_s": 10,
}
DOUBLE_ENCODED_TITLE = "Ã‰tÃ© at the cafÃ©: donâ€™t miss it"
DOUBLE_ENCODED_TEXT = "The mayor of ZÃ¼rich said â€œwelcomeâ€\x9d in Brussels."
# source: (title as served, body encoding, XML declaration, HTTP content type, BOM,
#          title and description expected in the clean columns)
CASES = {
    "declared": (
        "Bruxelles – Zürich café",
        "utf-8",
        '<?xml version="1.0" encoding="UTF-8"?>',
        "application/rss+xml; charset=iso-8859-1",
        False,
        "Bruxelles – Zürich café",
        "Déjà vu – “quoted”.",
    ),
    "cp1252": (
        "“Smart” quotes – and a dash",
        "cp1252",
        '<?xml version="1.0"?>',
        "application/rss+xml",
        False,
        "“Smart” quotes – and a dash",
        "Déjà vu – “quoted”.",
    ),
    "bom": (
        "Zürich",
        "utf-8",
        '<?xml version="1.0" encoding="utf-8"?>',
        "application/rss+xml",
        True,
        "Zürich",
        "Déjà vu – “quoted”.",
    ),
    "mojibake": (
        DOUBLE_ENCODED_TITLE,
        "utf-8",
        '<?xml version="1.0" encoding="utf-8"?>',
        "application/rss+xml; charset=utf-8",
        False,
        "Été at the café: don’t miss it",
        "The mayor of Zürich said “welcome” in Brussels.",
    ),
}


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)


@pytest.fixture
def transport(tmp_path: Path, httpserver: HTTPServer) -> Iterator[HttpTransport]:
    base = HttpSettings(allowed_private_endpoints=(f"127.0.0.1:{httpserver.port}",))
    live = HttpTransport(tmp_path / "cache" / "http.sqlite", base=base)
    yield live
    live.close()


def _feed(name: str) -> bytes:
    title, encoding, declaration, _, bom, _, _ = CASES[name]
    description = DOUBLE_ENCODED_TEXT if name == "mojibake" else "Déjà vu – “quoted”."
    text = (
        f'{declaration}<rss version="2.0"><channel><title>{name}</title><item>'
        f"<title>{title}</title><link>https://example.org/{name}/1</link>"
        f'<guid isPermaLink="false">{name}-1</guid><description>{description}</description>'
        f"<pubDate>02 Mar 2024 10:00:00 GMT</pubDate></item></channel></rss>"
    )
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def _source(server: HTTPServer, name: str) -> SourceConfig:
    return SourceConfig(
        name=name,
        display_name=name,
        kind="rss",
        base_url=server.url_for("/").rstrip("/"),
        feed_url=f"/{name}.xml",
        full_text={"method": "none"},
        http=FAST_HTTP,
    )


def test_encodings_give_correct_unicode_and_mojibake_is_repaired_and_counted(
    httpserver: HTTPServer, transport: HttpTransport, tmp_path: Path
) -> None:
    sources = []
    for name, case in CASES.items():
        httpserver.expect_request(f"/{name}.xml").respond_with_data(
            _feed(name), content_type=case[3]
        )
        sources.append(_source(httpserver, name))
    with open_warehouse(tmp_path / "warehouse.duckdb") as conn:
        ensure_raw_schema(conn)
        for number, source in enumerate(sources):
            collected = collect_source(source, transport.for_source(source))
            assert collected.rejections == [], source.name
            store_collected(conn, collected, f"run-{number}")
        rebuild_releases(conn, {source.name: source for source in sources}, *WIDE)
        rows = {
            source: (title, body, json.loads(metadata).get("mojibake_repaired"))
            for source, title, body, metadata in conn.execute(
                "select source, title, body_text, metadata_json from raw.releases"
            ).fetchall()
        }
        payload = zlib.decompress(
            conn.execute(
                "select r.body_zlib from raw.http_responses r join raw.fetched_items i "
                "on i.feed_payload_sha256 = r.payload_sha256 where i.source = 'mojibake'"
            ).fetchone()[0]
        )
    assert rows == {
        name: (case[5], case[6], "2" if name == "mojibake" else None)
        for name, case in CASES.items()
    }
    # the kept payload is what the publisher sent: the repair lives in the clean columns only
    assert DOUBLE_ENCODED_TITLE.encode() in payload
