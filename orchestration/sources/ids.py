"""Canonical native ids: the same release gets the same id however its link is written."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {"selectedlocale", "selecteddlocale", "utm_source", "utm_medium", "utm_campaign",
     "utm_term", "utm_content", "fbclid", "gclid", "at_medium", "at_campaign"}
)
_NATO_LEGACY = re.compile(r"/(news|opinions|official_texts|events)_(\d+)\.htm", re.I)
_NATO_AEM = re.compile(r"/en/(.+?/\d{4}/\d{2}/\d{2}/[^/?#.]+)")
_EUROPOL = re.compile(r"/(?:media-press/)?newsroom/news/([^/?#]+)")


def normalise_url(url: str) -> str:
    """Lower-case scheme and host, drop fragments and tracking/locale params, normalise escapes."""
    parts = urlsplit(url.strip())
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~")
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
               if k.lower() not in TRACKING_PARAMS)
    )
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def nato_legacy_id(url: str) -> str | None:
    """``…/cps/fr/natohq/news_118365.htm?selectedLocale=en`` -> ``news_118365``."""
    match = _NATO_LEGACY.search(url)
    return f"{match.group(1).lower()}_{match.group(2)}" if match else None


def nato_aem_id(url: str) -> str | None:
    """``…/en/news-and-events/articles/news/2025/09/19/slug`` -> that path."""
    match = _NATO_AEM.search(urlsplit(url).path)
    return match.group(1) if match else None


def europol_id(url: str) -> str | None:
    """Europol news alias, old or new path, any percent-encoding case -> ``news/<slug>``."""
    match = _EUROPOL.search(urlsplit(url).path if "://" in url else url)
    return f"news/{unquote(match.group(1)).lower()}" if match else None


def fallback_id(title: str, published: str | None) -> str:
    """For items with neither guid nor link: a hash of title and publication date."""
    key = f"{' '.join(title.casefold().split())}|{published or ''}"
    return "h-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def native_id(profile: str, *, guid: str | None, link: str | None, title: str,
              published: str | None) -> str:
    """Key hierarchy: institution-specific id from the link, then guid, link, title+date."""
    if link:
        specific = {"nato-legacy-cps": nato_legacy_id, "nato-aem": nato_aem_id,
                    "europol": europol_id}.get(profile)
        if specific and (found := specific(link)):
            return found
    if guid and guid.strip():
        specific_guid = europol_id(guid) if profile == "europol" else None
        if specific_guid:
            return specific_guid
        if guid.strip().startswith(("http://", "https://")):
            return normalise_url(guid).split("://", 1)[1]
        return guid.strip()
    if link:
        return normalise_url(link).split("://", 1)[1]
    return fallback_id(title, published)
