"""Live collection over real HTTP on 127.0.0.1: NATO-style RSS + pages, Europol-style feed + node
API, through HttpTransport (cache, guard, rate limit), stored and rebuilt in a DuckDB file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer

from orchestration.sources.collect import Collected, collect_source
from orchestration.sources.config import SourceConfig
from orchestration.sources.http import HttpSettings
from orchestration.sources.http_transport import HttpTransport
from orchestration.warehouse.connection import open_warehouse
from orchestration.warehouse.raw_store import store_collected
from orchestration.warehouse.releases import rebuild_releases
from orchestration.warehouse.schema import ensure_raw_schema

pytestmark = pytest.mark.timeout(30)

NATO_FEED = "/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml"
EUROPOL_FEED = "/cms/api/rss/news"
NEWS = "/media-press/newsroom/news/"
WIDE = (date(2000, 1, 1), date(2100, 1, 1))
MAINTENANCE = (b"<!DOCTYPE html><html><head><title>Maintenance</title></head>"
               b"<body><h1>We'll be back soon</h1></body></html>")
FAST_HTTP = {"retries": 0, "backoff_s": 0, "connect_timeout_s": 2, "read_timeout_s": 2,
             "deadline_s": 10}


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """Serve on 127.0.0.1 (not "localhost", which also resolves to ::1)."""
    return ("127.0.0.1", 0)


def _base(server: HTTPServer) -> str:
    return server.url_for("/").rstrip("/")


def _nato(server: HTTPServer, **http: object) -> SourceConfig:
    return SourceConfig(
        name="nato", display_name="NATO", kind="rss", profile="nato-legacy-cps",
        base_url=_base(server), feed_url=NATO_FEED, timezone="Europe/Brussels",
        full_text={"method": "html"}, http={**FAST_HTTP, **http},
        rate_limit={"min_interval_s": 0.2})


def _europol(server: HTTPServer) -> SourceConfig:
    return SourceConfig(
        name="europol", display_name="Europol", kind="rss", profile="europol",
        base_url=_base(server), feed_url=EUROPOL_FEED, timezone="Europe/Amsterdam",
        full_text={"method": "json-api", "url_template": "/cms/api/node?url={path}"},
        backfill={"method": "linked-list", "max_items": 5}, http=FAST_HTTP,
        rate_limit={"min_interval_s": 0.2})


def _nato_rss(base: str) -> bytes:
    items = [
        ("news_301", "NATO Secretary General to visit Romania", "13 Oct. 2023 12:00:00 GMT",
         "The Secretary General will visit Romania."),
        ("opinions_302", "Press conference by the Secretary General", "12 Oct. 2023 12:00:00 GMT",
         "Transcript of the press conference."),
        ("news_303", "Deputy Secretary General visits Constanța", "19 Oct. 2023 12:00:00 GMT",
         "Teaser about the visit to Constanța."),
    ]
    body = "".join(
        f"<item><title>{title}</title><link>{base}/cps/en/natohq/{page}.htm</link>"
        f"<description>{teaser}</description><pubDate>{published}</pubDate>"
        f"<guid isPermaLink=\"false\">{page.split('_')[1]}</guid></item>"
        for page, title, published, teaser in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>NATO Latest News</title>{body}</channel></rss>").encode()


def _nato_page(title: str, paragraphs: list[str], code: str = "") -> bytes:
    code_line = f"<li>{code}</li>\n" if code else ""
    text = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (f'<!DOCTYPE html><html><head><title>NATO - {title}</title></head><body>'
            f'<nav><a href="/">Home</a></nav><h1 class="fs-huge">{title}</h1>'
            f'<ul class="event-info">\n<li>16 Oct. 2023 - 18 Oct. 2023</li>\n{code_line}'
            f"<li>Issued on 13 Oct. 2023</li>\n<li>Last updated: 13 Oct. 2023 15:20</li>\n</ul>"
            f'<section class="content cf">{text}</section><footer>NATO - OTAN</footer>'
            f"</body></html>").encode()


def _europol_rss(base: str) -> bytes:
    items = "".join(
        f"<item><title>{title}</title><link>{base}{NEWS}{slug}</link>"
        f"<description>{teaser}</description><guid>{base}{NEWS}{slug}</guid></item>"
        for slug, title, teaser in [
            ("money-mule-action", "Money mule action leads to arrests", "Police forces in …"),
            ("firearms-seized", "Hundreds of firearms seized", "Officers seized …"),
        ])
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Europol</title>{items}</channel></rss>").encode()


def _node(slug: str, title: str, epoch: int, previous: str | None) -> bytes:
    return json.dumps({
        "alias": f"{NEWS}{slug}", "title": title, "published": epoch,
        "introduction": f"<p>Introduction of {title}.</p>",
        "body": f"<p>Body of {title}.</p><p>Headquartered in The Hague.</p>",
        "articleType": {"title": "Press Release"}, "crimeAreas": [{"title": "Fraud"}],
        "navigation": {"previous": f"{NEWS}{previous}" if previous else None},
    }).encode()


def _serve_sources(server: HTTPServer) -> None:
    base = _base(server)
    server.expect_request(NATO_FEED).respond_with_data(
        _nato_rss(base), content_type="application/rss+xml; charset=utf-8")
    server.expect_request("/cps/en/natohq/news_301.htm").respond_with_data(
        _nato_page("NATO Secretary General to visit Romania and Bulgaria",
                   ["The NATO Secretary General will visit Romania and Bulgaria.",
                    "17:30 (CET)\u00a0\u00a0\u00a0 Press conference"], "Press Release (2023) 151"),
        content_type="text/html; charset=utf-8")
    server.expect_request("/cps/en/natohq/opinions_302.htm").respond_with_data(
        _nato_page("Press conference by NATO Secretary General Jens Stoltenberg",
                   ["Good afternoon.", "Question: Thank you."]),
        content_type="text/html; charset=utf-8")
    server.expect_request("/cps/en/natohq/news_303.htm").respond_with_data(
        b"<html><body><h1>Page not found</h1></body></html>", status=404,
        content_type="text/html")
    server.expect_request(EUROPOL_FEED).respond_with_data(
        _europol_rss(base), content_type="application/rss+xml; charset=utf-8")
    for slug, title, epoch, previous in [
        ("money-mule-action", "Money mule action leads to arrests", 1699002900,
         "firearms-seized"),
        ("firearms-seized", "Hundreds of firearms seized", 1698396600, "car-theft-ring"),
        ("car-theft-ring", "Car theft ring dismantled", 1697533200, None),
    ]:
        server.expect_request("/cms/api/node", query_string={"url": f"{NEWS}{slug}"}) \
            .respond_with_data(_node(slug, title, epoch, previous),
                               content_type="application/json")


@pytest.fixture
def transport(tmp_path: Path, httpserver: HTTPServer) -> Iterator[HttpTransport]:
    base = HttpSettings(allowed_private_endpoints=(f"127.0.0.1:{httpserver.port}",))
    live = HttpTransport(tmp_path / "cache" / "http.sqlite", base=base)
    yield live
    live.close()


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with open_warehouse(tmp_path / "warehouse.duckdb") as conn:
        ensure_raw_schema(conn)
        yield conn


def _collect(sources: list[SourceConfig], transport: HttpTransport) -> list[Collected]:
    return [collect_source(source, transport.for_source(source)) for source in sources]


def _store_and_rebuild(conn: duckdb.DuckDBPyConnection, collected: list[Collected],
                       run_id: str, sources: list[SourceConfig]):
    for number, result in enumerate(collected):
        store_collected(conn, result, f"{run_id}-{number}")
    return rebuild_releases(conn, {source.name: source for source in sources}, *WIDE)


def _hits(server: HTTPServer, path: str) -> int:
    return sum(1 for request, _response in server.log if request.path == path)


def test_live_collection_into_duckdb(httpserver: HTTPServer, transport: HttpTransport,
                                     warehouse: duckdb.DuckDBPyConnection) -> None:
    _serve_sources(httpserver)
    sources = [_nato(httpserver), _europol(httpserver)]
    collected = _collect(sources, transport)
    assert [rejection for result in collected for rejection in result.rejections] == []
    stats = _store_and_rebuild(warehouse, collected, "live-1", sources)
    assert (stats.releases, stats.versions_written, stats.new) == (6, 6, 6)

    rows = warehouse.execute("""
        select release_id, version, title, body_text, is_truncated, published_at,
               release_type_hint
        from raw.releases order by release_id
    """).fetchall()
    assert [row[:2] for row in rows] == [
        ("europol:news/car-theft-ring", 1),
        ("europol:news/firearms-seized", 1),
        ("europol:news/money-mule-action", 1),
        ("nato:news_301", 1),
        ("nato:news_303", 1),
        ("nato:opinions_302", 1),
    ]
    by_id = {row[0]: row for row in rows}
    news_301 = by_id["nato:news_301"]
    assert news_301[2] == "NATO Secretary General to visit Romania and Bulgaria"
    assert news_301[3] == ("The NATO Secretary General will visit Romania and Bulgaria."
                           "\n\n17:30 (CET)    Press conference")
    assert (news_301[4], news_301[5], news_301[6]) == (
        False, datetime(2023, 10, 13, 12), "Press Release (2023) 151")
    assert by_id["nato:opinions_302"][3] == "Good afternoon.\n\nQuestion: Thank you."
    assert by_id["nato:opinions_302"][6] == "opinions"
    news_303 = by_id["nato:news_303"]
    assert (news_303[3], news_303[4]) == ("Teaser about the visit to Constanța.", True)
    money = by_id["europol:news/money-mule-action"]
    assert money[3] == ("Introduction of Money mule action leads to arrests.\n\n"
                        "Body of Money mule action leads to arrests.\n\n"
                        "Headquartered in The Hague.")
    assert (money[4], money[5], money[6]) == (False, datetime(2023, 11, 3, 9, 15), "Press Release")
    walked = by_id["europol:news/car-theft-ring"]
    assert (walked[2], walked[4], walked[5]) == (
        "Car theft ring dismantled", False, datetime(2023, 10, 17, 9, 0))

    stored = warehouse.execute("""
        select count(*), count(*) filter (where status = 404) from raw.http_responses
    """).fetchone()
    assert stored == (8, 1)  # 2 feeds + 3 NATO pages (one 404) + 3 Europol nodes
    assert warehouse.execute("""
        select count(*) from raw.http_responses
        where url like '%/cms/api/node?url=%'
    """).fetchone() == (3,)


def test_second_identical_collection_adds_no_versions(
        httpserver: HTTPServer, transport: HttpTransport,
        warehouse: duckdb.DuckDBPyConnection) -> None:
    _serve_sources(httpserver)
    sources = [_nato(httpserver), _europol(httpserver)]
    _store_and_rebuild(warehouse, _collect(sources, transport), "live-1", sources)
    first = warehouse.execute("select * from raw.releases order by all").fetchall()
    feed_hits = _hits(httpserver, NATO_FEED)

    stats = _store_and_rebuild(warehouse, _collect(sources, transport), "live-2", sources)

    assert _hits(httpserver, NATO_FEED) == feed_hits + 1
    assert (stats.new, stats.changed, stats.unchanged) == (0, 0, 6)
    assert warehouse.execute("select * from raw.releases order by all").fetchall() == first
    assert warehouse.execute(
        "select count(distinct run_id) from raw.fetched_items").fetchone() == (4,)


def test_html_maintenance_page_for_a_feed_is_rejected_and_not_cached(
        httpserver: HTTPServer, transport: HttpTransport,
        warehouse: duckdb.DuckDBPyConnection) -> None:
    _serve_sources(httpserver)
    httpserver.expect_oneshot_request(NATO_FEED).respond_with_data(
        MAINTENANCE, content_type="text/html; charset=utf-8")
    # a long cache lifetime: a cached maintenance page would be served without asking again
    nato = _nato(httpserver, cache_expire_s=3600)

    first = collect_source(nato, transport.for_source(nato))
    assert first.items == []
    assert first.payloads == {}
    assert [(r.reason, r.locator) for r, _sha, _day in first.rejections] == [
        ("invalid_body", f"{_base(httpserver)}{NATO_FEED}")]
    assert "HTML page" in first.rejections[0][0].detail
    assert _hits(httpserver, NATO_FEED) == 1

    second = collect_source(nato, transport.for_source(nato))
    assert _hits(httpserver, NATO_FEED) == 2
    assert second.rejections == []
    assert sorted(ref.release_id for ref in second.items) == [
        "nato:news_301", "nato:news_303", "nato:opinions_302"]

    third = collect_source(nato, transport.for_source(nato))
    assert _hits(httpserver, NATO_FEED) == 2  # the good feed, by contrast, is cached
    assert len(third.items) == 3

    stats = _store_and_rebuild(warehouse, [first, second, third], "live", [nato])
    assert (stats.releases, stats.versions_written) == (3, 3)
    assert warehouse.execute(
        "select reason, partition_date from raw.rejected_items").fetchall() == [
        ("invalid_body", None)]
    assert warehouse.execute(
        "select count(*) from raw.http_responses where content_type like 'text/html%'"
        " and url like '%rssFeed.xml'").fetchone() == (0,)


def test_private_endpoint_not_allowed_is_blocked(
        tmp_path: Path, httpserver: HTTPServer) -> None:
    _serve_sources(httpserver)
    nato = _nato(httpserver)
    live = HttpTransport(tmp_path / "cache.sqlite", base=HttpSettings())
    try:
        result = collect_source(nato, live.for_source(nato), now=datetime.now(UTC))
    finally:
        live.close()
    assert [r.reason for r, _sha, _day in result.rejections] == ["blocked_address"]
    assert _hits(httpserver, NATO_FEED) == 0
