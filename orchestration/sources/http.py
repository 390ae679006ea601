"""The one HTTP client every source fetches through.

`HttpClient.fetch(url)` returns a `FetchResult` or raises `FetchError`. Per fetch it applies:

- a requests-cache SQLite cache (JSON serializer, never pickle; WAL; explicit expiry, default 0 =
  store and revalidate every time with If-None-Match / If-Modified-Since; only 200s cached);
- connect/read timeouts plus a wall-clock deadline over the whole fetch (retries, waits and a
  body trickled byte by byte included);
- retries with exponential backoff and jitter on 408/425/429/5xx and connection errors,
  honouring Retry-After (seconds or HTTP-date); a Retry-After above `retry_after_cap_s`
  **fails fast** with reason `retry_after_exceeded` instead of waiting;
- a body limit on decoded bytes (declared Content-Length checked before reading);
- a minimum interval between requests to the same host (cache hits do not count);
- manual redirects (at most `max_redirects`) with the private-address guard (`http_guard`) at
  every hop, and again when each socket is opened so the connection goes to a checked address;
- an optional `validate` callback, run before a body is cached; a body it rejects is never
  cached (and a cached one it rejects is deleted).

Nothing is logged except redacted URLs; request and response headers are never logged.
The client is not thread-safe: use one per thread.
"""

from __future__ import annotations

import base64
import contextvars
import email.utils
import json
import logging
import random
import re
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit
from xml.parsers import expat

import requests
from requests.adapters import HTTPAdapter
from requests_cache import CachedSession, SQLiteCache
from requests_cache.serializers import json_serializer
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.util import connection as urllib3_connection

