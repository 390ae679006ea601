"""The new NATO site: article list from sitemap.xml, text from AEM .model.json, replayed."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.sources.collect import collect_source
from orchestration.sources.config import parse_sources
from orchestration.sources.sitemap import SitemapError, parse_sitemap
from orchestration.sources.transport import ReplayTransport
from orchestration.warehouse.raw_store import store_collected
from orchestration.warehouse.releases import rebuild_releases
from orchestration.warehouse.schema import ensure_raw_schema

BASE = "https://www.nato.int"
ARTICLE = f"{BASE}/en/news-and-events/articles/news/2025/10/02/allies-meet-in-brussels"
OLDER = f"{BASE}/en/news-and-events/articles/news/2025/09/30/exercise-ends"
SITEMAP = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>{BASE}/en/about-us</loc><lastmod>2025-10-03</lastmod></url>
  <url><loc>{OLDER}</loc><lastmod>2025-09-30</lastmod></url>
  <url><loc>{ARTICLE}</loc><lastmod>2025-10-02</lastmod></url>
</urlset>"""


def _model(title: str, paragraphs: list[str], modified: str) -> dict:
    items = {f"text_{n}": {"text": f"<p>{text}</p>", ":type": "nato/components/text"}
             for n, text in enumerate(paragraphs)}
    return {"title": title, "description": paragraphs[0],
            "dataLayer": {"page-1": {"dc:title": title, "repo:modifyDate": modified,
                                     "xdm:tags": ["news"]}},
            ":items": {"root": {":items": items, ":itemsOrder": list(items)}},
            ":itemsOrder": ["root"]}


@pytest.fixture
def replay(tmp_path: Path) -> Path:
    folder = tmp_path / "fetches" / "01" / "nato_aem"
    folder.mkdir(parents=True)
    (tmp_path / "fetches" / "01" / "fetch.yaml").write_text('fetched_at: "2025-10-03T06:00:00Z"')
    (folder / "sitemap.xml").write_text(SITEMAP)
    (folder / "a.json").write_text(json.dumps(_model(
        "Allies meet in Brussels", ["Defence Ministers met on 2 October.", "They agreed."],
        "2025-10-02T14:05:00.000Z")))
    (folder / "b.json").write_text(json.dumps(_model(
        "Exercise ends", ["The exercise ended in Poland."], "2025-09-30T09:00:00.000Z")))
    responses = [
        {"url": f"{BASE}/sitemap.xml", "file": "sitemap.xml", "content_type": "application/xml"},
        {"url": f"{ARTICLE}.model.json", "file": "a.json", "content_type": "application/json"},
        {"url": f"{OLDER}.model.json", "file": "b.json", "content_type": "application/json"},
    ]
    (folder / "index.yaml").write_text(yaml.safe_dump({"responses": responses}))
    return tmp_path / "fetches"


def test_sitemap_articles_land_as_releases(replay: Path, tmp_path: Path) -> None:
    source = parse_sources({"sources": [{
        "name": "nato_aem", "display_name": "NATO", "kind": "sitemap", "profile": "nato-aem",
        "base_url": BASE, "feed_url": "/sitemap.xml",
        "full_text": {"method": "json-api", "url_template": "{url}.model.json"}}]}).sources[0]
    collected = collect_source(source, ReplayTransport(replay))
    assert collected.rejections == []
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_raw_schema(conn)
    store_collected(conn, collected, "run")
    stats = rebuild_releases(conn, {"nato_aem": source}, date(2025, 9, 1), date(2025, 11, 1))
    assert stats.releases == 2  # the non-article page is not a release
    rows = conn.execute("select release_id, title, body_text, published_at from raw.releases "
                        "order by published_at").fetchall()
    conn.close()
    assert rows[1][0] == "nato_aem:news-and-events/articles/news/2025/10/02/allies-meet-in-brussels"
    assert rows[1][1] == "Allies meet in Brussels"
    assert rows[1][2] == "Defence Ministers met on 2 October.\n\nThey agreed."
    assert str(rows[1][3]) == "2025-10-02 14:05:00"


def test_sitemap_with_a_dtd_is_refused() -> None:
    hostile = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
               b"<urlset><url><loc>&x;</loc></url></urlset>")
    with pytest.raises(SitemapError, match="DTD"):
        parse_sitemap(hostile)
