"""parse_article: the NATO legacy layout, and trafilatura for pages without it."""

from __future__ import annotations

from orchestration.sources.pages import parse_article

LEGACY = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>NATO - News: Meeting of NATO Ministers of Defence, 06-Oct.-2023</title></head>
<body>
<header><nav><ul><li><a href="/">Home</a></li>
<li><a href="/news.htm">News &amp; events</a></li></ul></nav></header>
<main><article>
<h1 class="fs-huge">Meeting of NATO   Ministers of Defence</h1>
<ul class="event-info">
  <li>11 Oct. 2023 - 12 Oct. 2023</li>
  <li>Press Release (2023) 163</li>
  <li>Issued on 06 Oct. 2023</li>
  <li>Last updated: 09 Oct. 2023 10:27</li>
</ul>
<section class="content cf">
<p>NATO Defence Ministers will meet in Brussels on 11 and 12 October 2023.</p>
<p>The meeting will be chaired by the Secretary General, Mr Jens Stoltenberg.</p>
<p>Media advisory</p>
<p>17:30 (CET)&nbsp;&nbsp;&nbsp; Press conference by the NATO Secretary General</p>
<p>&#177;12:00 (CET)\tDoorstep statement</p>
<ul><li>Media coverage will be live-streamed.</li></ul>
</section>
</article></main>
<footer><p>Boulevard L&eacute;opold III, 1110 Brussels</p></footer>
</body></html>"""

PARAGRAPHS = [
    "Thirty border officers from five countries completed a two-week course on detecting "
    "forged travel documents at the training centre in Tirana on Friday.",
    "The course combined classroom sessions with practical exercises at the airport, where "
    "participants examined passports, visas and residence permits under the guidance of "
    "experienced trainers.",
    "Organisers said the next course would take place in the spring and would focus on the "
    "detection of impostors using genuine documents.",
]
NO_LAYOUT = (
    "<!DOCTYPE html><html><head><title>Agency - Border officers trained</title></head><body>\n"
    '<header><nav><ul><li><a href="/">Home</a></li><li><a href="/about">About the agency</a>'
    '</li>\n<li><a href="/careers">Careers and vacancies</a></li></ul></nav></header>\n'
    '<div class="layout"><div class="main-column">\n'
    "<h2>Border officers trained in document checks</h2>\n"
    + "".join(f"<p>{paragraph}</p>\n" for paragraph in PARAGRAPHS)
    + "</div></div>\n<footer><p>Copyright 2023 Agency. All rights reserved. Privacy policy. "
    'Cookie settings.</p>\n<ul><li><a href="/contact">Contact us</a></li></ul></footer>\n'
    "</body></html>"
)


def test_legacy_title_from_h1_fs_huge() -> None:
    assert parse_article(LEGACY).title == "Meeting of NATO Ministers of Defence"


def test_legacy_metadata_strip() -> None:
    assert parse_article(LEGACY).metadata == {
        "event_start": "11 Oct. 2023",
        "event_end": "12 Oct. 2023",
        "event_dates": "11 Oct. 2023 - 12 Oct. 2023",
        "press_release_code": "Press Release (2023) 163",
        "issued_on": "06 Oct. 2023",
        "last_updated": "09 Oct. 2023 10:27",
    }


def test_single_day_event_with_dangling_dash() -> None:
    page = parse_article(LEGACY.replace("11 Oct. 2023 - 12 Oct. 2023", "11 Jul. 2023 -"))
    assert page.metadata["event_start"] == "11 Jul. 2023"
    assert "event_end" not in page.metadata
    assert page.metadata["event_dates"] == "11 Jul. 2023 -"


def test_legacy_body_paragraphs_and_advisory_lines_keep_their_text() -> None:
    body = parse_article(LEGACY).body_text
    assert body.split("\n\n") == [
        "NATO Defence Ministers will meet in Brussels on 11 and 12 October 2023.",
        "The meeting will be chaired by the Secretary General, Mr Jens Stoltenberg.",
        "Media advisory",
        "17:30 (CET)    Press conference by the NATO Secretary General",
        "±12:00 (CET)\tDoorstep statement",
        "  • Media coverage will be live-streamed.",
    ]


def test_legacy_body_excludes_navigation_metadata_and_footer() -> None:
    body = parse_article(LEGACY).body_text
    for boilerplate in ("Home", "News & events", "Issued on", "Léopold", "Press Release (2023)"):
        assert boilerplate not in body


def test_page_without_known_layout_falls_back_to_main_text() -> None:
    page = parse_article(NO_LAYOUT)
    assert page.title == "Agency - Border officers trained"
    assert page.metadata == {}
    assert "Thirty border officers from five countries" in page.body_text
    assert "detection of impostors using genuine documents." in page.body_text
    for boilerplate in ("About the agency", "Careers and vacancies", "Contact us",
                        "All rights reserved", "Cookie settings"):
        assert boilerplate not in page.body_text


def test_fallback_text_separates_paragraphs_with_blank_lines() -> None:
    # docs/architecture.md: body_text is "plain text, paragraphs separated by blank lines"
    # (release_type.py reads the first paragraph with split("\n\n")). The trafilatura
    # fallback returns paragraphs separated by single newlines.
    paragraphs = parse_article(NO_LAYOUT).body_text.split("\n\n")
    assert paragraphs[-3:] == PARAGRAPHS


def test_metadata_strip_of_minified_html() -> None:
    # Whitespace between <li> elements is insignificant in HTML, but the metadata strip is
    # read from text_content(), which glues "…2023" to "Press Release", so the
    # press_release_code (\b) and the line-anchored event date range are lost.
    minified = LEGACY.replace("\n  <li>", "<li>").replace("</li>\n</ul>", "</li></ul>")
    assert '</li><li>Press Release (2023) 163</li><li>' in minified
    assert parse_article(minified).metadata == parse_article(LEGACY).metadata