from orchestration.sources.http_guard import (
    AddressPolicy,
    BlockedAddress,
    Resolver,
    check_url,
    resolve_allowed,
)
from orchestration.sources.redact import CACHE_IGNORED, secret_query_names
from orchestration.sources.redact import redact_url as _redact_url

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RESULT_HEADERS = ("content-type", "etag", "last-modified", "cache-control", "retry-after")
_ERROR_BODY_LIMIT = 64 * 1024
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class HttpSettings:
    """How one source is fetched. Defaults suit a public institutional site."""

    user_agent: str = "pressroom/0.1 (+https://github.com/pressroom/pressroom)"
    accept: str = "*/*"
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 20.0
    deadline_s: float = 60.0
    """Wall-clock limit for the whole fetch: every hop, retry, wait and body byte."""
    retries: int = 3
    """Extra attempts after the first, per hop."""
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0
    retry_after_cap_s: float = 60.0
    """A Retry-After above this fails fast (`retry_after_exceeded`) instead of waiting."""
    max_bytes: int = 10_000_000
    """Limit on the decoded body of a 200 response."""
    min_interval_s: float = 1.0
    """Minimum time between two requests to the same host."""
    max_redirects: int = 5
    allow_private: bool = False
    """Lift the private-address guard entirely (never for public sources)."""
    allowed_private_endpoints: tuple[str, ...] = ()
    """Exact non-public endpoints that may be contacted, e.g. ("127.0.0.1:8080",)."""
    cache_expire_s: int = 0
    """Seconds a cached 200 is used without asking the server; 0 = revalidate every fetch."""
    extra_headers: tuple[tuple[str, str], ...] = ()
    """Sent to the first URL's host only, never to a redirect target on another host; their
    values are never cached."""
    secret_names: tuple[str, ...] = ()
    """Query parameters that hold secrets beyond those that look like one (see `redact`)."""

    def __post_init__(self) -> None:
        if self.cache_expire_s < 0:
            raise ValueError("cache_expire_s must be >= 0 (requests-cache's -1 never revalidates)")
        for name in ("connect_timeout_s", "read_timeout_s", "deadline_s", "max_bytes"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0")

    @property
    def address_policy(self) -> AddressPolicy:
        return AddressPolicy.from_strings(self.allow_private, self.allowed_private_endpoints)


@dataclass(frozen=True)
class FetchResult:
    """A successful (HTTP 200) fetch."""

    url: str
    """The URL asked for."""
    final_url: str
    """The URL the body came from, after redirects."""
    status: int
    headers: Mapping[str, str]
    """Lower-case subset: content-type, etag, last-modified, cache-control, retry-after."""
    body: bytes
    """Decoded (Content-Encoding removed) body."""
    fetched_at: datetime
    """UTC time the body was confirmed by the origin (original time for a fresh cache hit)."""
    from_cache: bool
    revalidated: bool
    """True when the server answered 304 and the cached body was used."""
    attempts: int
    """Tries of the final URL (1 = first try; includes fresh cache hits)."""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


_HINTS = {
    "timeout": "The server did not answer in time; it may be down or slow. Try again later, "
    "or raise connect_timeout_s/read_timeout_s for this source.",
    "deadline_exceeded": "The whole fetch took longer than deadline_s; the server may be "
    "trickling data. Raise deadline_s for this source only if it is legitimately slow.",
    "too_large": "Raise max_bytes for this source if the document is legitimately that big.",
    "blocked_address": "Pressroom only contacts public http(s) addresses. If this source really "
    "lives on a private network, list it in allowed_private_endpoints.",
    "too_many_redirects": "Point the source at the final URL, or raise max_redirects.",
    "http_status": "Check the URL in the source configuration; for 5xx/429 try again later.",
    "connection": "Check the network, DNS and the host name, then try again.",
    "invalid_body": "Nothing was cached; the next run fetches again. If the site shows a "
    "maintenance page, wait; if its format changed, update the source.",
    "retry_after_exceeded": "The server asked us to wait longer than retry_after_cap_s; "
    "run again later.",
}


class FetchError(Exception):
    """A fetch that produced no usable body. `reason` is a short code (see `_HINTS`)."""

    def __init__(
        self, url: str, reason: str, detail: str, *, status: int | None = None, attempts: int = 0
    ) -> None:
        self.url = redact_url(url)
        self.reason = reason
        self.detail = detail
        self.status = status
        self.attempts = attempts
        super().__init__(f"{reason}: GET {self.url} failed: {detail}. {_HINTS.get(reason, '')}")


def redact_url(url: str) -> str:
    """The URL without user:password and with secret-looking query values replaced."""
    return _redact_url(url)


# --- ready-made validators ------------------------------------------------------------------

Validator = Callable[[FetchResult], "str | None"]


def expect_xml(result: FetchResult) -> str | None:
    """None if the body is well-formed XML whose root is not <html>; else what is wrong.

    Catches maintenance/login pages served as 200 and truncated feeds. External entities are
    not fetched (expat has no handler for them) and expat limits entity amplification.
    """
    body = result.body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not body:
        return "the body is empty"
    if not body.startswith(b"<"):
        return f"the body does not start with '<' (content-type {result.content_type or '?'})"
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    roots: list[str] = []
    parser.StartElementHandler = lambda name, _attrs: roots.append(name) if not roots else None
    try:
        parser.Parse(body, True)
    except expat.ExpatError as exc:
        if re.search(rb"<(!doctype\s+html|html[\s>])", body[:2048], re.I):
            return f"the body is an HTML page, not XML (content-type {result.content_type or '?'})"
        return f"the body is not well-formed XML (truncated?): {exc}"
    if roots and roots[0].rsplit(":", 1)[-1].lower() == "html":
        return f"the body is an HTML page, not XML (content-type {result.content_type or '?'})"
    return None


def expect_json(result: FetchResult) -> str | None:
    """None if the body parses as JSON; else what is wrong."""
    try:
        json.loads(result.body)
    except (ValueError, UnicodeDecodeError) as exc:
        return f"the body is not JSON (content-type {result.content_type or '?'}): {exc}"
    return None


# --- per-fetch state shared with the transport ------------------------------------------------


class _Transient(Exception):
    """A retryable failure raised by the transport (timeout or broken connection)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class _BlockedAtConnect(Exception):
    """The guard refused the address when opening a socket (e.g. DNS changed since the check)."""


@dataclass
class _FetchContext:
    client: HttpClient
    url: str
    settings: HttpSettings
    policy: AddressPolicy
    deadline_at: float
    validate: Validator | None
    attempt: int = 0
    cacheable: Callable[[FetchResult], bool] | None = None

    def remaining(self) -> float:
        return self.deadline_at - self.client._clock()

    def shown(self, url: str) -> str:
        """``url`` as it may appear in a message or log: secrets redacted."""
        return _redact_url(url, self.settings.secret_names)

    def deadline_error(self, doing: str) -> FetchError:
        return FetchError(
            self.url,
            "deadline_exceeded",
            f"deadline of {self.settings.deadline_s:g} s passed while {doing}",
            attempts=self.attempt,
        )


_CURRENT: contextvars.ContextVar[_FetchContext | None] = contextvars.ContextVar(
    "pressroom_fetch", default=None
)


class _GuardedConnectionMixin:
    """Resolve through the guard and connect only to an address it accepted."""

    _dns_host: str
    host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        ctx = _CURRENT.get()
        policy = ctx.policy if ctx else AddressPolicy()
        resolver = ctx.client._resolver if ctx else socket.getaddrinfo
        try:
            addresses = resolve_allowed(self._dns_host, self.port, policy, resolver)
        except BlockedAddress as exc:
            raise _BlockedAtConnect(exc.detail) from exc
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc  # type: ignore[arg-type]
        last_error: OSError | None = None
        for _family, ip in addresses:
            try:
                return urllib3_connection.create_connection(
                    (str(ip), self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as exc:
                raise ConnectTimeoutError(
                    self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
                ) from exc
            except OSError as exc:
                last_error = exc
        raise NewConnectionError(self, f"Failed to establish a new connection: {last_error}")  # type: ignore[arg-type]


class _GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _Transport(HTTPAdapter):
    """Sends one request: throttles per host, caps timeouts by the deadline, streams the body
    with a decoded-byte limit, and validates a 200 body before requests-cache can store it."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPPool,
            "https": _GuardedHTTPSPool,
        }

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        ctx = _CURRENT.get()
        if ctx is None:
            raise RuntimeError("pressroom's HTTP transport is only usable through HttpClient.fetch")
        # requests-cache passes per-request expiry as a Cache-Control request header; it is an
        # internal channel and must not reach the origin.
        request.headers.pop("Cache-Control", None)
        ctx.client._wait_for_host(urlsplit(request.url or "").hostname or "", ctx)
        remaining = ctx.remaining()
        if remaining <= 0:
            raise ctx.deadline_error("waiting to send the request")
        s = ctx.settings
        kwargs["timeout"] = (min(s.connect_timeout_s, remaining), min(s.read_timeout_s, remaining))
        kwargs["stream"] = True
        kwargs["proxies"] = {}
        try:
            response = super().send(request, **kwargs)
        except requests.Timeout as exc:
            raise _Transient("timeout", f"no answer in time ({type(exc).__name__})") from exc
        except requests.ConnectionError as exc:
            raise _Transient("connection", _short(exc)) from exc
        try:
            body, complete = self._read_body(response, ctx)
        except BaseException:
            response.close()
            raise
        response._content = body
        # A fully read body lets close() return the connection to the pool for reuse.
        response._content_consumed = complete
        response.close()
        if response.status_code == 200 and ctx.validate is not None:
            problem = ctx.validate(_result_from(response, ctx, from_cache=False))
            if problem:
                raise FetchError(ctx.url, "invalid_body", problem, status=200, attempts=ctx.attempt)
        return response

    @staticmethod
    def _read_body(response: requests.Response, ctx: _FetchContext) -> tuple[bytes, bool]:
        """(body, fully read). Only a 200 body is limited strictly; others are truncated."""
        status = response.status_code
        strict = status == 200
        limit = ctx.settings.max_bytes if strict else _ERROR_BODY_LIMIT
        declared = response.headers.get("Content-Length", "").strip()
        encoding = response.headers.get("Content-Encoding", "").strip().lower()
        encoded = encoding not in ("", "identity")
        if strict and declared.isdigit() and int(declared) > limit:
            raise FetchError(
                ctx.url,
                "too_large",
                f"Content-Length {declared} exceeds max_bytes={limit}",
                status=status,
                attempts=ctx.attempt,
            )
        chunks: list[bytes] = []
        total = 0
        raw = response.raw
        try:
            while True:
                if ctx.remaining() <= 0:
                    raise ctx.deadline_error(f"reading the body ({total} bytes so far)")
                chunk = raw.read1(_CHUNK, decode_content=True)
                if not chunk:
                    break
                total += len(chunk)
                if total > limit:
                    if not strict:
                        return b"".join(chunks), False
                    raise FetchError(
                        ctx.url,
                        "too_large",
                        f"the decoded body passed max_bytes={limit} while streaming",
                        status=status,
                        attempts=ctx.attempt,
                    )
                chunks.append(chunk)
        except ReadTimeoutError as exc:
            if ctx.remaining() <= 0:
                raise ctx.deadline_error(f"reading the body ({total} bytes so far)") from exc
            raise _Transient("timeout", f"the body stalled after {total} bytes") from exc
        except (ProtocolError, OSError) as exc:
            raise _Transient("connection", f"the body broke off after {total} bytes") from exc
        except DecodeError as exc:
            raise FetchError(
                ctx.url,
                "invalid_body",
                f"could not decode the body: {_short(exc)}",
                status=status,
                attempts=ctx.attempt,
            ) from exc
        body = b"".join(chunks)
        if strict and declared.isdigit() and not encoded and len(body) != int(declared):
            raise _Transient("connection", f"got {len(body)} of {declared} declared bytes")
        return body, True


