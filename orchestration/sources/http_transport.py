"""Live transport: the hardened HTTP client behind the Transport interface."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from orchestration.deadlines import Deadline
from orchestration.settings import secret_environment, timeout_setting
from orchestration.sources.config import SourceConfig
from orchestration.sources.http import FetchError, FetchResult, HttpClient, HttpSettings
from orchestration.sources.transport import Cacheable, Response, TransportError, Validator


class MissingSecretError(ValueError):
    """A header configured through ``headers_from_env`` whose variable is not set."""


def source_headers(source: SourceConfig, environ: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The source's ``headers_from_env`` with their values (sent to its own host only)."""
    headers = []
    for header, variable in source.http.headers_from_env.items():
        value = environ.get(variable)
        if not value:
            raise MissingSecretError(
                f"source {source.name!r}: header {header} comes from environment variable "
                f"{variable}, which is not set; export it before running")
        headers.append((header, value))
    return tuple(headers)


def settings_for(source: SourceConfig, base: HttpSettings | None = None,
                 environ: Mapping[str, str] | None = None) -> HttpSettings:
    """A source's HTTP and rate-limit configuration as client settings."""
    http = source.http
    headers = source_headers(source, environ or {})
    return replace(
        base or HttpSettings(),
        user_agent=http.user_agent, accept=http.accept,
        connect_timeout_s=http.connect_timeout_s, read_timeout_s=http.read_timeout_s,
        deadline_s=http.deadline_s, retries=http.retries, backoff_s=http.backoff_s,
        retry_after_cap_s=http.retry_after_cap_s, max_bytes=http.max_bytes,
        max_redirects=http.max_redirects, cache_expire_s=http.cache_expire_s,
        min_interval_s=source.rate_limit.min_interval_s,
        allowed_private_endpoints=(*(base or HttpSettings()).allowed_private_endpoints,
                                   *http.allowed_private_endpoints),
        secret_names=tuple(http.secret_params),
        extra_headers=(*(base or HttpSettings()).extra_headers, *headers),
    )


def _response(result: FetchResult) -> Response:
    return Response(
        url=result.url, final_url=result.final_url, status=result.status,
        content_type=result.headers.get("content-type"), etag=result.headers.get("etag"),
        last_modified=result.headers.get("last-modified"), body=result.body,
        fetched_at=result.fetched_at,
    )


class HttpTransport:
    """One cached client shared by every source; each source fetches with its own settings."""

    def __init__(self, cache_path: Path | None, base: HttpSettings | None = None,
                 client: HttpClient | None = None,
                 environ: Mapping[str, str] | None = None) -> None:
        self.base = base or HttpSettings()
        self.client = client or HttpClient(cache_path, self.base)
        self.settings = self.base
        self.environ = secret_environment() if environ is None else environ
        self.source_deadline: float | None = None  # on the client's clock
        self.source_limit = ""  # what passing it means, said to the user

    def for_source(self, source: SourceConfig, timeout_s: float | None = None) -> HttpTransport:
        """A view with ``source``'s settings; with ``timeout_s``, no request of the view runs
        past that many seconds from now (each request's own deadline is cut to fit)."""
        view = HttpTransport(None, self.base, client=self.client, environ=self.environ)
        view.settings = settings_for(source, self.base, self.environ)
        if timeout_s:
            view.source_deadline = self.client._clock() + timeout_s
            view.source_limit = str(
                Deadline(f"fetching source {source.name}", timeout_s,
                         timeout_setting("fetch_source")).error()
            )
        return view

    def secret_values(self) -> tuple[str, ...]:
        """Values of the headers this view sends (for scrubbing messages)."""
        return tuple(value for _, value in self.settings.extra_headers)

    def get(self, url: str, *, validate: Validator | None = None,
            cacheable: Cacheable | None = None) -> Response:
        check = (lambda result: validate(_response(result))) if validate else None
        keep = (lambda result: cacheable(_response(result))) if cacheable else None
        settings, capped = self.settings, False
        if self.source_deadline is not None:
            left = self.source_deadline - self.client._clock()
            if left <= 0:
                raise TransportError(url, "source_timeout", self.source_limit)
            capped = left < settings.deadline_s
            settings = replace(settings, deadline_s=min(settings.deadline_s, left))
        try:
            return _response(self.client.fetch(url, validate=check, settings=settings,
                                               cacheable=keep))
        except FetchError as error:
            if capped and error.reason == "deadline_exceeded":
                raise TransportError(url, "source_timeout", self.source_limit) from error
            if error.reason == "http_status" and error.status is not None:
                from datetime import UTC, datetime

                return Response(url, url, error.status, None, None, None, b"",
                                datetime.now(UTC))
            raise TransportError(error.url, error.reason, str(error)) from error

    def close(self) -> None:
        self.client.close()
