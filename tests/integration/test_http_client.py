"""HttpClient against real HTTP servers on 127.0.0.1 (pytest-httpserver and raw sockets)."""

from __future__ import annotations

import gzip
import json
import logging
import pickle
import socket
import sqlite3
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from random import Random

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from orchestration.sources.http import (
    FetchError,
    HttpClient,
    HttpSettings,
    expect_json,
    expect_xml,
)

pytestmark = pytest.mark.timeout(20)

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
MAINTENANCE = b"<!DOCTYPE html><html><body><h1>Down for maintenance</h1></body></html>"


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """Serve on 127.0.0.1 (not "localhost", which also resolves to ::1)."""
    return ("127.0.0.1", 0)


class FakeTime:
    """A monotonic clock that only moves when `sleep` is called; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def make_client(
    tmp_path: Path, httpserver: HTTPServer, fake_time: FakeTime
) -> Iterator[Callable[..., HttpClient]]:
    clients: list[HttpClient] = []

    def make(*, real_time: bool = False, **overrides: object) -> HttpClient:
        options: dict[str, object] = {
            "allowed_private_endpoints": (f"127.0.0.1:{httpserver.port}",),
            "min_interval_s": 0.0,
            "connect_timeout_s": 2.0,
            "read_timeout_s": 2.0,
            "deadline_s": 10.0,
        }
        options.update(overrides)
        timing = {} if real_time else {"sleep": fake_time.sleep, "clock": fake_time.clock}
        client = HttpClient(
            tmp_path / "cache" / "http.sqlite",
            HttpSettings(**options),  # type: ignore[arg-type]
            rng=Random(7),
            **timing,  # type: ignore[arg-type]
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def other_server() -> Iterator[HTTPServer]:
    """A second loopback server that the client is NOT allowed to reach."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request("/").respond_with_data("internal secret")
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@contextmanager
def raw_server(script: Callable[[socket.socket], None]) -> Iterator[tuple[int, list[int]]]:
    """A loopback TCP server that runs `script(conn)` after reading each request's headers.

    Yields (port, connections) where `connections` counts accepted connections.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    connections: list[int] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            connections.append(1)
            with conn:
                conn.settimeout(5)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                with suppress(OSError):  # the client hung up first
                    script(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port, connections
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def cached_rows(client: HttpClient) -> int:
    return len(list(client.cache.responses.keys()))


# --- cache and revalidation -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("validator_header", "conditional_header", "value"),
    [
        ("ETag", "If-None-Match", '"v1"'),
        ("Last-Modified", "If-Modified-Since", "Fri, 27 Nov 2026 02:51:35 GMT"),
    ],
)
def test_second_fetch_revalidates_and_a_304_serves_the_cached_body(
    httpserver: HTTPServer,
    make_client: Callable[..., HttpClient],
    validator_header: str,
    conditional_header: str,
    value: str,
) -> None:
    def handler(request: Request) -> Response:
        if request.headers.get(conditional_header) == value:
            return Response(status=304, headers={validator_header: value})
        return Response(FEED, content_type="application/rss+xml", headers={validator_header: value})

    httpserver.expect_request("/feed").respond_with_handler(handler)
    client = make_client()

    first = client.fetch(httpserver.url_for("/feed"), validate=expect_xml)
    second = client.fetch(httpserver.url_for("/feed"), validate=expect_xml)

    assert (first.from_cache, first.revalidated, first.body) == (False, False, FEED)
    assert (second.from_cache, second.revalidated, second.body) == (True, True, FEED)
    assert second.status == 200
    (req1, resp1), (req2, resp2) = httpserver.log
    assert conditional_header not in req1.headers
    assert "Cache-Control" not in req1.headers  # requests-cache's internal expiry channel
    assert req2.headers.get(conditional_header) == value
    assert [resp1.status_code, resp2.status_code] == [200, 304]


def test_fresh_entry_is_served_without_contacting_the_server(
    httpserver: HTTPServer, make_client: Callable[..., HttpClient]
) -> None:
    httpserver.expect_request("/feed").respond_with_data(FEED, headers={"ETag": '"a"'})
    client = make_client(cache_expire_s=3600)

    client.fetch(httpserver.url_for("/feed"))
    again = client.fetch(httpserver.url_for("/feed"))

    assert again.from_cache and not again.revalidated and again.body == FEED
    assert len(httpserver.log) == 1


def test_cache_file_uses_the_json_serializer_not_pickle(
    httpserver: HTTPServer, make_client: Callable[..., HttpClient], tmp_path: Path
) -> None:
    httpserver.expect_request("/feed").respond_with_data(FEED, headers={"ETag": '"a"'})
    client = make_client()
    client.fetch(httpserver.url_for("/feed"))

    assert client.cache.responses.serializer.name == "json"  # type: ignore[attr-defined]
    with sqlite3.connect(tmp_path / "cache" / "http.sqlite") as db:
        values = [row[0] for row in db.execute("select value from responses")]
        journal_mode = db.execute("pragma journal_mode").fetchone()[0]
    assert len(values) == 1
    raw = values[0] if isinstance(values[0], bytes) else values[0].encode()
    assert not raw.startswith(b"\x80")  # the pickle protocol marker
    assert json.loads(raw)["status_code"] == 200
    assert journal_mode == "wal"


def test_non_200_responses_are_not_cached(
    httpserver: HTTPServer, make_client: Callable[..., HttpClient]
) -> None:
    httpserver.expect_request("/gone").respond_with_data(
        "nope", status=404, headers={"ETag": '"x"'}
    )
    client = make_client(cache_expire_s=3600)

    with pytest.raises(FetchError) as caught:
        client.fetch(httpserver.url_for("/gone"))

    assert caught.value.reason == "http_status" and caught.value.status == 404
    assert caught.value.attempts == 1  # 404 is not retried
    assert cached_rows(client) == 0


# --- invalid bodies -----------------------------------------------------------------------------


def test_maintenance_page_is_not_cached_and_the_next_fetch_goes_to_the_origin(
    httpserver: HTTPServer, make_client: Callable[..., HttpClient]
) -> None:
    httpserver.expect_ordered_request("/feed").respond_with_data(
        MAINTENANCE, content_type="text/html", headers={"ETag": '"maint"'}
    )
    httpserver.expect_ordered_request("/feed").respond_with_data(
        FEED, content_type="application/rss+xml", headers={"ETag": '"good"'}
    )
    client = make_client(cache_expire_s=3600)

    with pytest.raises(FetchError) as caught:
        client.fetch(httpserver.url_for("/feed"), validate=expect_xml)
    assert caught.value.reason == "invalid_body"
    assert "HTML" in str(caught.value)
    assert cached_rows(client) == 0

    good = client.fetch(httpserver.url_for("/feed"), validate=expect_xml)
    assert (good.from_cache, good.body) == (False, FEED)
    assert "If-None-Match" not in httpserver.log[1][0].headers


def test_cached_copy_rejected_by_the_validator_is_deleted(
    httpserver: HTTPServer, make_client: Callable[..., HttpClient]
) -> None:
    httpserver.expect_request("/data").respond_with_data(FEED, headers={"ETag": '"a"'})
    client = make_client(cache_expire_s=3600)
    client.fetch(httpserver.url_for("/data"))  # cached without validation
    assert cached_rows(client) == 1

    with pytest.raises(FetchError) as caught:
        client.fetch(httpserver.url_for("/data"), validate=expect_json)
    assert caught.value.reason == "invalid_body"
    assert cached_rows(client) == 0
    assert client.fetch(httpserver.url_for("/data")).from_cache is False


def test_truncated_body_is_retried_and_never_cached(
    make_client: Callable[..., HttpClient], fake_time: FakeTime
) -> None:
    def half_body(conn: socket.socket) -> None:
        conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\nETag: "t"\r\n\r\n' + b"<" * 50)

    with raw_server(half_body) as (port, connections):
        client = make_client(allowed_private_endpoints=(f"127.0.0.1:{port}",), retries=1)
        with pytest.raises(FetchError) as caught:
            client.fetch(f"http://127.0.0.1:{port}/feed")

    assert caught.value.reason == "connection" and caught.value.attempts == 2
    assert len(connections) == 2 and len(fake_time.sleeps) == 1
    assert cached_rows(client) == 0


# --- retries ------------------------------------------------------------------------------------


def test_429_with_retry_after_seconds_waits_at_least_that_long(
    httpserver: HTTPServer, make_client: Callable[..., HttpClient], fake_time: FakeTime
) -> None:
    httpserver.expect_ordered_request("/feed").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request("/feed").respond_with_data(FEED)

    result = make_client().fetch(httpserver.url_for("/feed"))

    assert result.body == FEED and result.attempts == 2
    assert len(fake_time.sleeps) == 1 and fake_time.sleeps[0] >= 7


def test_503_with_retry_after_http_date_waits_until_that_date(
    httpserver: HTTPServer, make_client: Callable[..., HttpClient], fake_time: FakeTime
) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    httpserver.expect_ordered_request("/feed").respond_with_data(
        "busy", status=503, headers={"Retry-After": when}
    )
    httpserver.expect_ordered_request("/feed").respond_with_data(FEED)

    result = make_client(deadline_s=60).fetch(httpserver.url_for("/feed"))

    assert result.attempts == 2
    assert 17 <= fake_time.sleeps[0] <= 21


def test_retry_after_above_the_cap_fails_fast(
    httpserver: HTTPServer, make_client: Callable[..., HttpClient], fake_time: FakeTime
) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        "come back tomorrow", status=429, headers={"Retry-After": "86400"}
    )

    with pytest.raises(FetchError) as caught:
        make_client(retry_after_cap_s=60).fetch(httpserver.url_for("/feed"))

    assert caught.value.reason == "retry_after_exceeded"
    assert "86400" in str(caught.value) and "retry_after_cap_s" in str(caught.value)
    assert fake_time.sleeps == []
    assert len(httpserver.log) == 1


def test_503_three_times_then_200_backs_off_exponentially(
    httpserver: HTTPServer, make_client: Callable[..., HttpClient], fake_time: FakeTime
) -> None:
    for _ in range(3):
        httpserver.expect_ordered_request("/feed").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/feed").respond_with_data(FEED)

    result = make_client(retries=3, backoff_s=1.0).fetch(httpserver.url_for("/feed"))

    assert result.attempts == 4 and result.body == FEED
    first, second, third = fake_time.sleeps
    assert 1.0 <= first <= 1.1 and 2.0 <= second <= 2.2 and 4.0 <= third <= 4.4
    assert len(httpserver.log) == 4


def test_503_beyond_the_retry_budget_reports_the_status_and_attempts(
    httpserver: HTTPServer, make_client: Callable[..., HttpClient]
) -> None:
    httpserver.expect_request("/feed").respond_with_data("busy", status=503)

    with pytest.raises(FetchError) as caught:
        make_client(retries=2).fetch(httpserver.url_for("/feed"))

    assert (caught.value.reason, caught.value.status, caught.value.attempts) == (
        "http_status",
        503,
        3,
    )


# --- time and size limits -------------------------------------------------------------------


def test_trickled_body_is_stopped_by_the_deadline(
    httpserver: HTTPServer, make_client: Callable[..., HttpClient]
) -> None:
    def trickle() -> Iterator[bytes]:
        yield b"<rss>"
        for _ in range(40):  # would take 20 s
            time.sleep(0.5)
            yield b" "

    httpserver.expect_request("/feed").respond_with_handler(
        lambda _request: Response(trickle(), content_type="application/rss+xml")
    )
    client = make_client(real_time=True, deadline_s=1.5, read_timeout_s=1.0, retries=2)

    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        client.fetch(httpserver.url_for("/feed"))
    elapsed = time.monotonic() - started

    assert caught.value.reason == "deadline_exceeded"
    assert 1.4 <= elapsed < 3.0
    assert cached_rows(client) == 0


def test_server_that_never_answers_times_out_and_is_retried(
    make_client: Callable[..., HttpClient],
) -> None:
    with raw_server(lambda conn: time.sleep(1.5)) as (port, _):
        client = make_client(
            real_time=True,
            allowed_private_endpoints=(f"127.0.0.1:{port}",),
            read_timeout_s=0.3,
            retries=1,
            backoff_s=0.05,
        )
        started = time.monotonic()
        with pytest.raises(FetchError) as caught:
            client.fetch(f"http://127.0.0.1:{port}/feed")
        elapsed = time.monotonic() - started

    assert caught.value.reason == "timeout" and caught.value.attempts == 2
    assert elapsed < 2.0


def test_declared_content_length_over_the_limit_is_refused_before_reading(
    make_client: Callable[..., HttpClient],
) -> None:
    def huge(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5000000000\r\n\r\n<rss>")
        time.sleep(2)  # reading the body would hang here until the read timeout

    with raw_server(huge) as (port, _):
        client = make_client(
            real_time=True, allowed_private_endpoints=(f"127.0.0.1:{port}",), max_bytes=1_000_000
        )
        started = time.monotonic()
        with pytest.raises(FetchError) as caught:
            client.fetch(f"http://127.0.0.1:{port}/feed")
        elapsed = time.monotonic() - started

    assert caught.value.reason == "too_large" and "Content-Length" in str(caught.value)
    assert elapsed < 1.0
    assert cached_rows(client) == 0


def test_streamed_body_without_content_length_is_aborted_at_the_limit(
    httpserver: HTTPServer, make_client: Callable[..., HttpClient]
) -> None:
    sent: list[int] = []

    def endless() -> Iterator[bytes]:
        for _ in range(10_000):
            sent.append(1)
            yield b"x" * 1000

    httpserver.expect_request("/feed").respond_with_handler(
        lambda _request: Response(endless(), headers={"ETag": '"big"'})
    )
    client = make_client(max_bytes=20_000)

    with pytest.raises(FetchError) as caught:
        client.fetch(httpserver.url_for("/feed"))

    assert caught.value.reason == "too_large"
    assert "Content-Length" not in httpserver.log[0][1].headers
    assert cached_rows(client) == 0


def test_compressed_body_is_limited_by_its_decoded_size(
    httpserver: HTTPServer, make_client: Callable[..., HttpClient]
) -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)  # about 5 KB on the wire
    httpserver.expect_request("/feed").respond_with_data(
        bomb, headers={"Content-Encoding": "gzip", "ETag": '"z"'}
    )
    client = make_client(max_bytes=100_000)

    with pytest.raises(FetchError) as caught:
        client.fetch(httpserver.url_for("/feed"))

    assert len(bomb) < 100_000
    assert caught.value.reason == "too_large" and "streaming" in str(caught.value)
    assert cached_rows(client) == 0


def test_requests_to_one_host_are_spaced_by_min_interval(
    httpserver: HTTPServer, make_client: Callable[..., HttpClient], fake_time: FakeTime
) -> None:
    httpserver.expect_request("/a").respond_with_data(FEED)
    httpserver.expect_request("/b").respond_with_data(FEED)
    client = make_client(min_interval_s=5.0)

    client.fetch(httpserver.url_for("/a"))
    client.fetch(httpserver.url_for("/b"))
    assert fake_time.sleeps == [pytest.approx(5.0)]

    fake_time.now += 60  # long after the last request: no wait
    client.fetch(httpserver.url_for("/a"))
    assert len(fake_time.sleeps) == 1
    assert len(httpserver.log) == 3


# --- redirects and the private-address guard ----------------------------------------------------


def test_redirect_to_an_allowed_host_is_followed(
    httpserver: HTTPServer, make_client: Callable[..., HttpClient]
) -> None:
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": "/new"}
    )
    httpserver.expect_request("/new").respond_with_data(FEED)

    result = make_client().fetch(httpserver.url_for("/old"))

    assert result.final_url == httpserver.url_for("/new") and result.url.endswith("/old")
    assert result.body == FEED


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{port}/",
        "http://2130706433:{port}/",
        "http://0x7f000001:{port}/",
        "http://localhost.:{port}/",
        "http://[::ffff:127.0.0.1]:{port}/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/",
        "file:///etc/passwd",
        "ftp://127.0.0.1:{port}/",
    ],
)
def test_redirect_to_a_private_or_non_http_target_is_refused(
    httpserver: HTTPServer,
    other_server: HTTPServer,
    make_client: Callable[..., HttpClient],
    target: str,
) -> None:
    location = target.format(port=other_server.port)
    httpserver.expect_request("/feed").respond_with_data(
        "", status=302, headers={"Location": location}
    )

    with pytest.raises(FetchError) as caught:
        make_client().fetch(httpserver.url_for("/feed"))

    assert caught.value.reason == "blocked_address"
    assert "allowed_private_endpoints" in str(caught.value)
    assert len(httpserver.log) == 1
    assert other_server.log == []


def test_dns_rebinding_between_check_and_connect_is_refused(
    httpserver: HTTPServer, other_server: HTTPServer, make_client: Callable[..., HttpClient]
) -> None:
    answers = iter(["93.184.216.34", "127.0.0.1"])  # public for the check, then loopback

    def rebinding_resolver(host: str, port: int, *_args: object) -> list[tuple[object, ...]]:
        ip = next(answers)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))]

    client = make_client()
    client._resolver = rebinding_resolver  # type: ignore[assignment]

    with pytest.raises(FetchError) as caught:
        client.fetch(f"http://feed.example:{other_server.port}/")

    assert caught.value.reason == "blocked_address"
    assert other_server.log == []


def test_redirect_loop_stops_at_max_redirects(
    httpserver: HTTPServer, make_client: Callable[..., HttpClient]
) -> None:
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})

    with pytest.raises(FetchError) as caught:
        make_client(max_redirects=3).fetch(httpserver.url_for("/a"))

    assert caught.value.reason == "too_many_redirects"
    assert len(httpserver.log) == 4  # the first request plus three redirects followed


def test_direct_private_url_is_refused_without_a_request(other_server: HTTPServer) -> None:
    with HttpClient(None, HttpSettings()) as client, pytest.raises(FetchError) as caught:
        client.fetch(other_server.url_for("/"))
    assert caught.value.reason == "blocked_address"
    assert other_server.log == []


# --- headers and secrets ------------------------------------------------------------------------


def test_user_agent_names_the_project(
    httpserver: HTTPServer, make_client: Callable[..., HttpClient]
) -> None:
    httpserver.expect_request("/feed").respond_with_data(FEED)

    make_client().fetch(httpserver.url_for("/feed"))

    user_agent = httpserver.log[0][0].headers["User-Agent"]
    assert user_agent.startswith("pressroom/") and "github.com/pressroom" in user_agent


def test_credentials_never_reach_errors_logs_or_the_cache(
    httpserver: HTTPServer,
    make_client: Callable[..., HttpClient],
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    canary = "CANARY-5f1e0c"
    httpserver.expect_ordered_request("/feed").respond_with_data("no", status=503)
    httpserver.expect_ordered_request("/feed").respond_with_data(FEED)
    httpserver.expect_ordered_request("/feed").respond_with_data("no", status=404)
    client = make_client(retries=1, extra_headers=(("X-Api-Key", canary),))
    base = f"127.0.0.1:{httpserver.port}/feed?api_key={canary}&page=2"

    caplog.set_level(logging.INFO)  # third-party loggers at the production level
    caplog.set_level(logging.DEBUG, logger="orchestration")
    ok = client.fetch(f"http://{base}")
    with pytest.raises(FetchError) as caught:
        client.fetch(f"http://user:{canary}@{base}")

    assert httpserver.log[0][0].headers["X-Api-Key"] == canary
    assert httpserver.log[2][0].headers["Authorization"].startswith("Basic ")
    assert canary not in str(caught.value) and canary not in caught.value.url
    assert "page=2" in caught.value.url
    ours = [r for r in caplog.records if not r.name.startswith("werkzeug")]  # the test server
    assert any(r.name.startswith("orchestration") for r in ours)
    assert all(canary not in r.getMessage() for r in ours)
    assert ok.body == FEED
    cache_bytes = b"".join(p.read_bytes() for p in (tmp_path / "cache").iterdir())
    assert canary.encode() not in cache_bytes


# --- matrix rows 9 and 17 -------------------------------------------------------------------


def test_reset_after_half_the_body_is_retried_and_never_cached(
    make_client: Callable[..., HttpClient], fake_time: FakeTime
) -> None:
    def reset(conn: socket.socket) -> None:
        conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\nETag: "r"\r\n\r\n' + b"<" * 50)
        # Linger on, timeout 0: close() sends RST instead of FIN.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    with raw_server(reset) as (port, connections):
        client = make_client(allowed_private_endpoints=(f"127.0.0.1:{port}",), retries=2)
        with pytest.raises(FetchError) as caught:
            client.fetch(f"http://127.0.0.1:{port}/feed")

    assert caught.value.reason == "connection" and caught.value.attempts == 3
    assert len(connections) == 3
    assert cached_rows(client) == 0


def test_refused_connection_is_retried_then_reported(
    make_client: Callable[..., HttpClient], fake_time: FakeTime
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nothing listens
    client = make_client(allowed_private_endpoints=(f"127.0.0.1:{port}",), retries=2)
    with pytest.raises(FetchError) as caught:
        client.fetch(f"http://127.0.0.1:{port}/feed")
    assert caught.value.reason == "connection" and caught.value.attempts == 3
    assert len(fake_time.sleeps) == 2  # backed off between attempts


class _Payload:
    """Pickles to a call that creates a file: proof that cached bytes were unpickled."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple:
        return (Path.touch, (self.path,))


def test_a_tampered_cache_row_runs_no_code_and_is_fetched_again(
    httpserver: HTTPServer, make_client: Callable[..., HttpClient], tmp_path: Path
) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        FEED, content_type="application/rss+xml", headers={"ETag": '"a"'}
    )
    client = make_client()
    client.fetch(httpserver.url_for("/feed"), validate=expect_xml)
    canary = tmp_path / "unpickled"
    crafted = pickle.dumps(_Payload(canary))
    with sqlite3.connect(tmp_path / "cache" / "http.sqlite") as db:
        assert db.execute("update responses set value = ?", [crafted]).rowcount == 1

    again = client.fetch(httpserver.url_for("/feed"), validate=expect_xml)

    assert not canary.exists()
    assert again.body == FEED and not again.from_cache
    assert len(httpserver.log) == 2
