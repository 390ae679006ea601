"""`http.allowed_private_endpoints` in a sources file: an operator's internal mirror on a
private address is reachable at exactly the listed ip:port, and nowhere else: a redirect from
there to any other private endpoint is still refused before anything is sent.

Every server here is on 127.0.0.1 (a private address for the guard); no other address is ever
contacted.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from pytest_httpserver import HTTPServer

from orchestration.sources.collect import collect_source
from orchestration.sources.config import ConfigError, load_sources, parse_sources
from orchestration.sources.http import HttpSettings
from orchestration.sources.http_transport import HttpTransport

pytestmark = pytest.mark.timeout(30)

NOW = datetime(2024, 1, 1, tzinfo=UTC)
FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Mirror</title><item>'
    b"<title>Mirrored release</title><link>https://example.org/a</link><guid>a</guid>"
    b"<description>Text of the mirrored release.</description>"
    b"<pubDate>Tue, 14 Nov 2023 10:00:00 GMT</pubDate></item></channel></rss>"
)


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)


@pytest.fixture
def internal() -> Iterator[HTTPServer]:
    """A second private server that must never be reached through a redirect."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    server.expect_request("/feed.xml").respond_with_data(FEED, content_type="application/xml")
    yield server
    server.clear()
    server.stop()


def _sources_file(tmp_path: Path, mirror: HTTPServer, endpoints: list[str]) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "sources": [
                    {
                        "name": "mirror",
                        "display_name": "Internal mirror",
                        "kind": "rss",
                        "base_url": mirror.url_for("/").rstrip("/"),
                        "feed_url": "/feed.xml",
                        "http": {
                            "retries": 0,
                            "deadline_s": 10,
                            "allowed_private_endpoints": endpoints,
                        },
                        "rate_limit": {"min_interval_s": 0.2},
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    return path


def _collect(path: Path, tmp_path: Path):
    source = load_sources(path).sources[0]
    transport = HttpTransport(tmp_path / "cache.sqlite", HttpSettings(), environ={})
    try:
        return collect_source(source, transport.for_source(source), now=NOW)
    finally:
        transport.close()


def test_listed_endpoint_is_reachable(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(FEED, content_type="application/xml")
    collected = _collect(
        _sources_file(tmp_path, httpserver, [f"127.0.0.1:{httpserver.port}"]), tmp_path
    )
    assert [ref.item_key for ref in collected.items] == ["a"]
    assert collected.rejections == []


def test_private_address_is_refused_without_the_setting(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    collected = _collect(_sources_file(tmp_path, httpserver, []), tmp_path)
    assert [
        (r.reason, "allowed_private_endpoints" in r.detail) for r, _, _ in collected.rejections
    ] == [("blocked_address", True)]
    assert httpserver.log == []


def test_another_port_on_the_same_address_is_refused(
    httpserver: HTTPServer, internal: HTTPServer, tmp_path: Path
) -> None:
    path = _sources_file(tmp_path, internal, [f"127.0.0.1:{httpserver.port}"])
    collected = _collect(path, tmp_path)
    assert [r.reason for r, _, _ in collected.rejections] == ["blocked_address"]
    assert internal.log == []


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirect_from_the_allowed_endpoint_to_another_private_one_is_refused(
    httpserver: HTTPServer, internal: HTTPServer, tmp_path: Path, status: int
) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(
        b"", status=status, headers={"Location": internal.url_for("/feed.xml")}
    )
    collected = _collect(
        _sources_file(tmp_path, httpserver, [f"127.0.0.1:{httpserver.port}"]), tmp_path
    )
    [(rejection, _, _)] = collected.rejections
    assert rejection.reason == "blocked_address"
    assert f"redirect to http://127.0.0.1:{internal.port}/feed.xml" in rejection.detail
    assert len(httpserver.log) == 1
    assert internal.log == []  # refused before connecting


@pytest.mark.parametrize(
    "endpoint",
    ["10.0.0.0/8", "127.0.0.1", "mirror.internal:8080", "127.0.0.1:http", "*:8080", "0.0.0.0/0:80"],
)
def test_only_exact_ip_and_port_endpoints_are_accepted(endpoint: str) -> None:
    document = {
        "sources": [
            {
                "name": "mirror",
                "display_name": "Mirror",
                "kind": "rss",
                "base_url": "http://10.1.2.3:8080",
                "feed_url": "/feed.xml",
                "http": {"allowed_private_endpoints": [endpoint]},
            }
        ]
    }
    with pytest.raises(ConfigError, match="allowed_private_endpoints"):
        parse_sources(document)


def test_documented_example_parses() -> None:
    parsed = parse_sources(
        {
            "sources": [
                {
                    "name": "mirror",
                    "display_name": "Mirror",
                    "kind": "rss",
                    "base_url": "http://10.1.2.3:8080",
                    "feed_url": "/feed.xml",
                    "http": {"allowed_private_endpoints": ["10.1.2.3:8080", "[fd00::1]:443"]},
                }
            ]
        }
    )
    assert parsed.sources[0].http.allowed_private_endpoints == ["10.1.2.3:8080", "[fd00::1]:443"]
