"""The lxml reader (`feed_entries`) and feedparser give the same `ParsedFeed` for every feed the
project holds (the bundled sample, the test fixtures, the real set and seed texts beside the
repository as feeds, the benchmark corpus) and for hostile variants; the fast reader is really
used on the ordinary ones; and the comparison catches a wrong field mapping."""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks import corpus
from orchestration.sources import feed_entries
from orchestration.sources.feed_entries import read_entries
from orchestration.sources.feeds import parse_feed, parse_feed_with_feedparser
from tests.conftest import REPO_DIR, SHARED_DIR
from tests.realset_feeds import _feed as realset_feed
from tests.realset_feeds import _item as realset_item
from tests.realset_feeds import realset_releases
from tests.unit.sources.test_encodings import _feed as encoding_feed
from tests.unit.sources.test_feeds import ATOM, NATO_RSS

CONTENT_TYPES = [
    None,
    "application/rss+xml",
    "application/atom+xml; charset=utf-8",
    "text/xml",
    "application/xml; charset=iso-8859-1",
    "text/html; charset=utf-8",
]
RSS_HEAD = (
    '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">'
    "<channel><title>Hostile</title><link>https://example.org/</link><description>d</description>"
)
ATOM_HEAD = '<feed xmlns="http://www.w3.org/2005/Atom"><title>Hostile</title><id>urn:h</id>'

# Entry children, good and hostile, that the generated feeds combine.
RSS_PARTS = [
    "<title>Plain title</title>",
    "<title>  Spaced\n title  </title>",
    "<title>R&amp;D &amp;amp; more</title>",
    "<title>Bold &lt;b&gt;claim&lt;/b&gt; here</title>",
    "<title><![CDATA[CDATA <i>title</i> &amp; more]]></title>",
    "<title>&lt;script&gt;alert(1)&lt;/script&gt;Scripted</title>",
    "<title>Caf\u00c3\u00a9 mojibake</title>",
    "<title>Z\u00fcrich \u2013 \u201cquoted\u201d</title>",
    "<title>Control &#x85; and &#150; points</title>",
    "<title></title>",
    "<title>Second title</title>",
    "<link>https://example.org/news/1</link>",
    "<link> /relative/link?a=1&amp;b=2 </link>",
    "<link>https://example.org/news/caf\u00e9</link>",
    '<link href="https://example.org/attr"/>',
    '<atom:link href="https://example.org/self" rel="self" type="application/rss+xml"/>',
    '<atom:link href="https://example.org/alt" rel="alternate"/>',
    "<guid>https://example.org/guid/1</guid>",
    '<guid isPermaLink="false">123456</guid>',
    '<guid isPermaLink="true">relative-guid</guid>',
    '<guid isPermaLink="True">oddly-cased</guid>',
    '<description>Teaser &lt;p&gt;with &lt;a href="/x"&gt;a link&lt;/a&gt;&lt;/p&gt;</description>',
    "<description><![CDATA[<p>CDATA teaser &nbsp; &eacute; &#8217;</p><ul><li>one</li></ul>]]>"
    "</description>",
    "<description>&lt;p&gt;Broken &lt;b&gt;markup&lt;/p&gt; &amp;copy2 &amp;#150; R&amp;D"
    "</description>",
    "<description>&lt;!-- comment --&gt;&lt;noscript&gt;n&lt;/noscript&gt;&lt;br/&gt;x"
    "&lt;/br&gt;</description>",
    "<description>Plain teaser, no markup.</description>",
    "<description>Caf\u00c3\u00a9 &lt;b&gt;bold&lt;/b&gt; \u00e2\u20ac\u2122</description>",
    "<content:encoded><![CDATA[<p>Full <b>text</b>.</p><p>Second&nbsp;para.</p>]]>"
    "</content:encoded>",
    "<content:encoded><![CDATA[<div><script>x()</script><p>After &#39;script&#39;</p>"
    '<img src="a.png" alt="Caf\u00e9"></div>]]></content:encoded>',
    "<pubDate>13 Oct. 2023 12:00:00 GMT</pubDate>",
    "<pubDate> Tue, 14 Nov 2023 10:00:00 GMT </pubDate>",
    "<pubDate></pubDate>",
    "<dc:date>2023-11-14</dc:date>",
    "<dc:creator>Press Office</dc:creator>",
    "<author>press@example.org</author>",
    "<category>Defence</category>",
    '<enclosure url="https://example.org/a.mp3" length="1" type="audio/mpeg"/>',
    "<comments>https://example.org/c</comments>",
    '<source url="https://example.org/s">Other</source>',
    '<media:title xmlns:media="http://search.yahoo.com/mrss/">Media title</media:title>',
    "<title>Title <!-- hidden --> with comment</title>",
]
ATOM_PARTS = [
    "<title>Atom title</title>",
    '<title type="html">Atom &lt;em&gt;html&lt;/em&gt; title &amp;amp;</title>',
    '<title type="text">Atom &lt;em&gt;text&lt;/em&gt;</title>',
    '<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">X<b>h</b></div></title>',
    "<title>Caf\u00c3\u00a9</title>",
    '<link href="https://example.org/a/1" rel="alternate" type="text/html"/>',
    '<link href="https://example.org/a/self" rel="self"/>',
    '<link href="/a/relative"/>',
    '<link href="https://example.org/a/pdf" type="application/pdf"/>',
    "<id>https://example.org/a/id</id>",
    "<id>urn:uuid:1234</id>",
    "<published>2023-11-27T09:02:19Z</published>",
    "<updated>2023-11-28T10:00:00Z</updated>",
    "<summary>Atom summary</summary>",
    '<summary type="html">&lt;p&gt;Atom &lt;b&gt;html&lt;/b&gt; summary&lt;/p&gt;</summary>',
    '<content type="html">&lt;p&gt;Body&lt;/p&gt;&lt;p&gt;Two &amp;amp; three&lt;/p&gt;</content>',
    "<content>Plain body &lt;p&gt;not markup&lt;/p&gt;</content>",
    '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>X</p></div></content>',
    "<author><name>Frontex</name><uri>https://frontex.europa.eu</uri></author>",
    '<category term="news"/>',
]


