"""The project's labelled real set (kept beside the repository) as RSS feeds, one per
institution, for tests that serve it on 127.0.0.1; the texts stay beside the repository and
are turned into feeds here, in memory."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape

from pytest_httpserver import HTTPServer

from tests.conftest import SHARED_DIR

REALSET = SHARED_DIR / "realset"


def realset_releases() -> list[dict]:
    lines = (REALSET / "releases.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _slug(source: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", source.lower()).strip("_")[:40]


def _item(release: dict, base: str) -> str:
    """One RSS item: the body as paragraphs in content:encoded, no pubDate when undated."""
    paragraphs = "".join(f"<p>{escape(part)}</p>" for part in release["text"].split("\n\n"))
    published = ""
    if release["published"]:
        day = datetime.fromisoformat(release["published"]).replace(hour=12, tzinfo=UTC)
        published = f"<pubDate>{format_datetime(day, usegmt=True)}</pubDate>"
    return (
        f"<item><title>{escape(release['title'])}</title>"
        f"<link>{base}/items/{release['id']}</link>"
        f'<guid isPermaLink="false">{release["id"]}</guid>{published}'
        f"<content:encoded><![CDATA[{paragraphs}]]></content:encoded></item>"
    )


def _feed(title: str, items: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{escape(title)}</title>{''.join(items)}</channel></rss>"
    ).encode()


def serve_realset(server: HTTPServer, releases: list[dict]) -> list[dict]:
    """Serve one feed per institution; returns the sources-file entries that read them."""
    base = server.url_for("/").rstrip("/")
    by_source: dict[str, list[dict]] = {}
    for release in releases:
        by_source.setdefault(release["source"], []).append(release)
    sources = []
    for display_name, items in sorted(by_source.items()):
        name = _slug(display_name)
        feed = f"/feeds/{name}.xml"
        server.expect_request(feed).respond_with_data(
            _feed(display_name, [_item(r, base) for r in items]),
            content_type="application/rss+xml",
        )
        sources.append(
            {
                "name": name,
                "display_name": display_name,
                "kind": "rss",
                "base_url": base,
                "feed_url": feed,
                "full_text": {"method": "none"},
                "http": {"retries": 0, "allowed_private_endpoints": [base.split("//")[1]]},
                "rate_limit": {"min_interval_s": 0.2},
            }
        )
    return sources