def _split_userinfo(url: str) -> tuple[str, str | None]:
    """Move `user:password@` out of the URL into a Basic Authorization header value, so the
    credentials never reach the cache key, the stored URL, a result or a log line."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, host = parts.netloc.rsplit("@", 1)
    user, _, password = userinfo.partition(":")
    token = base64.b64encode(f"{unquote(user)}:{unquote(password)}".encode()).decode()
    return urlunsplit(
        (parts.scheme, host, parts.path, parts.query, parts.fragment)
    ), f"Basic {token}"


def _short(exc: BaseException) -> str:
    """The innermost cause's message, without request headers or long reprs."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _result_from(
    response: requests.Response, ctx: _FetchContext, *, from_cache: bool
) -> FetchResult:
    revalidated = bool(getattr(response, "revalidated", False))
    created = getattr(response, "created_at", None)
    if from_cache and not revalidated and isinstance(created, datetime):
        fetched_at = created if created.tzinfo else created.replace(tzinfo=UTC)
    else:
        fetched_at = datetime.now(UTC)
    headers = {name: response.headers[name] for name in RESULT_HEADERS if name in response.headers}
    return FetchResult(
        url=ctx.url,
        final_url=response.url or ctx.url,
        status=response.status_code,
        headers=headers,
        body=response.content or b"",
        fetched_at=fetched_at,
        from_cache=from_cache,
        revalidated=revalidated,
        attempts=ctx.attempt,
    )


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


