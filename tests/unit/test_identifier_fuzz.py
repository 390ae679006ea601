"""Matrix row 38: hostile names never become identifiers or SQL. A source name is accepted
only when it matches ``[a-z][a-z0-9_]{0,62}`` (anything else is a validation error); a run's
partition tags either give a window of dates or raise, whatever their text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from orchestration.defs.partitions import (
    RANGE_END_TAG,
    RANGE_START_TAG,
    WINDOW_TAG,
    window_from_tags,
)
from orchestration.sources.config import SourceConfig
from orchestration.window import Window

IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,62}")
HOSTILE = ["x'); DROP TABLE raw.releases;--", 'a"b', "nаto", "NATO", "nato\n", "", "_x", "a" * 64]


def _source(name: str) -> SourceConfig:
    return SourceConfig(
        name=name, display_name="X", kind="rss", base_url="https://example.org", feed_url="/f"
    )


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_source_names_are_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="must match"):
        _source(name)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_a_source_name_is_accepted_only_as_an_identifier(name: str) -> None:
    try:
        accepted = _source(name).name
    except ValidationError:
        assert not IDENTIFIER.fullmatch(name)
        return
    assert IDENTIFIER.fullmatch(accepted) and accepted == name


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40), st.text(max_size=40))
def test_partition_tags_give_dates_or_an_error(first: str, last: str, window: str) -> None:
    tags = {RANGE_START_TAG: first, RANGE_END_TAG: last, WINDOW_TAG: window}
    try:
        result = window_from_tags(tags)
    except Exception:  # a validation error of any kind: never SQL, never an identifier
        return
    assert result is None or isinstance(result, Window)
