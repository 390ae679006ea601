"""How payloads arrive: live HTTP, or a replay of recorded fetches (the bundled sample)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import yaml


@dataclass(frozen=True)
class Response:
    """One answer from an origin, kept byte for byte in raw.http_responses."""

    url: str
    final_url: str
    status: int
    content_type: str | None
    etag: str | None
    last_modified: str | None
    body: bytes
    fetched_at: datetime

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class TransportError(Exception):
    """A fetch that produced no response at all (timeout, refused, blocked address...)."""

    def __init__(self, url: str, reason: str, detail: str) -> None:
        super().__init__(f"{url}: {reason}: {detail}")
        self.url = url
        self.reason = reason
        self.detail = detail


Validator = Callable[[Response], str | None]
Cacheable = Callable[[Response], bool]


class Transport(Protocol):
    def get(self, url: str, *, validate: Validator | None = None,
            cacheable: Cacheable | None = None) -> Response: ...

    def secret_values(self) -> tuple[str, ...]:
        """Values this transport sends that must never be stored (header secrets)."""
        ...


@dataclass(frozen=True)
class _Recorded:
    status: int
    file: Path
    content_type: str | None
    etag: str | None
    last_modified: str | None


def _fetch_time(fetch_dir: Path) -> datetime:
    meta = yaml.safe_load((fetch_dir / "fetch.yaml").read_text(encoding="utf-8"))
    value = datetime.fromisoformat(str(meta["fetched_at"]).replace("Z", "+00:00"))
    return value.astimezone(UTC)


def _read_index(index: Path) -> dict[str, _Recorded]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
    document = yaml.load(index.read_text(encoding="utf-8"), Loader=loader) or {}
    recorded = {}
    for entry in document.get("responses", []):
        recorded[str(entry["url"]).strip()] = _Recorded(
            status=int(entry.get("status", 200)),
            file=index.parent / entry["file"],
            content_type=entry.get("content_type"),
            etag=entry.get("etag"),
            last_modified=entry.get("last_modified"),
        )
    return recorded


class ReplayTransport:
    """Answers from recorded fetches ``fetches/NN/<source>/index.yaml``.

    ``advance()`` moves to the next fetch; a URL a fetch does not list answers as it did in an
    earlier one (as a 304 would), and an unknown URL answers 404.
    """

    def __init__(self, fetches_dir: Path) -> None:
        self.fetch_dirs = sorted(path for path in fetches_dir.iterdir() if path.is_dir())
        if not self.fetch_dirs:
            raise FileNotFoundError(f"{fetches_dir}: no recorded fetches to replay")
        self.position = 0
        self._recorded: dict[str, _Recorded] = {}
        self._load(self.fetch_dirs[0])

    def _load(self, fetch_dir: Path) -> None:
        for index in sorted(fetch_dir.glob("*/index.yaml")):
            self._recorded.update(_read_index(index))
        self.fetched_at = _fetch_time(fetch_dir)

    @property
    def fetch_count(self) -> int:
        return len(self.fetch_dirs)

    def advance(self) -> bool:
        """Step to the next recorded fetch; False when there is none."""
        if self.position + 1 >= len(self.fetch_dirs):
            return False
        self.position += 1
        self._load(self.fetch_dirs[self.position])
        return True

    def secret_values(self) -> tuple[str, ...]:
        return ()

    def get(self, url: str, *, validate: Validator | None = None,
            cacheable: Cacheable | None = None) -> Response:
        """A recorded answer (there is no cache to keep out of, so `cacheable` is unused)."""
        recorded = self._recorded.get(url.strip())
        if recorded is None:
            return Response(url, url, 404, "text/plain", None, None, b"not recorded",
                            self.fetched_at)
        response = Response(
            url=url, final_url=url, status=recorded.status, content_type=recorded.content_type,
            etag=recorded.etag, last_modified=recorded.last_modified,
            body=recorded.file.read_bytes(), fetched_at=self.fetched_at,
        )
        problem = validate(response) if validate and response.ok else None
        if problem:
            raise TransportError(url, "invalid_body", problem)
        return response
