"""Raw-load throughput: a synthetic feed of N releases (default 10,000) with article pages,
replayed through the real collection, storage and versioning code into a DuckDB file.

Usage: python benchmarks/bench_raw_load.py [--releases 10000] [--runs 3]
Reports the median over runs of: collect (parse feed + pages), store (payloads, item rows),
rebuild (re-parse from kept payloads, version, write raw.releases), in releases/s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import yaml

from orchestration.sources.collect import collect_source
from orchestration.sources.config import parse_sources
from orchestration.sources.transport import ReplayTransport
from orchestration.warehouse.raw_store import store_collected
from orchestration.warehouse.releases import rebuild_releases
from orchestration.warehouse.schema import ensure_raw_schema

WORDS = [
    "alliance", "security", "ministers", "meeting", "defence", "support", "cooperation",
    "operation", "investigation", "partners", "council", "summit", "agreement",
    "capabilities", "resilience",
]


def _page(number: int, rng: random.Random) -> str:
    paragraphs = "".join(
        "<p>" + " ".join(rng.choice(WORDS) for _ in range(60)).capitalize() + ".</p>"
        for _ in range(6)
    )
    return (f"<html><body><h1 class='fs-huge'>Release {number}</h1>"
            f"<ul class='event-info'><li>Issued on 01 Nov. 2023</li></ul>"
            f"<section class='content cf'>{paragraphs}</section></body></html>")


def build_replay(root: Path, releases: int) -> Path:
    """fetches/01/nato/: one RSS feed of `releases` items plus one page per item."""
    rng = random.Random(7)
    folder = root / "fetches" / "01" / "nato"
    folder.mkdir(parents=True)
    (root / "fetches" / "01" / "fetch.yaml").write_text('fetched_at: "2023-12-01T06:00:00Z"\n')
    start = date(2023, 1, 1)
    items, responses = [], []
    for number in range(releases):
        link = f"https://www.nato.int/cps/en/natohq/news_{300000 + number}.htm"
        day = start + timedelta(days=number % 330)
        items.append(f"<item><title>Release {number}</title><link>{link}</link>"
                     f"<description>Teaser {number}</description>"
                     f"<pubDate>{day:%d %b}. {day:%Y} 12:00:00 GMT</pubDate></item>")
        (folder / f"p{number}.htm").write_text(_page(number, rng), encoding="utf-8")
        responses.append({"url": link, "file": f"p{number}.htm", "status": 200,
                          "content_type": "text/html; charset=utf-8"})
    feed = ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>B"
            "</title>" + "".join(items) + "</channel></rss>")
    (folder / "feed.xml").write_text(feed, encoding="utf-8")
    responses.append({"url": "https://www.nato.int/rss.xml", "file": "feed.xml", "status": 200,
                      "content_type": "application/rss+xml"})
    (folder / "index.yaml").write_text(yaml.safe_dump({"responses": responses}))
    return root / "fetches"


def run_once(fetches: Path, workdir: Path) -> dict[str, float]:
    sources = parse_sources({"sources": [{
        "name": "nato", "display_name": "NATO", "kind": "rss", "profile": "nato-legacy-cps",
        "base_url": "https://www.nato.int", "feed_url": "/rss.xml",
        "full_text": {"method": "html"}}]})
    source = sources.sources[0]
    timings = {}
    started = time.perf_counter()
    collected = collect_source(source, ReplayTransport(fetches), now=datetime.now(UTC))
    timings["collect"] = time.perf_counter() - started
    conn = duckdb.connect(str(workdir / f"bench-{time.time_ns()}.duckdb"))
    ensure_raw_schema(conn)
    started = time.perf_counter()
    store_collected(conn, collected, "bench")
    timings["store"] = time.perf_counter() - started
    started = time.perf_counter()
    stats = rebuild_releases(conn, {"nato": source}, date(2010, 1, 1), date(2030, 1, 1))
    timings["rebuild"] = time.perf_counter() - started
    conn.close()
    timings["releases"] = stats.releases
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--releases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fetches = build_replay(Path(tmp), args.releases)
        results = [run_once(fetches, Path(tmp)) for _ in range(args.runs)]
    count = results[0]["releases"]
    print(f"releases loaded per run: {count}")
    for phase in ("collect", "store", "rebuild"):
        median = statistics.median(result[phase] for result in results)
        print(f"{phase:<8} median {median:7.2f} s  {count / median:9.0f} releases/s")
    total = statistics.median(r["collect"] + r["store"] + r["rebuild"] for r in results)
    print(f"{'total':<8} median {total:7.2f} s  {count / total:9.0f} releases/s")


if __name__ == "__main__":
    main()
