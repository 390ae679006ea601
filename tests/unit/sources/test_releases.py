"""release_from_feed_item: a feed entry combined with its page or API answer."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from orchestration.sources.config import SourceConfig
from orchestration.sources.feeds import FeedItem
from orchestration.sources.models import ParsedRelease, Rejection
from orchestration.sources.releases import (
    Detail,
    ItemContext,
    detail_url,
    release_from_feed_item,
    release_from_node,
)

FETCHED_AT = datetime(2023, 11, 29, 6, 0, tzinfo=UTC)
NOW = datetime(2023, 11, 29, 6, 0, tzinfo=UTC)

NATO = SourceConfig(name="nato", display_name="NATO", kind="rss", profile="nato-legacy-cps",
                    base_url="https://www.nato.int",
                    feed_url="/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml",
                    timezone="Europe/Brussels", full_text={"method": "html"})
EUROPOL = SourceConfig(name="europol", display_name="Europol", kind="rss", profile="europol",
                       base_url="https://www.europol.europa.eu", feed_url="/cms/api/rss/news",
                       timezone="Europe/Amsterdam",
                       full_text={"method": "json-api",
                                  "url_template": "/cms/api/node?url={path}"},
                       backfill={"method": "linked-list"})
NATO_LINK = "https://www.nato.int/cps/en/natohq/news_219301.htm?selectedLocale=en"
EUROPOL_LINK = ("https://www.europol.europa.eu/media-press/newsroom/news/"
                "money-mule-action-leads-to-1-200-arrests")

PAGE = b"""<html><head><title>NATO - News</title></head><body>
<h1 class="fs-huge">Deputy Secretary General discusses maritime security</h1>
<ul class="event-info"><li>19 Oct. 2023 -</li><li>Press Release (2023) 151</li>
<li>Issued on 19 Oct. 2023</li><li>Last updated: 19 Oct. 2023 17:02</li></ul>
<section class="content"><p>Full first paragraph.</p><p>Full second paragraph.</p></section>
</body></html>"""

NODE = json.dumps({
    "alias": "/media-press/newsroom/news/money-mule-action-leads-to-1-200-arrests",
    "title": "Money mule action leads to 1 200 arrests", "published": 1699002900,
    "introduction": "<p>Intro.</p>", "body": "<p>Full body.</p>",
    "articleType": {"title": "Press Release"},
    "crimeAreas": [{"title": "Money laundering"}, {"title": "Cybercrime"}],
    "navigation": {"previous": "/media-press/newsroom/news/older", "next": None},
}).encode()


def _context(source: SourceConfig) -> ItemContext:
    return ItemContext(source=source, fetched_at=FETCHED_AT, now=NOW)


def _nato_item(**changes: object) -> FeedItem:
    fields = {"key": "219301", "index": 4, "title": "NATO discusses maritime security",
              "link": NATO_LINK, "guid": "219301", "summary_text": "Teaser text.",
              "content_text": "", "published_raw": "19 Oct. 2023 12:00:00 GMT"}
    return FeedItem(**{**fields, **changes})


def _europol_item(**changes: object) -> FeedItem:
    fields = {"key": EUROPOL_LINK, "index": 9, "title": "Money mule action leads to 1 200 arrests",
              "link": EUROPOL_LINK, "guid": EUROPOL_LINK,
              "summary_text": "The action ran from 11 September …", "content_text": "",
              "published_raw": None}
    return FeedItem(**{**fields, **changes})


def test_missing_title_is_rejected() -> None:
    result = release_from_feed_item(_nato_item(title=""), None, _context(NATO))
    assert isinstance(result, Rejection)
    assert result.reason == "missing_title"
    assert result.source == "nato"
    # The locator names the item by its link, so it stays the same when the feed shifts.
    assert result.locator == f"https://www.nato.int/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml#{NATO_LINK}"
    assert NATO_LINK in result.detail


def test_impossible_date_is_rejected() -> None:
    result = release_from_feed_item(_nato_item(published_raw="31 Feb. 2023 12:00:00 GMT"),
                                    Detail(NATO_LINK, 200, PAGE), _context(NATO))
    assert isinstance(result, Rejection)
    assert result.reason == "impossible_date"
    assert "31 Feb. 2023 12:00:00 GMT" in result.detail


def test_cut_off_item_is_rejected() -> None:
    result = release_from_feed_item(_nato_item(cut_off=True), None, _context(NATO))
    assert isinstance(result, Rejection)
    assert result.reason == "cut_off_item"


def test_full_page_gives_full_text_and_metadata() -> None:
    release = release_from_feed_item(_nato_item(), Detail(NATO_LINK, 200, PAGE), _context(NATO))
    assert isinstance(release, ParsedRelease)
    assert release.release_id == "nato:news_219301"
    assert release.title == "Deputy Secretary General discusses maritime security"
    assert release.body_text == "Full first paragraph.\n\nFull second paragraph."
    assert release.summary == "Teaser text."
    assert release.is_truncated is False
    assert release.published_at == datetime(2023, 10, 19, 12, tzinfo=UTC)
    assert release.release_type_hint == "Press Release (2023) 151"
    assert release.metadata["issued_on"] == "19 Oct. 2023"
    assert release.metadata["last_updated"] == "19 Oct. 2023 17:02"
    assert release.url == NATO_LINK


def test_page_404_keeps_the_teaser_as_truncated() -> None:
    release = release_from_feed_item(
        _nato_item(), Detail(NATO_LINK, 404, b"<html><h1>Page not found</h1></html>"),
        _context(NATO))
    assert isinstance(release, ParsedRelease)
    assert release.release_id == "nato:news_219301"
    assert release.title == "NATO discusses maritime security"
    assert release.body_text == "Teaser text."
    assert release.is_truncated is True
    assert release.published_at == datetime(2023, 10, 19, 12, tzinfo=UTC)
    assert release.metadata["full_text_error"] == f"HTTP 404 for {NATO_LINK}"
    assert release.release_type_hint == "news"


def test_no_answer_at_all_keeps_the_teaser() -> None:
    release = release_from_feed_item(_nato_item(), Detail(NATO_LINK, None, None), _context(NATO))
    assert isinstance(release, ParsedRelease)
    assert (release.body_text, release.is_truncated) == ("Teaser text.", True)
    assert release.metadata["full_text_error"] == f"HTTP no answer for {NATO_LINK}"


def test_no_text_anywhere_is_rejected() -> None:
    result = release_from_feed_item(_nato_item(summary_text=""), Detail(NATO_LINK, 404, b""),
                                    _context(NATO))
    assert isinstance(result, Rejection)
    assert result.reason == "empty_body"


def test_europol_item_merged_with_its_node() -> None:
    url = detail_url(EUROPOL, EUROPOL_LINK)
    assert url == ("https://www.europol.europa.eu/cms/api/node?url=/media-press/newsroom/news/"
                   "money-mule-action-leads-to-1-200-arrests")
    release = release_from_feed_item(_europol_item(), Detail(url, 200, NODE), _context(EUROPOL))
    assert isinstance(release, ParsedRelease)
    assert release.release_id == "europol:news/money-mule-action-leads-to-1-200-arrests"
    assert release.body_text == "Intro.\n\nFull body."
    assert release.is_truncated is False
    assert release.published_at == datetime(2023, 11, 3, 9, 15, tzinfo=UTC)
    assert release.summary == "The action ran from 11 September …"
    assert release.release_type_hint == "Press Release"
    assert release.metadata["tags"] == "Money laundering; Cybercrime"


def test_europol_item_with_node_404_is_truncated_and_undated() -> None:
    url = detail_url(EUROPOL, EUROPOL_LINK)
    release = release_from_feed_item(
        _europol_item(), Detail(url, 404, b'{"message": "Not Found", "code": 404}'),
        _context(EUROPOL))
    assert isinstance(release, ParsedRelease)
    assert release.body_text == "The action ran from 11 September …"
    assert release.is_truncated is True
    assert release.published_at is None


def test_europol_item_with_broken_node_keeps_teaser_and_records_why() -> None:
    url = detail_url(EUROPOL, EUROPOL_LINK)
    release = release_from_feed_item(_europol_item(), Detail(url, 200, b"{not json"),
                                     _context(EUROPOL))
    assert isinstance(release, ParsedRelease)
    assert release.is_truncated is True
    assert release.metadata["full_text_error"].startswith("not JSON")


def test_release_from_node_for_backfilled_article() -> None:
    url = "https://www.europol.europa.eu/cms/api/node?url=/media-press/newsroom/news/x"
    release = release_from_node("/media-press/newsroom/news/x", Detail(url, 200, NODE),
                                _context(EUROPOL))
    assert isinstance(release, ParsedRelease)
    assert release.release_id == "europol:news/money-mule-action-leads-to-1-200-arrests"
    assert release.url == EUROPOL_LINK
    assert release.published_at == datetime(2023, 11, 3, 9, 15, tzinfo=UTC)
    assert release.is_truncated is False


def test_release_from_node_404_is_rejected() -> None:
    url = "https://www.europol.europa.eu/cms/api/node?url=/media-press/newsroom/news/x"
    result = release_from_node("/media-press/newsroom/news/x", Detail(url, 404, b"{}"),
                               _context(EUROPOL))
    assert isinstance(result, Rejection)
    assert result.reason == "http_error"
