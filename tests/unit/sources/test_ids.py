"""Canonical native ids: one release, one id, however its link is written."""

from __future__ import annotations

import hashlib

import pytest

from orchestration.sources.ids import (
    europol_id,
    fallback_id,
    native_id,
    nato_legacy_id,
    normalise_url,
)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.nato.int/cps/en/natohq/news_118365.htm",
        "https://www.nato.int/cps/fr/natohq/news_118365.htm",
        "http://www.nato.int/cps/en/natolive/news_118365.htm",
        "https://www.nato.int/cps/fr/natohq/news_118365.htm?selectedLocale=en",
        "https://www.nato.int/cps/en/natohq/news_118365.htm?selecteddLocale=fr",
        "https://www.nato.int/cps/on/natohq/News_118365.htm#top",
        "/cps/en/natohq/news_118365.htm",
    ],
)
def test_nato_legacy_id_ignores_language_section_and_locale(url: str) -> None:
    assert nato_legacy_id(url) == "news_118365"
    assert native_id("nato-legacy-cps", guid="118365", link=url, title="t",
                     published=None) == "news_118365"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.nato.int/cps/en/natohq/official_texts_217320.htm?selecteddLocale=fr",
         "official_texts_217320"),
        ("https://www.nato.int/cps/fr/natohq/opinions_214728.htm?selectedLocale=en",
         "opinions_214728"),
        ("https://www.nato.int/cps/en/natohq/events_149286.htm", "events_149286"),
        ("https://www.nato.int/cps/en/natohq/topics_52060.htm", None),
    ],
)
def test_nato_legacy_types(url: str, expected: str | None) -> None:
    assert nato_legacy_id(url) == expected


def test_nato_page_outside_known_types_falls_back_to_normalised_link() -> None:
    link = "https://www.nato.int/cps/en/natohq/topics_52060.htm?selectedLocale=en"
    assert native_id("nato-legacy-cps", guid=None, link=link, title="t",
                     published=None) == "www.nato.int/cps/en/natohq/topics_52060.htm"


SLUG = "money-mule-action-leads-to-1-200-arrests"


@pytest.mark.parametrize(
    "url",
    [
        f"https://www.europol.europa.eu/media-press/newsroom/news/{SLUG}",
        f"https://www.europol.europa.eu/newsroom/news/{SLUG}",
        f"https://www.europol.europa.eu/newsroom/news/{SLUG}?utm_source=rss#main",
        f"/media-press/newsroom/news/{SLUG}",
    ],
)
def test_europol_old_and_new_paths_give_one_id(url: str) -> None:
    assert europol_id(url) == f"news/{SLUG}"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.europol.europa.eu/media-press/newsroom/news/caf%C3%A9-raid",
        "https://www.europol.europa.eu/media-press/newsroom/news/caf%c3%a9-raid",
        "https://www.europol.europa.eu/newsroom/news/caf%c3%A9-raid",
        "https://www.europol.europa.eu/newsroom/news/café-raid",
    ],
)
def test_europol_percent_encoding_case_does_not_matter(url: str) -> None:
    assert europol_id(url) == "news/café-raid"
    assert native_id("europol", guid=url, link=url, title="t", published=None) == "news/café-raid"


def test_europol_guid_used_when_link_is_missing() -> None:
    guid = f"https://www.europol.europa.eu/newsroom/news/{SLUG}"
    assert native_id("europol", guid=guid, link=None, title="t", published=None) == f"news/{SLUG}"


def test_generic_prefers_guid_over_link() -> None:
    assert native_id("generic", guid=" tag:example.org,2023:42 ", link="https://ex.org/a",
                     title="T", published=None) == "tag:example.org,2023:42"


def test_generic_url_guid_is_normalised() -> None:
    guid = "https://Ex.ORG/news/a?utm_medium=rss&id=3&fbclid=zz#frag"
    assert native_id("generic", guid=guid, link=None, title="T", published=None) == \
        "ex.org/news/a?id=3"


def test_generic_link_is_normalised_when_no_guid() -> None:
    first = native_id("generic", guid=None, link="https://Ex.org/news/a?utm_source=x&b=2&a=1",
                      title="T", published=None)
    second = native_id("generic", guid="  ", link="https://ex.org/news/a?a=1&b=2#comments",
                       title="Other", published="x")
    assert first == second == "ex.org/news/a?a=1&b=2"


def test_normalise_url_drops_tracking_and_locale_params_and_fragment() -> None:
    url = ("HTTPS://Example.ORG/a/b?utm_source=x&utm_campaign=y&gclid=1&selectedLocale=en"
           "&page=2&at_medium=z#section")
    assert normalise_url(url) == "https://example.org/a/b?page=2"


def test_normalise_url_upper_cases_percent_escapes() -> None:
    assert normalise_url("https://ex.org/caf%c3%a9") == normalise_url("https://ex.org/caf%C3%A9")
    assert normalise_url("https://ex.org/café") == "https://ex.org/caf%C3%A9"


def test_title_date_fallback_is_stable_and_whitespace_case_insensitive() -> None:
    expected = "h-" + hashlib.sha256(b"hello world|1 Jan 2023").hexdigest()[:16]
    assert fallback_id("Hello   World", "1 Jan 2023") == expected
    assert fallback_id(" hello world ", "1 Jan 2023") == expected
    assert native_id("generic", guid=None, link=None, title="HELLO world",
                     published="1 Jan 2023") == expected


def test_title_date_fallback_depends_on_the_date() -> None:
    assert fallback_id("Hello", "1 Jan 2023") != fallback_id("Hello", "2 Jan 2023")
    assert fallback_id("Hello", None) == \
        "h-" + hashlib.sha256(b"hello|").hexdigest()[:16]
