"""Text -> mentions: people, titles, places, dates and times, events, release type.

Plain Python, no Dagster or DuckDB. See ``docs/extraction_api.md`` for the contract.
"""

from orchestration.extract.models import ReleaseExtraction, ReleaseInput
from orchestration.extract.pipeline import (
    EXTRACTOR_VERSION,
    extract_many,
    extract_release,
    extraction_rows,
)

__all__ = [
    "EXTRACTOR_VERSION",
    "ReleaseExtraction",
    "ReleaseInput",
    "extract_many",
    "extract_release",
    "extraction_rows",
]
