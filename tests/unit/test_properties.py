"""Property-based tests (hypothesis): arbitrary text and bytes never crash the parsers and
extractors; clean text has no control characters and nothing that looks like a tag, and
cleaning is idempotent; dates are valid or absent; extractor spans lie inside the text."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from orchestration.sources.bodies import json_refusal, xml_complete, xml_refusal
from orchestration.sources.dates import EARLIEST_PLAUSIBLE, DateParseError, parse_published
from orchestration.sources.europol import NodeError, parse_node
from orchestration.sources.feeds import parse_feed
from orchestration.sources.text import clean_text, html_to_text, one_line, terminal_safe

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"
NOW = datetime(2024, 1, 1, tzinfo=UTC)
TAG = re.compile(r"<[A-Za-z!?/]")
FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
PROFILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

markup = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "&lt;script&gt;",
        "&amp;lt;img src=x onerror=alert(1)&amp;gt;",
        "<svg onload=x>",
        "<<b>b>",
        "\x1b[2J",
        "\x00",
        "\x07",
        "\u202e",
        "&#x1b;",
        "&#0;",
        "<!--",
        "]]>",
        "&",
    ]
)
hostile_text = st.lists(st.one_of(st.text(max_size=40), markup), max_size=12).map("".join)


def _clean(value: str) -> None:
    assert not FORBIDDEN.search(value), repr(value)
    assert not TAG.search(value), repr(value)


@PROFILE
@given(hostile_text)
@example("×\x1fÂ\x91")  # the control character hid mojibake from the first repair
def test_clean_text_is_idempotent_and_tag_and_control_free(text: str) -> None:
    cleaned = clean_text(text)
    _clean(cleaned)
    assert clean_text(cleaned) == cleaned
    _clean(one_line(text))


@PROFILE
@given(hostile_text)
def test_html_to_text_never_raises_and_leaves_no_markup(fragment: str) -> None:
    text = html_to_text(fragment)
    _clean(text)
    assert clean_text(text) == text
    assert "<script" not in text.lower()


@PROFILE
@given(st.text(max_size=200))
def test_terminal_safe_output_has_no_control_characters(text: str) -> None:
    shown = terminal_safe(text)
    assert not FORBIDDEN.search(shown) and "\n" not in shown and "\r" not in shown


def _feed_bytes() -> bytes:
    return (HOSTILE / "mixed_feed.xml").read_bytes().replace(b"{BASE}", b"https://example.org")


@PROFILE
@given(st.binary(max_size=2000))
def test_parse_feed_never_raises_on_arbitrary_bytes(payload: bytes) -> None:
    for item in parse_feed(payload).items:
        _clean(item.title)
        _clean(item.summary_text)


@PROFILE
@given(st.integers(min_value=0, max_value=len(_feed_bytes())), st.binary(max_size=8), st.booleans())
def test_parse_feed_survives_truncation_and_inserted_bytes(
    offset: int, noise: bytes, truncate: bool
) -> None:
    payload = _feed_bytes()
    mutated = payload[:offset] if truncate else payload[:offset] + noise + payload[offset:]
    feed = parse_feed(mutated)
    for item in feed.items:
        _clean(item.title)
        _clean(item.summary_text)
        _clean(item.content_text)


@PROFILE
@given(st.binary(max_size=500))
def test_body_checks_never_raise(payload: bytes) -> None:
    refusal = xml_refusal(payload)
    assert refusal is None or isinstance(refusal, str)
    assert isinstance(xml_complete(payload), bool)
    assert json_refusal(payload) is None or isinstance(json_refusal(payload), str)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | hostile_text,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "title",
                    "body",
                    "published",
                    "navigation",
                    "articleType",
                    "crimeAreas",
                    "alias",
                    "introduction",
                    "previous",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=20,
)


@PROFILE
@given(json_values)
def test_parse_node_raises_only_node_error(value: object) -> None:
    import json

    try:
        node = parse_node(json.dumps(value).encode())
    except NodeError:
        return
    _clean(node.title)
    _clean(node.body_text)
    assert node.previous_alias is None or isinstance(node.previous_alias, str)


@PROFILE
@given(st.binary(max_size=300))
def test_parse_node_on_arbitrary_bytes(payload: bytes) -> None:
    with pytest.raises(NodeError):
        node = parse_node(payload)
        if node.title and node.body_text:  # a rare valid document
            raise NodeError("valid")


def _rendered(moment: datetime, form: int) -> str:
    """One date in the forms sources write, always with a four-digit year (a two-digit year
    is RFC 5322's 19xx/20xx by definition, not a round trip)."""
    year = f"{moment.year:04d}"
    clock = moment.strftime("%H:%M:%S")
    forms = [
        f"{moment.strftime('%a, %d %b')} {year} {clock} GMT",
        f"{moment.strftime('%d %b.')} {year} {clock} GMT",
        f"{year}-{moment.strftime('%m-%dT')}{clock}Z",
        f"{moment.strftime('%d %B')} {year}",
        str(int(moment.timestamp())) if moment.year >= 1970 else f"{year}-{moment:%m-%d}",
    ]
    return forms[form]


@PROFILE
@given(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
    st.integers(min_value=0, max_value=4),
)
def test_dates_round_trip_or_are_flagged(moment: datetime, form: int) -> None:
    text = _rendered(moment.replace(tzinfo=UTC), form)
    try:
        parsed = parse_published(text, now=NOW)
    except DateParseError as error:
        assert error.reason in {"implausible_date", "impossible_date", "unparseable_date"}
        return
    assert parsed is not None and parsed.tzinfo is not None
    assert EARLIEST_PLAUSIBLE <= parsed <= NOW + timedelta(days=1)
    assert parsed.date() == moment.date()


@PROFILE
@given(st.text(max_size=60))
def test_any_date_text_is_a_date_or_a_flag(text: str) -> None:
    try:
        parsed = parse_published(text, now=NOW)
    except DateParseError:
        return
    assert parsed is None or EARLIEST_PLAUSIBLE <= parsed <= NOW + timedelta(days=1)


words = st.sampled_from(
    [
        "NATO",
        "Secretary",
        "General",
        "Jens",
        "Stoltenberg",
        "met",
        "Prime",
        "Minister",
        "in",
        "Brussels",
        "Kyiv",
        "on",
        "12",
        "March",
        "2024",
        "at",
        "10:00",
        "CET",
        "Europol",
        "arrested",
        "the",
        "President",
        "Mr",
        "Ms",
        "visited",
        "Vilnius",
        "Lithuania",
        "from",
        "to",
        "-",
        "1949",
        ".",
        ",",
        "\n\n",
        "Dr.",
        "Ursula",
        "von",
        "der",
        "Leyen",
        "Mark",
        "Rutte",
        "will",
        "travel",
        "Washington",
        "D.C.",
        "(",
        ")",
        "–",
        "14:30",
        "Tuesday",
    ]
)
release_text = st.one_of(st.lists(words, max_size=60).map(" ".join), st.text(max_size=300))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(max_size=60),
    release_text,
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
)
def test_extractor_spans_lie_inside_the_text_and_dates_are_valid(
    title: str, body: str, reference: date
) -> None:
    from orchestration.extract import ReleaseInput, extract_release

    body = clean_text(body)
    result = extract_release(ReleaseInput("p:1", clean_text(title), body, reference))
    for person in result.persons:
        assert 0 <= person.start < person.end <= len(body)
        assert body[person.start : person.end] == person.surface_text
    for place in result.locations:
        assert 0 <= place.start < place.end <= len(body)
        assert body[place.start : place.end] == place.surface_text
    for event in result.events:
        assert 0 <= event.evidence_start < event.evidence_end <= len(body)
        assert isinstance(event.start_date, date)
        assert event.end_date is None or event.end_date >= event.start_date
    for participant in result.participants:
        assert 0 <= participant.evidence_start <= participant.evidence_end <= len(body)
