"""Plain records that travel from the source parsers to the raw layer."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class ParsedRelease:
    """One release as a source presented it, before versioning.

    `published_at` is an aware or naive-UTC datetime, or None when the source gives no date.
    """

    source: str
    source_name: str
    native_id: str
    title: str
    body_text: str
    url: str | None = None
    summary: str | None = None
    published_at: datetime | None = None
    is_truncated: bool = False
    language: str | None = "en"
    release_type_hint: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    default_partition_date: date | None = None

    @property
    def release_id(self) -> str:
        return f"{self.source}:{self.native_id}"

    @property
    def content_hash(self) -> str:
        digest = hashlib.sha256()
        digest.update(self.title.encode("utf-8"))
        digest.update(b"\x00")
        digest.update(self.body_text.encode("utf-8"))
        return digest.hexdigest()


@dataclass(frozen=True)
class Rejection:
    """An item that could not become a release, with the reason in words a user can act on."""

    source: str
    locator: str
    reason: str
    detail: str


@dataclass
class ParseResult:
    """What one payload yielded: releases and rejections."""

    releases: list[ParsedRelease] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    def extend(self, other: ParseResult) -> None:
        self.releases.extend(other.releases)
        self.rejections.extend(other.rejections)
