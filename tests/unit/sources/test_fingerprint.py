"""The parser fingerprint changes with what shapes a parse, and only with that."""

from __future__ import annotations

from orchestration.sources.config import SourceConfig
from orchestration.sources.fingerprint import parser_fingerprint

SOURCE = SourceConfig(
    name="agency",
    display_name="Agency",
    kind="rss",
    base_url="https://feeds.example.org",
    feed_url="/rss.xml",
)


def test_the_fingerprint_is_stable_and_differs_for_dumps() -> None:
    assert parser_fingerprint(SOURCE) == parser_fingerprint(SOURCE.model_copy())
    assert parser_fingerprint(None) == parser_fingerprint(None)
    assert parser_fingerprint(SOURCE) != parser_fingerprint(None)


def test_settings_that_shape_a_release_change_it() -> None:
    changes = {
        "display_name": "Agency (renamed)",
        "profile": "frontex",
        "language": "fr",
        "timezone": "Europe/Brussels",
        "base_url": "https://mirror.example.org",
        "kind": "atom",
        "full_text": {"method": "html"},
    }
    for field, value in changes.items():
        changed = SourceConfig.model_validate({**SOURCE.model_dump(), field: value})
        assert parser_fingerprint(changed) != parser_fingerprint(SOURCE), field


def test_fetch_settings_leave_it_alone() -> None:
    """Disabling a source or changing its HTTP limits keeps its parses usable."""
    for field, value in {
        "enabled": False,
        "rate_limit": {"min_interval_s": 5},
        "http": {"max_bytes": 1},
        "expected_period_days": 30,
        "notes": "moved",
    }.items():
        changed = SourceConfig.model_validate({**SOURCE.model_dump(), field: value})
        assert parser_fingerprint(changed) == parser_fingerprint(SOURCE), field
