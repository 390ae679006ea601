"""Assemble the report: one HTML file with Vega, Vega-Lite and vega-embed inlined (no CDN)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from html import escape
from pathlib import Path

import polars as pl

from orchestration.report import charts
from orchestration.report.data import ReportData, load
from orchestration.report.runs import RunRow, recent_runs
from orchestration.settings import Settings

# Nothing may be loaded from anywhere: inline scripts and styles, data: images only.
CSP = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'unsafe-inline'; img-src data: blob:; font-src data:"
)
STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 980px;
       color: #222; padding: 0 1rem; }
h1 { margin-bottom: 0; } .lede { color: #555; margin-top: .3rem; }
section { margin: 2.2rem 0; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #eee;
         vertical-align: top; }
th { background: #f6f6f6; } .note { color: #666; font-size: 13px; }
.ok { color: #1e7b34; font-weight: 600; } .bad { color: #b3261e; font-weight: 600; }
"""


def _script_json(value: object) -> str:
    """JSON safe inside <script>: no '</script>' or HTML comment can be formed by data."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _table(frame: pl.DataFrame, columns: dict[str, str], empty: str) -> str:
    if frame.height == 0:
        return f'<p class="note">{escape(empty)}</p>'
    head = "".join(f"<th>{escape(label)}</th>" for label in columns.values())
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{escape('' if row[key] is None else str(row[key]))}</td>" for key in columns
        )
        + "</tr>"
        for row in frame.select(list(columns)).iter_rows(named=True)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _runs_table(runs: list[RunRow]) -> str:
    if not runs:
        return '<p class="note">No run recorded in this home\'s Dagster instance.</p>'
    rows = "".join(
        f"<tr><td>{escape(run.job)}</td>"
        f'<td class="{"ok" if run.status == "SUCCESS" else "bad"}">{escape(run.status)}</td>'
        f"<td>{escape(run.started)}</td><td>{'' if run.seconds is None else run.seconds}</td>"
        f"<td>{run.checks_passed}</td><td>{run.checks_warned}</td>"
        f"<td>{run.checks_failed}</td></tr>"
        for run in runs
    )
    return (
        "<table><thead><tr><th>job</th><th>status</th><th>started</th><th>seconds</th>"
        f"<th>checks passed</th><th>warned</th><th>failed</th></tr></thead>"
        f"<tbody>{rows}</tbody>"
        "</table>"
    )


def _upcoming(data: ReportData) -> str:
    columns = {
        "starts_at": "starts (UTC)",
        "event_type": "type",
        "description": "event",
        "place": "place",
        "source": "source",
    }
    if data.upcoming.height:
        return _table(data.upcoming, columns, "")
    return (
        f'<p class="note">No timed event starts on or after {data.as_of} (the data ends '
        f"{data.last_day}). The latest timed events in the warehouse:</p>"
        + _table(data.latest_timed, columns, "No event has a known start time.")
    )


def _chart(name: str, spec: dict | None, empty: str) -> tuple[str, dict | None]:
    if spec is None:
        return f'<p class="note">{escape(empty)}</p>', None
    return f'<div class="chart" id="chart-{name}" data-chart="{name}"></div>', spec


def render(data: ReportData, runs: list[RunRow], published: Path | str, generated: datetime,
           published_at: datetime | None = None) -> str:
    """The page's HTML (the JavaScript bundle is added by `write_report`). ``published``: the
    published file (its time is the file's), or a label with ``published_at``."""
    specs: dict[str, dict] = {}
    blocks: dict[str, str] = {}
    for name, spec, empty in (
        (
            "weekly",
            charts.events_per_week(data.events_per_week) if data.events_per_week.height else None,
            "No events yet.",
        ),
        (
            "map",
            charts.event_map(data.places) if data.places.height else None,
            "No event has a located place.",
        ),
        (
            "people",
            charts.people_timeline(data.appearances, data.offices)
            if data.appearances.height
            else None,
            "Nobody appears at an event yet.",
        ),
        (
            "network",
            charts.meetings_matrix(data.meetings) if data.meetings.height else None,
            "No two people appear at the same event.",
        ),
    ):
        blocks[name], chart_spec = _chart(name, spec, empty)
        if chart_spec is not None:
            specs[name] = chart_spec
    if published_at is None:
        published_at = datetime.fromtimestamp(Path(published).stat().st_mtime, UTC)
    quarantine = (
        ""
        if data.quarantined is None
        else f"<p>Quarantined releases (held back by a row check): <b>{data.quarantined}</b>.</p>"
    )
    failed_runs = [run for run in runs if run.status != "SUCCESS"]
    verdict = (
        '<p class="ok">The published copy passed every gate when it was published.</p>'
        if not failed_runs
        else f'<p class="bad">{len(failed_runs)} of the last {len(runs)} runs did not '
        "succeed; the published copy is the last one that passed every gate.</p>"
    )
    html = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pressroom report</title><style>{STYLE}</style></head>
<body>
<h1>pressroom report</h1>
<p class="lede">From <code>{escape(str(published))}</code>, published
{published_at:%Y-%m-%d %H:%M} UTC; generated {generated:%Y-%m-%d %H:%M} UTC.</p>
<section id="weekly"><h2>Events per week, by source and type</h2>
<p class="note">Weeks of the event's start date (not of publication).</p>
{blocks["weekly"]}</section>
<section id="map"><h2>Where events happen</h2>
<p class="note">Events with a located place; circle size = number of events.</p>
{blocks["map"]}</section>
<section id="people"><h2>Who appears most, and their offices over time</h2>
<p class="note">Bars: offices held (open spans run to the last event in the data);
ticks: the person's appearances at events.</p>{blocks["people"]}</section>
<section id="upcoming"><h2>Upcoming timed events (UTC)</h2>{_upcoming(data)}</section>
<section id="network"><h2>Who met whom</h2>
<p class="note">Shared events between the most seen people.</p>{blocks["network"]}</section>
<section id="quality"><h2>Data quality</h2>{verdict}{quarantine}
<h3>Recent runs</h3>{_runs_table(runs)}
<h3>Releases by source</h3>{
        _table(
            data.releases_by_source,
            {"source": "source", "releases": "releases", "last_fetched_at": "last fetched (UTC)"},
            "No releases.",
        )
    }
<h3>Rejected items</h3>{
        _table(
            data.rejected,
            {"source": "source", "reason": "reason", "items": "items"},
            "Nothing was rejected.",
        )
    }
</section>
<script id="report-specs" type="application/json">{_script_json(specs)}</script>
<!--BUNDLE-->
<script>
const specs = JSON.parse(document.getElementById("report-specs").textContent);
const rendered = Object.entries(specs).map(([name, spec]) =>
  vegaEmbed("#chart-" + name, spec, {{renderer: "svg", actions: false}})
    .then(() => document.getElementById("chart-" + name).dataset.rendered = "yes"));
Promise.all(rendered).then(() => document.body.dataset.rendered = "yes",
                           (error) => {{ document.body.dataset.rendered = "error: " + error; }});
</script>
</body></html>
"""
    return html


def _bundle() -> str:
    import altair as alt
    import vl_convert

    version = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]
    return vl_convert.javascript_bundle(vl_version=version).replace("</script", "<\\/script")


def write_report(settings: Settings, target: Path, *, as_of: date | None = None) -> Path:
    """Read the published warehouse and the run history; write one self-contained page."""
    generated = datetime.now(UTC)
    published, published_at = settings.published, None
    data = load(published, as_of or generated.date())
    if isinstance(published, Path):
        label: Path | str = published
    else:
        from orchestration.warehouse.published import lake_publication

        snapshot, published_at = lake_publication(published)
        label = f"{published.describe()}, snapshot {snapshot}"
    runs = recent_runs(settings.dagster_home)
    html = render(data, runs, label, generated, published_at)
    html = html.replace("<!--BUNDLE-->", f"<script>{_bundle()}</script>", 1)
    target.write_text(html, encoding="utf-8")
    return target