# --- the client -------------------------------------------------------------------------------


class HttpClient:
    """Fetches URLs through one cache. `sleep`, `clock`, `resolver` and `rng` are injectable
    for tests; `clock` must be monotonic seconds and is used for the deadline and host spacing.
    """

    def __init__(
        self,
        cache_path: Path | None,
        settings: HttpSettings | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        resolver: Resolver = socket.getaddrinfo,
        rng: random.Random | None = None,
    ) -> None:
        self.cache_path = cache_path
        self.settings = settings or HttpSettings()
        self._sleep = sleep
        self._clock = clock
        self._resolver = resolver
        self._rng = rng or random.Random()
        self._last_request_at: dict[str, float] = {}
        self._session = _make_session(cache_path, self.settings)

    @property
    def cache(self) -> SQLiteCache:
        """The requests-cache backend (for inspection and maintenance)."""
        return self._session.cache  # type: ignore[return-value]

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def fetch(
        self,
        url: str,
        *,
        validate: Validator | None = None,
        settings: HttpSettings | None = None,
        cacheable: Callable[[FetchResult], bool] | None = None,
    ) -> FetchResult:
        """GET `url` (following redirects) and return its 200 body, or raise FetchError.

        `validate(result)` returns None to accept a body or a short description of what is
        wrong; a rejected body is not cached (a rejected cached copy is deleted) and raises
        FetchError(reason="invalid_body"). `cacheable(result)` False keeps an accepted body out
        of the cache (e.g. a truncated feed read for its complete entries). `settings`
        overrides the client's for this fetch.
        """
        s = settings or self.settings
        url, basic_auth = _split_userinfo(url)
        if basic_auth:
            s = replace(s, extra_headers=(*s.extra_headers, ("Authorization", basic_auth)))
        ctx = _FetchContext(
            client=self,
            url=url,
            settings=s,
            policy=s.address_policy,
            deadline_at=self._clock() + s.deadline_s,
            validate=validate,
            cacheable=cacheable,
        )
        token = _CURRENT.set(ctx)
        try:
            return self._fetch(ctx)
        finally:
            _CURRENT.reset(token)

    def _fetch(self, ctx: _FetchContext) -> FetchResult:
        s = ctx.settings
        current = ctx.url
        first_host = urlsplit(current).hostname
        for hop in range(s.max_redirects + 1):
            self._check_address(current, ctx)
            headers = {"User-Agent": s.user_agent, "Accept": s.accept}
            if urlsplit(current).hostname == first_host:
                headers.update(s.extra_headers)
            response = self._get_with_retries(current, headers, ctx)
            location = response.headers.get("Location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                break
            target = urljoin(current, location)
            logger.debug("redirect %d: %s -> %s", hop + 1, ctx.shown(current), ctx.shown(target))
            current = target
        else:
            raise FetchError(
                ctx.url,
                "too_many_redirects",
                f"more than max_redirects={s.max_redirects} redirects "
                f"(last to {ctx.shown(current)})",
                status=response.status_code,
                attempts=ctx.attempt,
            )
        if response.status_code != 200:
            raise FetchError(
                ctx.url,
                "http_status",
                f"HTTP {response.status_code} from {ctx.shown(current)}",
                status=response.status_code,
                attempts=ctx.attempt,
            )
        from_cache = bool(getattr(response, "from_cache", False))
        result = _result_from(response, ctx, from_cache=from_cache)
        if from_cache and ctx.validate is not None:
            problem = ctx.validate(result)
            if problem:
                key = getattr(response, "cache_key", None)
                if key:
                    self.cache.delete(key)
                raise FetchError(
                    ctx.url,
                    "invalid_body",
                    f"cached copy rejected: {problem}",
                    status=200,
                    attempts=ctx.attempt,
                )
        if not from_cache and ctx.cacheable is not None and not ctx.cacheable(result):
            key = getattr(response, "cache_key", None)
            if key:
                self.cache.delete(key)
        logger.info(
            "fetched %s: %d bytes%s in %d attempt(s)",
            ctx.shown(result.final_url),
            len(result.body),
            " (revalidated)" if result.revalidated else " (cache)" if from_cache else "",
            result.attempts,
        )
        return result

    def _check_address(self, url: str, ctx: _FetchContext) -> None:
        try:
            check_url(url, ctx.policy, self._resolver)
        except BlockedAddress as exc:
            where = "" if url == ctx.url else f" (redirect to {ctx.shown(url)})"
            raise FetchError(
                ctx.url, "blocked_address", f"{exc.detail}{where}", attempts=ctx.attempt
            ) from exc
        except (socket.gaierror, UnicodeError) as exc:
            raise FetchError(
                ctx.url,
                "connection",
                f"cannot resolve {ctx.shown(url)}: {exc}",
                attempts=ctx.attempt,
            ) from exc
        except ValueError as exc:  # e.g. a non-numeric port
            raise FetchError(
                ctx.url,
                "blocked_address",
                f"invalid URL {ctx.shown(url)}: {exc}",
                attempts=ctx.attempt,
            ) from exc

    def _get_with_retries(
        self, url: str, headers: dict[str, str], ctx: _FetchContext
    ) -> requests.Response:
        s = ctx.settings
        ctx.attempt = 0
        # Secret query parameters and every configured header stay out of the cache file.
        self._session.settings.ignored_parameters = (
            *CACHE_IGNORED, *s.secret_names, *secret_query_names(url, s.secret_names),
            *(name for name, _ in s.extra_headers))
        while True:
            ctx.attempt += 1
            retry_after: float | None = None
            status: int | None = None
            try:
                response = self._session.request(
                    "GET",
                    url,
                    headers=headers,
                    allow_redirects=False,
                    expire_after=s.cache_expire_s,
                )
            except _Transient as exc:
                reason, detail = exc.reason, exc.detail
            except _BlockedAtConnect as exc:
                raise FetchError(
                    ctx.url, "blocked_address", f"{ctx.shown(url)}: {exc}", attempts=ctx.attempt
                ) from exc
            else:
                if response.status_code not in RETRY_STATUSES:
                    return response
                status = response.status_code
                reason, detail = "http_status", f"HTTP {status} from {ctx.shown(url)}"
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if ctx.remaining() <= 0:
                raise ctx.deadline_error(f"attempt {ctx.attempt} failed ({detail})")
            if ctx.attempt > s.retries:
                raise FetchError(
                    ctx.url,
                    reason,
                    f"{detail} (gave up after {ctx.attempt} attempts)",
                    status=status,
                    attempts=ctx.attempt,
                )
            if retry_after is not None and retry_after > s.retry_after_cap_s:
                raise FetchError(
                    ctx.url,
                    "retry_after_exceeded",
                    f"{detail} with Retry-After {retry_after:g} s > retry_after_cap_s="
                    f"{s.retry_after_cap_s:g}",
                    status=status,
                    attempts=ctx.attempt,
                )
            delay = max(self._backoff(ctx.attempt, s), retry_after or 0.0)
            logger.warning(
                "retrying %s in %.1f s after %s (attempt %d of %d)",
                ctx.shown(url),
                delay,
                detail,
                ctx.attempt,
                s.retries + 1,
            )
            if delay >= ctx.remaining():
                raise ctx.deadline_error(f"about to wait {delay:g} s before a retry ({detail})")
            self._sleep(delay)

    def _backoff(self, attempt: int, s: HttpSettings) -> float:
        base = min(s.max_backoff_s, s.backoff_s * 2 ** (attempt - 1))
        return base + self._rng.uniform(0, 0.1 * base)

    def _wait_for_host(self, host: str, ctx: _FetchContext) -> None:
        """Sleep so that requests to `host` are at least min_interval_s apart."""
        interval = ctx.settings.min_interval_s
        last = self._last_request_at.get(host)
        if last is not None and interval > 0:
            wait = last + interval - self._clock()
            if wait > 0:
                if wait >= ctx.remaining():
                    raise ctx.deadline_error(f"waiting {wait:.2f} s for {host}'s rate limit")
                self._sleep(wait)
        self._last_request_at[host] = self._clock()


def _open_shared_cache(cache_path: Path, attempts: int = 50) -> SQLiteCache:
    """The cache file in WAL mode. Switching a new file to WAL takes a lock before the busy
    timeout applies, so processes opening it at the same moment retry briefly."""
    import sqlite3
    import time

    for attempt in range(attempts):
        try:
            return SQLiteCache(
                str(cache_path), serializer=json_serializer, wal=True, busy_timeout=10_000
            )
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.1)
    raise AssertionError("unreachable")


def _make_session(cache_path: Path | None, settings: HttpSettings) -> CachedSession:
    if cache_path is not None:
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        backend = _open_shared_cache(cache_path)
    else:
        backend = SQLiteCache(
            "pressroom-http", use_memory=True, serializer=json_serializer, busy_timeout=10_000
        )
    session = CachedSession(
        backend=backend,
        expire_after=settings.cache_expire_s,
        allowable_codes=(200,),
        allowable_methods=("GET",),
        cache_control=False,
        stale_if_error=False,
    )
    session.trust_env = False  # no proxies or .netrc credentials from the environment
    session.headers.clear()
    session.headers.update(
        {
            "User-Agent": settings.user_agent,
            "Accept": settings.accept,
            "Accept-Encoding": "gzip, deflate",
        }
    )
    transport = _Transport(max_retries=0)
    session.mount("http://", transport)
    session.mount("https://", transport)
    return session
