"""The report page on small frames: hostile text stays text, empty data says so."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from orchestration.report.data import ReportData
from orchestration.report.page import render

HOSTILE = '</script><script>alert("x")</script><!-- <img src=x onerror=alert(1)>'


def _data(**frames: pl.DataFrame) -> ReportData:
    empty = pl.DataFrame()
    fields = dict(
        events_per_week=empty,
        places=empty,
        people=empty,
        appearances=empty,
        offices=empty,
        meetings=empty,
        upcoming=empty,
        latest_timed=empty,
        releases_by_source=empty,
        rejected=empty,
    )
    fields.update(frames)
    return ReportData(
        **fields, quarantined=None, as_of=date(2023, 11, 20), last_day=date(2023, 11, 30)
    )


def test_hostile_text_cannot_break_out_of_the_page(tmp_path: Path) -> None:
    published = tmp_path / "pressroom.duckdb"
    published.write_bytes(b"")
    weekly = pl.DataFrame(
        {
            "week": [date(2023, 11, 13)],
            "source": [HOSTILE],
            "event_type": ["meeting"],
            "events": [3],
        }
    )
    upcoming = pl.DataFrame(
        {
            "starts_at": [datetime(2023, 11, 21, 9)],
            "event_type": ["visit"],
            "description": [HOSTILE],
            "place": [""],
            "source": ["NATO"],
        }
    )
    html = render(
        _data(events_per_week=weekly, upcoming=upcoming),
        [],
        published,
        datetime(2023, 11, 20, tzinfo=UTC),
    )
    assert html.count("<script") == 2  # the specs block and the embedding script, nothing else
    assert "<img" not in html  # escaped in the table, \u003c in the JSON
    assert html.count("<!--") == 1  # only the bundle's placeholder
    specs = re.search(
        r'<script id="report-specs" type="application/json">(.*?)</script>', html, re.S
    )
    assert specs is not None
    loaded = json.dumps(json.loads(specs.group(1)), ensure_ascii=False)
    assert json.dumps(HOSTILE, ensure_ascii=False) in loaded  # the data survives, as data


def test_empty_warehouse_says_what_is_missing(tmp_path: Path) -> None:
    published = tmp_path / "pressroom.duckdb"
    published.write_bytes(b"")
    html = render(_data(), [], published, datetime(2023, 11, 20, tzinfo=UTC))
    for note in (
        "No events yet.",
        "No event has a located place.",
        "Nobody appears",
        "No two people appear",
        "No timed event starts on or after 2023-11-20",
        "No run recorded",
        "Nothing was rejected.",
    ):
        assert note in html, note
    assert 'class="chart"' not in html
