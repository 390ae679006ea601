"""Private-address guard for outgoing HTTP (SSRF protection). Pure: no I/O except the resolver.

A feed URL is configuration and a redirect target is chosen by a remote server, so every hop
is checked here before anything is sent, and again when the socket is opened (see `http.py`),
which pins the connection to an address that passed the check (no DNS-rebinding window).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., Sequence[tuple[Any, ...]]]

ALLOWED_SCHEMES = frozenset({"http", "https"})
_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


class BlockedAddress(Exception):
    """A URL's scheme or address is not allowed by the `AddressPolicy`."""

    def __init__(self, host: str, detail: str) -> None:
        super().__init__(detail)
        self.host = host
        self.detail = detail


@dataclass(frozen=True)
class AddressPolicy:
    """Which non-public addresses may be contacted.

    `allow_private` lifts the guard entirely. `allowed_endpoints` lifts it for exact
    (ip, port) pairs only, e.g. `{("127.0.0.1", 8080)}` for a test server, so a redirect from
    there to another loopback port, 10.0.0.1 or 169.254.169.254 is still refused.
    """

    allow_private: bool = False
    allowed_endpoints: frozenset[tuple[str, int]] = frozenset()

    @classmethod
    def from_strings(cls, allow_private: bool, endpoints: Iterable[str]) -> AddressPolicy:
        """Build from `"127.0.0.1:8080"` / `"[::1]:8080"` strings (the settings format)."""
        return cls(allow_private, frozenset(parse_endpoint(item) for item in endpoints))

    def permits(self, ip: IPAddress, port: int) -> bool:
        if self.allow_private or is_public_address(ip):
            return True
        return (str(_unmap(ip)), port) in self.allowed_endpoints


def parse_endpoint(text: str) -> tuple[str, int]:
    """`"127.0.0.1:8080"` or `"[::1]:8080"` -> (normalised ip, port)."""
    host, sep, port = text.strip().rpartition(":")
    ip = parse_ip_literal(host.strip("[]")) if sep else None
    if ip is None or not port.isdigit():
        raise ValueError(f"allowed endpoint {text!r} must look like '127.0.0.1:8080' or '[::1]:80'")
    return str(_unmap(ip)), int(port)


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a host string denotes without DNS, or None for a name.

    Accepts every form `inet_aton` accepts, since the C resolver does too: `2130706433`,
    `0x7f000001`, `0177.0.0.1`, `127.1`, as well as bracketed or zone-scoped IPv6.
    """
    text = host.strip().strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    try:
        numbers = [int(part, 0) if not _is_octal(part) else int(part, 8) for part in parts]
    except ValueError:
        return None
    *head, last = numbers
    if any(not 0 <= n <= 255 for n in head) or last < 0 or last >= 256 ** (5 - len(parts)):
        return None
    value = 0
    for n in head:
        value = value * 256 + n
    value = value * 256 ** (4 - len(head)) + last
    return ipaddress.IPv4Address(value)


def _is_octal(part: str) -> bool:
    return len(part) > 1 and part.startswith("0") and part[1] not in "xX"


def _unmap(ip: IPAddress) -> IPAddress:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def is_public_address(ip: IPAddress) -> bool:
    """False for private, loopback, link-local, multicast, reserved, unspecified, shared
    (100.64/10), site-local and IPv4-mapped/6to4/Teredo forms of any of those."""
    ip = _unmap(ip)
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and not is_public_address(embedded):
            return False
        if ip.is_site_local:
            return False
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def check_scheme(url: str) -> None:
    """Refuse anything but http(s), e.g. file:, ftp:, gopher:."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise BlockedAddress(
            parts.hostname or "", f"scheme {parts.scheme or '(none)'!r} is not http(s)"
        )
    if not parts.hostname:
        raise BlockedAddress("", "the URL has no host")


def resolve_allowed(
    host: str, port: int, policy: AddressPolicy, resolver: Resolver = socket.getaddrinfo
) -> list[tuple[int, IPAddress]]:
    """Resolve `host` and return (family, ip) pairs, or raise BlockedAddress if ANY answer is
    refused by `policy` (a name with one private answer is treated as private)."""
    name = host.strip("[]").rstrip(".").lower()
    literal = parse_ip_literal(name)
    if literal is not None:
        candidates = [literal]
    elif name in _LOCAL_NAMES or name.endswith(".localhost"):
        candidates = [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
    else:
        infos = resolver(name, port, 0, socket.SOCK_STREAM)
        candidates = []
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            if address not in candidates:
                candidates.append(address)
        if not candidates:
            raise socket.gaierror(f"no addresses for {name}")
    for ip in candidates:
        if not policy.permits(ip, port):
            raise BlockedAddress(host, f"{host} resolves to non-public address {ip} (port {port})")
    return [(socket.AF_INET6 if ip.version == 6 else socket.AF_INET, ip) for ip in candidates]


def check_url(url: str, policy: AddressPolicy, resolver: Resolver = socket.getaddrinfo) -> None:
    """Raise BlockedAddress unless `url` is http(s) and its host resolves only to permitted
    addresses. DNS failures propagate as `socket.gaierror`."""
    check_scheme(url)
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    resolve_allowed(parts.hostname or "", port, policy, resolver)
