"""Secrets never stored, logged or published: URL query values and header values named as
secrets are replaced by ``REDACTED`` wherever a URL or message is kept.

A name is secret when it looks like one (key, token, secret, password, auth, signature,
session, credential) or is listed in a source's ``http.secret_params``; a value is secret
when it came from such a name or from an environment variable named in
``http.headers_from_env``. `Redactor.scrub` removes both kinds from any text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "REDACTED"
SECRET_NAME = re.compile(
    r"key|token|secret|pass|auth|sig|session|credential|code|bearer|cookie", re.I
)
# requests-cache's own defaults, which it strips from cached requests.
CACHE_IGNORED = ("Authorization", "X-API-KEY", "access_token", "api_key")
_MIN_SECRET = 4  # shorter values would mask ordinary words


def is_secret_name(name: str, extra: Iterable[str] = ()) -> bool:
    return bool(SECRET_NAME.search(name)) or name.lower() in {e.lower() for e in extra}


def secret_query_names(url: str, extra: Iterable[str] = ()) -> list[str]:
    """The query parameter names of ``url`` that hold secrets."""
    try:
        query = urlsplit(url).query
    except ValueError:
        return []
    return [
        key for key, _ in parse_qsl(query, keep_blank_values=True) if is_secret_name(key, extra)
    ]


def redact_url(url: str, extra: Iterable[str] = ()) -> str:
    """``url`` without user:password and with secret query values replaced (never raises)."""
    extra = tuple(extra)
    try:
        parts = urlsplit(url)
        netloc = parts.netloc.rsplit("@", 1)[-1]
        query = urlencode(
            [
                (key, MASK if is_secret_name(key, extra) else value)
                for key, value in parse_qsl(parts.query, keep_blank_values=True)
            ],
            safe="/:",
        )
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:
        return "<unparseable URL>"


@dataclass(frozen=True)
class Redactor:
    """Scrubs the secrets of one source from URLs and messages."""

    names: tuple[str, ...] = ()
    values: tuple[str, ...] = ()

    @classmethod
    def for_urls(
        cls, urls: Iterable[str], names: Iterable[str] = (), values: Iterable[str] = ()
    ) -> Redactor:
        """Collect the secret values that these URLs carry, plus known ones (header values)."""
        names = tuple(names)
        found = list(values)
        for url in urls:
            try:
                pairs = parse_qsl(urlsplit(url).query, keep_blank_values=True)
                userinfo = urlsplit(url).netloc.rpartition("@")[0]
            except ValueError:
                continue
            found.extend(value for key, value in pairs if is_secret_name(key, names))
            found.extend(part for part in userinfo.split(":") if part)
        kept = sorted(
            {value for value in found if len(value) >= _MIN_SECRET}, key=len, reverse=True
        )
        return cls(names, tuple(kept))

    def url(self, url: str | None) -> str | None:
        return None if url is None else self.scrub(redact_url(url, self.names))

    def scrub(self, text: str) -> str:
        """``text`` with every known secret value (raw or percent-encoded) masked."""
        from urllib.parse import quote, quote_plus

        for value in self.values:
            for form in {value, quote(value, safe=""), quote_plus(value)}:
                text = text.replace(form, MASK)
        return text
