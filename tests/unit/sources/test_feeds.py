"""parse_feed: RSS and Atom from bytes; broken XML reported, never raised; no entity expansion."""

from __future__ import annotations

from orchestration.sources.feeds import parse_feed

TEASER = b"&lt;p&gt;The Secretary General will visit Romania &amp;amp; Bulgaria.&lt;/p&gt;"
CONTENT = (b"&lt;p&gt;Officers were deployed to &lt;b&gt;Gran Canaria&lt;/b&gt;.&lt;/p&gt;"
           b"&lt;script&gt;track()&lt;/script&gt;&lt;p&gt;They will stay&amp;nbsp;until March."
           b"&lt;/p&gt;")

NATO_RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>NATO Latest News</title>
<link>https://www.nato.int/cps/en/natohq/news.htm</link><description>d</description>
<item>
  <title>NATO Secretary General to visit   Romania</title>
  <link>https://www.nato.int/cps/en/natohq/news_219233.htm</link>
  <description>TEASER</description>
  <pubDate>13 Oct. 2023 12:00:00 GMT</pubDate>
  <guid isPermaLink="false">219233</guid>
</item>
<item>
  <title>Finnish flag raised</title>
  <link> https://www.nato.int/cps/en/natohq/news_219137.htm?selectedLocale=en </link>
  <description>No guid and no date.</description>
</item>
<item>
  <title>NATO Secretary General to visit   Romania</title>
  <link>https://www.nato.int/cps/en/natohq/news_219233.htm</link>
  <description>TEASER</description>
  <pubDate>13 Oct. 2023 12:00:00 GMT</pubDate>
  <guid isPermaLink="false">219233</guid>
</item>
<item><title>Linkless</title><description>Only text</description></item>
</channel></rss>""".replace(b"TEASER", TEASER)

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Frontex</title><id>urn:frontex</id>
<updated>2023-11-29T11:25:48Z</updated>
<entry>
  <title>Frontex strengthens support to Spain</title>
  <id>https://frontex.europa.eu/media-centre/news/news-release/spain-Lj3dVu</id>
  <link href="https://frontex.europa.eu/media-centre/news/news-release/spain-Lj3dVu"/>
  <published>2023-11-27T09:02:19Z</published><updated>2023-11-28T10:00:00Z</updated>
  <summary>Officers deployed to the Canary Islands.</summary>
  <content type="html">CONTENT</content>
</entry>
<entry>
  <title>Frontex and Albania train document experts</title>
  <id>https://frontex.europa.eu/media-centre/news/news-release/albania-Nq7rBm</id>
  <link href="https://frontex.europa.eu/media-centre/news/news-release/albania-Nq7rBm"/>
  <summary>Training in Tirana.</summary>
  <content type="html">&lt;p&gt;Training in Tirana.&lt;/p&gt;</content>
</entry>
<entry>
  <title>Updated only</title>
  <id>https://frontex.europa.eu/media-centre/news/news-release/updated-Aa1bCd</id>
  <link href="https://frontex.europa.eu/media-centre/news/news-release/updated-Aa1bCd"/>
  <updated>2023-10-26T07:15:42Z</updated>
  <content type="html">&lt;p&gt;U.&lt;/p&gt;</content>
</entry>
</feed>""".replace(b"CONTENT", CONTENT)


def test_rss_items_with_dotted_month_pubdate_kept_raw() -> None:
    feed = parse_feed(NATO_RSS, "application/rss+xml; charset=utf-8")
    assert feed.malformed is None
    first = feed.items[0]
    assert first.key == "219233"
    assert first.index == 0
    assert first.title == "NATO Secretary General to visit Romania"
    assert first.link == "https://www.nato.int/cps/en/natohq/news_219233.htm"
    assert first.guid == "219233"
    assert first.summary_text == "The Secretary General will visit Romania & Bulgaria."
    assert first.content_text == ""
    assert first.published_raw == "13 Oct. 2023 12:00:00 GMT"
    assert first.cut_off is False


def test_rss_item_without_guid_or_date_is_keyed_on_its_link() -> None:
    item = parse_feed(NATO_RSS).items[1]
    assert item.guid is None
    assert item.published_raw is None
    assert item.link == "https://www.nato.int/cps/en/natohq/news_219137.htm?selectedLocale=en"
    assert item.key == "https://www.nato.int/cps/en/natohq/news_219137.htm?selectedLocale=en"


def test_rss_item_without_guid_or_link_is_keyed_on_its_position() -> None:
    item = parse_feed(NATO_RSS).items[3]
    assert (item.key, item.link, item.guid, item.title) == ("#3", None, None, "Linkless")


def test_duplicate_items_are_both_returned_with_the_same_key() -> None:
    items = parse_feed(NATO_RSS).items
    assert len(items) == 4
    assert [item.index for item in items] == [0, 1, 2, 3]
    assert items[2].key == items[0].key == "219233"
    assert (items[2].title, items[2].summary_text) == (items[0].title, items[0].summary_text)


def test_atom_entries_with_iso_dates_and_html_content() -> None:
    feed = parse_feed(ATOM, "application/atom+xml")
    assert feed.malformed is None
    assert len(feed.items) == 3
    spain, albania, updated = feed.items
    url = "https://frontex.europa.eu/media-centre/news/news-release/spain-Lj3dVu"
    assert (spain.key, spain.link, spain.guid) == (url, url, url)
    assert spain.published_raw == "2023-11-27T09:02:19Z"
    assert spain.summary_text == "Officers deployed to the Canary Islands."
    assert spain.content_text == (
        "Officers were deployed to Gran Canaria.\n\nThey will stay until March.")
    assert albania.published_raw is None
    assert updated.published_raw == "2023-10-26T07:15:42Z"


def test_malformed_xml_keeps_recovered_entries_and_flags_the_last() -> None:
    broken = ATOM[: ATOM.index(b"<content type=\"html\">&lt;p&gt;Training") + 30]
    feed = parse_feed(broken)
    assert feed.malformed is not None
    assert feed.malformed.startswith("SAXParseException: ")
    assert [item.title for item in feed.items] == [
        "Frontex strengthens support to Spain", "Frontex and Albania train document experts"]
    assert [item.cut_off for item in feed.items] == [False, True]
    assert feed.items[0].content_text.startswith("Officers were deployed")


def test_html_page_gives_no_items() -> None:
    feed = parse_feed(b"<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>")
    assert feed.items == []


def test_external_entity_is_never_expanded() -> None:
    payload = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>T &x;</title>
<item><title>Hello &x; end</title><link>https://ex.org/a</link>
<description>teaser &x;</description><guid>g1</guid></item></channel></rss>"""
    feed = parse_feed(payload)
    fields = [value for item in feed.items for value in
              (item.title, item.summary_text, item.content_text, item.link or "", item.guid or "")]
    text = "\n".join(fields)
    assert len(feed.items) == 1
    assert "root:" not in text
    assert "/bin/" not in text
    assert "/sbin/nologin" not in text
