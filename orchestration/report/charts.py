"""Vega-Lite specs (through altair) for the report; each returns a plain dict, data inlined."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import altair as alt
import polars as pl

LAND = Path(__file__).with_name("data") / "land-110m.json"  # Natural Earth via world-atlas 2.0.2
WIDTH = 760


@cache
def _land() -> dict:
    return json.loads(LAND.read_text(encoding="utf-8"))


def _spec(chart: alt.TopLevelMixin) -> dict:
    with alt.data_transformers.enable("default", max_rows=None):
        return chart.to_dict()


def events_per_week(frame: pl.DataFrame) -> dict:
    """Stacked weekly bars by event type, one row of bars per source."""
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("week:T", title="week"),
            y=alt.Y("sum(events):Q", title="events"),
            color=alt.Color("event_type:N", title="event type"),
            tooltip=["week:T", "source:N", "event_type:N", "events:Q"],
        )
        .properties(width=WIDTH, height=90)
    )
    return _spec(bars.facet(row=alt.Row("source:N", title=None)))


def event_map(frame: pl.DataFrame) -> dict:
    """Event places on a land map (bundled Natural Earth outlines), sized by event count."""
    land = alt.Chart(
        alt.Data(values=_land(), format=alt.DataFormat(type="topojson", feature="land"))
    ).mark_geoshape(fill="#e6e6e6", stroke="#ffffff")
    points = (
        alt.Chart(frame)
        .mark_circle(opacity=0.7, color="#c0392b")
        .encode(
            longitude="longitude:Q",
            latitude="latitude:Q",
            size=alt.Size("events:Q", title="events", scale=alt.Scale(range=[30, 900])),
            tooltip=["name:N", "kind:N", "country:N", "events:Q"],
        )
    )
    chart = alt.layer(land, points).project(type="equalEarth").properties(width=WIDTH, height=420)
    return _spec(chart)


def people_timeline(appearances: pl.DataFrame, offices: pl.DataFrame) -> dict:
    """Offices held (bars) and appearances at events (ticks), most seen people first."""
    order = (
        appearances.group_by("full_name")
        .len()
        .sort(["len", "full_name"], descending=[True, False])["full_name"]
        .to_list()
    )
    y = alt.Y("full_name:N", title=None, sort=order)
    spans = (
        alt.Chart(offices)
        .mark_bar(opacity=0.35, height=14)
        .encode(
            x=alt.X("valid_from:T", title=None),
            x2="valid_to:T",
            y=y,
            color=alt.Color("office:N", title="office held"),
            tooltip=["full_name:N", "office:N", "valid_from:T", "valid_to:T"],
        )
    )
    ticks = (
        alt.Chart(appearances)
        .mark_tick(thickness=2, size=16, color="#222")
        .encode(
            x="start_date:T",
            y=y,
            tooltip=["full_name:N", "start_date:T", "event_type:N", "title_at_event:N", "role:N"],
        )
    )
    return _spec(alt.layer(spans, ticks).properties(width=WIDTH - 200, height=alt.Step(22)))


def meetings_matrix(frame: pl.DataFrame) -> dict:
    """Who appeared at the same event as whom: a symmetric matrix of shared events."""
    names = sorted(set(frame["person"].to_list())) if frame.height else []
    base = alt.Chart(frame).encode(
        x=alt.X("met:N", title=None, sort=names, axis=alt.Axis(labelAngle=-40)),
        y=alt.Y("person:N", title=None, sort=names),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("events:Q", title="shared events", scale=alt.Scale(scheme="blues")),
        tooltip=["person:N", "met:N", "events:Q"],
    )
    labels = base.mark_text(fontSize=10).encode(text="events:Q")
    return _spec(alt.layer(cells, labels).properties(width=alt.Step(26), height=alt.Step(22)))
