"""Links into the Dagster UI that open with the data's own years selected.

Dagster's backfill dialog opens with nothing selected ("0 partitions") whatever the code
location says; the one input it reads is the page's query string (``default_range`` for a
single partition dimension), which the asset and job partition pages hand on to it. So
`pressroom ui` prints the address of raw_job's partitions page with the years that hold
fetched releases in that query string: its Materialize… dialog opens with those years.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import duckdb

LOCATION = "pressroom"  # workspace.yaml's location_name
BACKFILL_JOB = "raw_job"


def data_years(warehouse: Path, first_year: int) -> tuple[int, int] | None:
    """First and last partition years that hold fetched releases (None: none, or unreadable)."""
    if not warehouse.is_file():
        return None
    try:
        conn = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:  # locked by a writer: no link, the UI still starts
        return None
    try:
        first, last = conn.execute(
            "select min(year(partition_date)), max(year(partition_date)) from raw.fetched_items"
        ).fetchone()  # type: ignore[misc]
    except duckdb.Error:
        return None
    finally:
        conn.close()
    if first is None or last is None:
        return None
    current = datetime.now(UTC).year
    return min(max(first, first_year), current), min(max(last, first_year), current)


def year_range(years: tuple[int, int]) -> str:
    """Dagster's partition selection text: ``2023`` or ``[2021...2023]``."""
    first, last = years
    return str(first) if first == last else f"[{first}...{last}]"


def backfill_page(base_url: str, years: tuple[int, int] | None) -> str:
    """raw_job's partitions page; with ``years``, its backfill dialog opens on them."""
    page = f"{base_url.rstrip('/')}/locations/{LOCATION}/jobs/{BACKFILL_JOB}/partitions"
    if years is None:
        return page
    return f"{page}?default_range={quote(year_range(years), safe='')}"