def _rss(
    items: list[str],
    *,
    declaration: str = '<?xml version="1.0" encoding="UTF-8"?>',
    head: str = RSS_HEAD,
) -> str:
    return (
        declaration
        + head
        + "".join(f"<item>{item}</item>" for item in items)
        + ("</channel></rss>")
    )


def _atom(entries: list[str]) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        + ATOM_HEAD
        + "".join(f"<entry>{entry}</entry>" for entry in entries)
        + "</feed>"
    )


def _rdf(items: list[str]) -> str:
    return (
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        '<channel rdf:about="https://e.org/"><title>RDF</title><link>https://e.org/</link>'
        '<items><rdf:Seq><rdf:li rdf:resource="https://e.org/1"/></rdf:Seq></items></channel>'
        + "".join(
            f'<item rdf:about="{about}">{body}</item>'
            for about, body in zip(
                ["https://e.org/1", " urn:x ", ""] * len(items), items, strict=False
            )
        )
        + "</rdf:RDF>"
    )


def _files() -> Iterator[tuple[str, bytes]]:
    for folder in (REPO_DIR / "orchestration" / "sources" / "sample", REPO_DIR / "tests"):
        for path in sorted(folder.rglob("*.xml")):
            yield (
                str(path.relative_to(REPO_DIR)),
                path.read_bytes().replace(b"{BASE}", b"https://example.org"),
            )


def _literals() -> Iterator[tuple[str, bytes]]:
    yield "test_feeds NATO_RSS", NATO_RSS
    yield "test_feeds ATOM", ATOM
    yield "test_encodings utf-8", encoding_feed("Zürich – café".encode())
    yield (
        "test_encodings cp1252",
        encoding_feed("“Smart” – quotes".encode("cp1252"), b'<?xml version="1.0"?>'),
    )
    yield "test_encodings BOM", b"\xef\xbb\xbf" + encoding_feed("Zürich".encode())


