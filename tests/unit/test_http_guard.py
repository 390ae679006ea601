"""The private-address guard, URL redaction, Retry-After parsing and body validators (no I/O)."""

from __future__ import annotations

import ipaddress
import socket
from datetime import UTC, datetime

import pytest

from orchestration.sources.http import (
    FetchResult,
    HttpSettings,
    expect_json,
    expect_xml,
    parse_retry_after,
    redact_url,
)
from orchestration.sources.http_guard import (
    AddressPolicy,
    BlockedAddress,
    check_url,
    parse_endpoint,
    parse_ip_literal,
)


def no_dns(*_args: object) -> list[tuple[object, ...]]:
    raise AssertionError("an IP literal or a local name must not be resolved")


def fixed_dns(*ips: str):
    def resolve(host: str, port: int, *_args: object) -> list[tuple[object, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in ips]

    return resolve


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("[::1]", "::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("feed.example", None),
        ("1.2.3.4.5", None),
        ("256.1.1.1", None),
    ],
)
def test_ip_literals_in_every_form_the_c_resolver_accepts(host: str, expected: str | None) -> None:
    parsed = parse_ip_literal(host)
    assert (str(parsed) if parsed else None) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://017700000001/",
        "http://localhost./",
        "http://LOCALHOST/",
        "http://api.localhost/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://0.0.0.0/",
        "http://[::]/",
        "http://[2002:7f00:1::]/",  # 6to4 wrapping 127.0.0.1
    ],
)
def test_non_public_addresses_are_blocked_without_dns(url: str) -> None:
    with pytest.raises(BlockedAddress):
        check_url(url, AddressPolicy(), no_dns)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/", "gopher://x/", "//x/"])
def test_non_http_schemes_are_blocked(url: str) -> None:
    with pytest.raises(BlockedAddress, match="scheme"):
        check_url(url, AddressPolicy(allow_private=True), no_dns)


def test_a_name_with_any_private_answer_is_blocked() -> None:
    with pytest.raises(BlockedAddress, match=r"10\.0\.0\.7"):
        check_url("https://feed.example/", AddressPolicy(), fixed_dns("93.184.216.34", "10.0.0.7"))
    check_url("https://feed.example/", AddressPolicy(), fixed_dns("93.184.216.34"))


def test_allowed_endpoint_is_exact_ip_and_port() -> None:
    policy = AddressPolicy.from_strings(False, ["127.0.0.1:8080", "[::1]:9000"])
    check_url("http://127.0.0.1:8080/feed", policy, no_dns)
    check_url("http://[::1]:9000/feed", policy, no_dns)
    check_url("http://[::ffff:127.0.0.1]:8080/feed", policy, no_dns)
    for url in ("http://127.0.0.1:8081/", "http://127.0.0.2:8080/", "http://10.0.0.1:8080/"):
        with pytest.raises(BlockedAddress):
            check_url(url, policy, no_dns)
    check_url("http://10.0.0.1/", AddressPolicy(allow_private=True), no_dns)


def test_endpoint_strings_must_be_ip_and_port() -> None:
    assert parse_endpoint("[::1]:80") == ("::1", 80)
    for bad in ("localhost:80", "127.0.0.1", "127.0.0.1:http"):
        with pytest.raises(ValueError, match="allowed endpoint"):
            parse_endpoint(bad)


def test_settings_refuse_the_never_expire_default() -> None:
    with pytest.raises(ValueError, match="never revalidates"):
        HttpSettings(cache_expire_s=-1)
    assert HttpSettings().cache_expire_s == 0
    assert ipaddress.ip_address("127.0.0.1") not in {
        ipaddress.ip_address(ip) for ip, _ in HttpSettings().address_policy.allowed_endpoints
    }


def test_redact_url_hides_userinfo_and_secret_query_values() -> None:
    redacted = redact_url("https://u:pw@x.org/f?api_key=S1&token=S2&page=2&Signature=S3")
    assert "S1" not in redacted and "S2" not in redacted and "S3" not in redacted
    assert "pw" not in redacted and "page=2" in redacted and redacted.startswith("https://x.org/f")


def test_retry_after_seconds_and_http_date() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now) == 0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def result(body: bytes, content_type: str = "application/xml") -> FetchResult:
    return FetchResult(
        url="https://x.org/f",
        final_url="https://x.org/f",
        status=200,
        headers={"content-type": content_type},
        body=body,
        fetched_at=datetime.now(UTC),
        from_cache=False,
        revalidated=False,
        attempts=1,
    )


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'<?xml version="1.0"?><rss><channel/></rss>', None),
        (b"\xef\xbb\xbf\n<feed xmlns='http://www.w3.org/2005/Atom'/>", None),
        (b"<!DOCTYPE html><html><body>Maintenance</body></html>", "HTML"),
        (b"<html xmlns='http://www.w3.org/1999/xhtml'><body/></html>", "HTML"),
        (b"<rss><channel><item><title>cut", "not well-formed"),
        (b"", "empty"),
        (b"Service Unavailable", "does not start"),
    ],
)
def test_expect_xml(body: bytes, problem: str | None) -> None:
    found = expect_xml(result(body))
    assert found is None if problem is None else (found is not None and problem in found)


def test_expect_json() -> None:
    assert expect_json(result(b'{"items": []}', "application/json")) is None
    assert "not JSON" in (expect_json(result(b"<html>", "text/html")) or "")
