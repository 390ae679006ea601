"""Source configuration: a YAML file validated against a strict schema (unknown keys are errors)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

SourceKind = Literal["rss", "atom", "json-api", "sitemap"]
Profile = Literal["generic", "nato-legacy-cps", "nato-aem", "europol", "frontex"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HttpConfig(Strict):
    user_agent: str = "pressroom/0.1 (+https://github.com/pressroom/pressroom)"
    accept: str = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.8"
    connect_timeout_s: float = Field(10.0, gt=0)
    read_timeout_s: float = Field(20.0, gt=0)
    deadline_s: float = Field(60.0, gt=0)
    retries: int = Field(3, ge=0, le=10)
    backoff_s: float = Field(1.0, ge=0)
    retry_after_cap_s: float = Field(60.0, ge=0)
    max_bytes: int = Field(10_000_000, gt=0)
    max_redirects: int = Field(5, ge=0, le=20)
    cache_expire_s: int = Field(0, ge=0)
    allowed_private_endpoints: tuple[str, ...] = ()
    """Exact non-public endpoints this source may contact ("127.0.0.1:8080"): test servers."""


class RateLimit(Strict):
    min_interval_s: float = Field(2.0, ge=0.2)
    poll_interval_min: int = Field(30, ge=1)


class FullText(Strict):
    method: Literal["none", "html", "json-api"] = "none"
    url_template: str | None = None

    @model_validator(mode="after")
    def _template_for_json(self) -> FullText:
        if self.method == "json-api" and not self.url_template:
            raise ValueError("full_text.method json-api needs full_text.url_template")
        return self


class Backfill(Strict):
    method: Literal["none", "linked-list", "sitemap"] = "none"
    max_items: int = Field(100, ge=1)


class SourceConfig(Strict):
    name: str
    display_name: str
    enabled: bool = True
    kind: SourceKind
    profile: Profile = "generic"
    base_url: str
    feed_url: str
    language: str = "en"
    timezone: str = "UTC"
    full_text: FullText = FullText()
    backfill: Backfill = Backfill()
    http: HttpConfig = HttpConfig()
    rate_limit: RateLimit = RateLimit()
    expected_period_days: int = Field(7, ge=1)
    notes: str = ""

    @field_validator("name")
    @classmethod
    def _name_is_identifier(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,62}", value):
            raise ValueError("must match [a-z][a-z0-9_]{0,62}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown IANA time zone {value!r}") from error
        return value

    @field_validator("base_url")
    @classmethod
    def _http_base(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    def absolute(self, url: str) -> str:
        """Resolve a config-relative URL (``/cps/...``) against ``base_url``."""
        return url if "://" in url else f"{self.base_url}{url}"


class DumpConfig(Strict):
    path: str
    as_of: date
    label: str = ""


class SourcesFile(Strict):
    replay_dir: str | None = None
    sources: list[SourceConfig] = []
    dumps: list[DumpConfig] = []

    @model_validator(mode="after")
    def _unique_names(self) -> SourcesFile:
        names = [source.name for source in self.sources]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"source names must be unique; repeated: {', '.join(duplicates)}")
        return self


class ConfigError(ValueError):
    """A sources file that cannot be used; the message names the file, source and key."""


def _describe(error: dict, document: dict) -> str:
    location = list(error["loc"])
    where = ".".join(str(part) for part in location) or "(top level)"
    if len(location) >= 2 and location[0] == "sources" and isinstance(location[1], int):
        try:
            name = document["sources"][location[1]].get("name", f"#{location[1]}")
        except (KeyError, IndexError, AttributeError):
            name = f"#{location[1]}"
        key = ".".join(str(part) for part in location[2:]) or "(source)"
        where = f"source {name!r}, key {key!r}"
    message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
    return f"{where}: {message}"


def parse_sources(document: object, origin: str = "<memory>") -> SourcesFile:
    """Validate a parsed YAML document; raise ConfigError listing every problem."""
    if not isinstance(document, dict):
        raise ConfigError(f"{origin}: expected a mapping with 'sources:' at the top level")
    try:
        return SourcesFile.model_validate(document)
    except ValidationError as error:
        problems = "\n  ".join(_describe(item, document) for item in error.errors())
        raise ConfigError(f"{origin}: invalid sources file:\n  {problems}") from None


def load_sources(path: Path) -> SourcesFile:
    """Read and validate a sources file."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: sources file not found (set PRESSROOM_SOURCES)") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    return parse_sources(document, str(path))


def resolve_path(config_file: Path, relative: str) -> Path:
    """Paths inside a sources file are relative to that file."""
    candidate = Path(relative)
    return candidate if candidate.is_absolute() else (config_file.parent / candidate).resolve()
