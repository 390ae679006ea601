"""Live transport: the hardened HTTP client behind the Transport interface."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from orchestration.sources.config import SourceConfig
from orchestration.sources.http import FetchError, FetchResult, HttpClient, HttpSettings
from orchestration.sources.transport import Response, TransportError, Validator


def settings_for(source: SourceConfig, base: HttpSettings | None = None) -> HttpSettings:
    """A source's HTTP and rate-limit configuration as client settings."""
    http = source.http
    base = base or HttpSettings()
    return replace(
        base,
        user_agent=http.user_agent, accept=http.accept,
        connect_timeout_s=http.connect_timeout_s, read_timeout_s=http.read_timeout_s,
        deadline_s=http.deadline_s, retries=http.retries, backoff_s=http.backoff_s,
        retry_after_cap_s=http.retry_after_cap_s, max_bytes=http.max_bytes,
        max_redirects=http.max_redirects, cache_expire_s=http.cache_expire_s,
        min_interval_s=source.rate_limit.min_interval_s,
        allowed_private_endpoints=(
            *base.allowed_private_endpoints,
            *http.allowed_private_endpoints,
        ),
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
                 client: HttpClient | None = None) -> None:
        self.base = base or HttpSettings()
        self.client = client or HttpClient(cache_path, self.base)
        self.settings = self.base

    def for_source(self, source: SourceConfig) -> HttpTransport:
        view = HttpTransport(None, self.base, client=self.client)
        view.settings = settings_for(source, self.base)
        return view

    def get(self, url: str, *, validate: Validator | None = None) -> Response:
        check = (lambda result: validate(_response(result))) if validate else None
        try:
            return _response(self.client.fetch(url, validate=check, settings=self.settings))
        except FetchError as error:
            if error.reason == "http_status" and error.status is not None:
                from datetime import UTC, datetime

                return Response(url, url, error.status, None, None, None, b"",
                                datetime.now(UTC))
            raise TransportError(error.url, error.reason, str(error)) from error

    def close(self) -> None:
        self.client.close()