def _shared() -> Iterator[tuple[str, bytes]]:
    releases = realset_releases()
    yield (
        "realset",
        realset_feed("Real set", [realset_item(r, "https://example.org") for r in releases]),
    )
    for path in sorted((SHARED_DIR / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        title, _, body = text.partition("\n")
        paragraphs = "".join(f"<p>{html.escape(part)}</p>" for part in body.split("\n\n"))
        yield (
            f"seed {path.name}",
            _rss(
                [
                    f"<title>{html.escape(title)}</title><guid>{path.stem}</guid>"
                    f"<description>{html.escape(paragraphs)}</description>"
                    f"<content:encoded><![CDATA[{paragraphs}]]></content:encoded>"
                ]
            ).encode(),
        )


def _bench(root: Path) -> Iterator[tuple[str, bytes]]:
    names = corpus.write_corpus(root, 240, 3, per_feed=120)
    names.append(corpus.write_new_day(root, 240, per_day=5))
    for name in names:
        yield f"bench {name}", (root / "feeds" / f"{name}.xml").read_bytes()


def _hostile() -> Iterator[tuple[str, bytes]]:
    yield "all rss parts", _rss(RSS_PARTS).encode()
    yield "rss parts the fast reader knows", _rss(RSS_PARTS[:-3]).encode()
    for index, part in enumerate(RSS_PARTS):
        yield (
            f"rss part {index}",
            _rss([part, "<title>t</title><link>https://e.org/x</link>"]).encode(),
        )
    for index, part in enumerate(ATOM_PARTS):
        yield f"atom part {index}", _atom([part, "<title>t</title><id>urn:x</id>"]).encode()
    yield "atom all", _atom(["".join(ATOM_PARTS[:3]), "".join(ATOM_PARTS[5:])]).encode()
    ordinary = [
        "<title>Caf\u00e9 \u2013 news</title><link>https://e.org/1</link>"
        "<description>Teaser \u2019s</description><pubDate>Tue, 14 Nov 2023</pubDate>"
    ]
    yield (
        "latin-1 declared",
        _rss(ordinary, declaration=('<?xml version="1.0" encoding="ISO-8859-1"?>')).encode(
            "latin-1", "replace"
        ),
    )
    yield (
        "windows-1252 declared",
        _rss(ordinary, declaration=('<?xml version="1.0" encoding="windows-1252"?>')).encode(
            "cp1252"
        ),
    )
    yield "windows-1252 undeclared", _rss(ordinary, declaration="").encode("cp1252")
    yield (
        "utf-16",
        codecs.BOM_UTF16_LE
        + _rss(ordinary, declaration=('<?xml version="1.0" encoding="utf-16"?>')).encode(
            "utf-16-le"
        ),
    )
    yield "BOM", b"\xef\xbb\xbf" + _rss(ordinary).encode()
    yield (
        "xml:base root",
        _rss(
            ["<title>b</title><link>/rel/1</link><guid>g/2</guid>"],
            head=RSS_HEAD.replace("<rss ", '<rss xml:base="https://b.org/x/" '),
        ).encode(),
    )
    yield (
        "xml:base item",
        _rss(
            ['<title xml:base="https://c.org/">b</title><link>rel</link>', "<link>rel2</link>"]
        ).encode(),
    )
    yield "entities", _rss(["<title>&#169; &#x2014; &amp;nbsp; &lt;&gt;</title>"]).encode()
    yield "undefined entity", _rss(["<title>&nbsp;</title>"]).encode()
    yield (
        "doctype",
        (
            '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY c "(C)">]>'
            + _rss(["<title>&c; t</title>"], declaration="")
        ).encode(),
    )
    yield "truncated", _rss(RSS_PARTS[:8]).encode()[:-60]
    yield "no items", _rss([]).encode()
    yield "empty", b""
    yield "html page", b"<!DOCTYPE html><html><body><p>Maintenance</p></body></html>"
    yield (
        "rdf",
        (
            b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
            b'syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><title>t'
            b'</title></channel><item rdf:about="https://e.org/1"><title>One</title>'
            b"<link>https://e.org/1</link></item></rdf:RDF>"
        ),
    )
    yield (
        "rdf parts",
        _rdf(
            [
                "".join(RSS_PARTS[:8]),
                "".join(RSS_PARTS[11:14] + RSS_PARTS[17:20]),
                "".join(RSS_PARTS[21:22] + RSS_PARTS[27:34]),
            ]
        ).encode(),
    )
    yield (
        "prefix rebound",
        _rss(
            ["<c:encoded>x</c:encoded>"],
            head=RSS_HEAD.replace(
                'xmlns:dc="http://purl.org/dc/elements/1.1/"',
                'xmlns:dc="http://purl.org/rss/1.0/modules/content/" xmlns:c="http://purl.org/dc/'
                'elements/1.1/"',
            ),
        ).encode(),
    )
    yield "upper-case elements", _rss(["<Title>Upper</Title><LINK>https://e.org/u</LINK>"]).encode()


def _payloads(tmp: Path) -> Iterator[tuple[str, bytes]]:
    yield from _files()
    yield from _literals()
    yield from _shared()
    yield from _bench(tmp)
    yield from _hostile()


def _differences(payloads: list[tuple[str, bytes]]) -> list[str]:
    differences = []
    for name, payload in payloads:
        for content_type in CONTENT_TYPES:
            fast, reference = (
                parse_feed(payload, content_type),
                parse_feed_with_feedparser(payload, content_type),
            )
            if fast != reference:
                differences.append(f"{name} ({content_type}): {fast} != {reference}")
    return differences


@pytest.fixture(scope="module")
def payloads(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, bytes]]:
    return list(_payloads(tmp_path_factory.mktemp("bench")))


def test_both_readers_give_the_same_items_for_every_feed(payloads: list) -> None:
    assert len(payloads) > 100
    differences = _differences(payloads)
    assert not differences, "\n".join(differences[:5])


def test_the_fast_reader_is_used_for_ordinary_feeds(payloads: list) -> None:
    used = {name for name, payload in payloads if read_entries(payload, None) is not None}
    assert {
        "realset",
        "test_feeds NATO_RSS",
        "test_feeds ATOM",
        "bench archive_001",
        "bench live",
        "rss part 0",
        "rss parts the fast reader knows",
    } <= used
    assert "orchestration/sources/sample/fetches/01/nato/rssFeed.xml" in used
    assert not {"truncated", "doctype", "html page", "undefined entity"} & used
    assert {"rdf", "rdf parts"} <= used
    assert len(used) > len(payloads) / 2


def test_the_comparison_catches_a_wrong_field_mapping(
    payloads: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading ``updated`` before ``published`` (a plausible slip) must show as a difference."""
    original = feed_entries._Entry.read

    def swapped(self: feed_entries._Entry, name: str, element: object) -> None:
        swap = {"published": "updated", "pubdate": "updated", "updated": "published"}
        original(self, swap.get(name, name), element)

    monkeypatch.setattr(feed_entries._Entry, "read", swapped)
    assert _differences([(n, p) for n, p in payloads if n.startswith(("bench", "test_feeds"))])


def test_skipping_the_latin1_repair_is_caught(
    payloads: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed_entries, "_repaired", lambda rules, output: output)
    assert _differences([(n, p) for n, p in payloads if n in ("all rss parts", "rss part 6")])


_rss_items = st.lists(st.lists(st.sampled_from(RSS_PARTS), max_size=7), min_size=1, max_size=3)
_atom_entries = st.lists(st.lists(st.sampled_from(ATOM_PARTS), max_size=7), min_size=1, max_size=3)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_rss_items, st.sampled_from(CONTENT_TYPES), st.booleans())
def test_any_mix_of_rss_item_parts_reads_the_same(
    items: list, content_type: str | None, rdf: bool
) -> None:
    payload = (_rdf if rdf else _rss)(["".join(parts) for parts in items]).encode()
    assert parse_feed(payload, content_type) == parse_feed_with_feedparser(payload, content_type)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_atom_entries, st.sampled_from(CONTENT_TYPES))
def test_any_mix_of_atom_entry_parts_reads_the_same(
    entries: list, content_type: str | None
) -> None:
    payload = _atom(["".join(parts) for parts in entries]).encode()
    assert parse_feed(payload, content_type) == parse_feed_with_feedparser(payload, content_type)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(
        alphabet=st.sampled_from(list("aé€\u00c3\u00a9\u0085<>&;#/ \"'pbr=x1\r\n")), max_size=40
    ),
    st.sampled_from(["title", "description", "content:encoded"]),
)
def test_any_text_in_a_field_reads_the_same(text: str, field: str) -> None:
    escaped = html.escape(text, quote=False)
    payload = _rss([f"<{field}>{escaped}</{field}><link>https://e.org/{len(text)}</link>"]).encode()
    assert parse_feed(payload) == parse_feed_with_feedparser(payload)
    assert re.sub(r"\s", "", text) == "" or read_entries(payload, None) is not None


HTML_TOKENS = [
    "<p>",
    "</p>",
    "<P>",
    "<br>",
    "<br/>",
    "<br />",
    "</br>",
    "<b>",
    "</b>",
    "<p/>",
    "<div>",
    '<a href="/x">',
    '<a href="https://e.org/?a=1&amp;b=2">',
    "</a>",
    '<img src="a.png"/>',
    '<img alt="Caf\u00e9" src="b.png">',
    '<span style="color: red">',
    "</span>",
    "<li>",
    "<ul>",
    "<script>",
    "</script>",
    "<noscript>",
    "<iframe>",
    "<!-- c -->",
    "&amp;",
    "&nbsp;",
    "&#150;",
    "&#x96;",
    "&#8217;",
    "&#39;",
    "&eacute;",
    "&apos;",
    "&copy2",
    "&bogus;",
    "R&D",
    "a < b",
    "x > y",
    "\u00c3\u00a9",
    "\u00e9",
    "\u20ac",
    "\u0085",
    "\u00e2\u20ac\u2122",
    "plain text ",
    "\n",
    "  ",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(HTML_TOKENS), max_size=12).map("".join),
    st.sampled_from(["description", "content:encoded", "title"]),
)
def test_html_the_fast_reader_keeps_unsanitized_reads_the_same(fragment: str, field: str) -> None:
    """`_benign_html` lets HTML skip feedparser's sanitizer only where that changes no text."""
    payload = _rss([f"<{field}><![CDATA[{fragment}]]></{field}><guid>g</guid>"]).encode()
    assert parse_feed(payload) == parse_feed_with_feedparser(payload)


SPLICES = [
    "<!-- c -->",
    "<?pi x?>",
    "<![CDATA[<b>x</b>]]>",
    "&amp;",
    "&#x85;",
    "&#150;",
    "\u00e9",
    "\u00c3\u00a9",
    "<x:y xmlns:x='urn:x'/>",
    "<title>T2</title>",
    "<link>/l</link>",
    '<guid isPermaLink="false">g</guid>',
    "<description>d</description>",
    "<item></item>",
    '<link href="/h"/>',
    "<\u00e9l>x</\u00e9l>",
    " xml:base='https://b.org/' ",
    " lastmod='x' ",
    "</item><item>",
    "\r\n",
    "&lt;p&gt;",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_spliced_feeds_read_the_same(data: st.DataObject) -> None:
    """Well-formed or not, a good feed with a fragment spliced in anywhere reads the same."""
    text = data.draw(
        st.sampled_from([_rss(RSS_PARTS[:3] + RSS_PARTS[11:12]), _atom(ATOM_PARTS[:2])])
    )
    offset = data.draw(st.integers(min_value=0, max_value=len(text)))
    payload = (text[:offset] + data.draw(st.sampled_from(SPLICES)) + text[offset:]).encode()
    assert parse_feed(payload) == parse_feed_with_feedparser(payload)
