"""parse_dump: the syndication layout "Title / blank / Source: X / blank / body"."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from orchestration.sources.dump import parse_dump, source_key
from orchestration.sources.text import normalised_title_key

AS_OF = date(2023, 11, 22)
KNOWN = {"nato": "NATO", "europol": "Europol", "frontex": "Frontex"}
SEEDS = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"

LONG_SENTENCE = ("The participants also visited a road checkpoint on the route to the border, "
                 "where they practised document checks and passenger interviews with trainers "
                 "from three participating States and the OSCE Secretariat, before returning to "
                 "the capital for the closing session.")

DUMP = f"""NATO Secretary General to visit Berlin, Germany

Source: NATO

The NATO Secretary General will visit Berlin on 9 and 10 November.

13:30 (CET)      Joint press conference

Europol supports action against fraud

Source: Europol

Police forces in 24 countries arrested 1 204 people in an operation that …

OSCE trains border officers

Source: OSCE

Thirty border officers took part in a course.

{LONG_SENTENCE}

Source: Eurojust

A block whose title line is missing.

Second paragraph of the block without a title.

OSCE Secretary General concludes visit to Skopje

Source: OSCE

Eurojust coordinates action against payroll fraud

Source: Eurojust

Authorities arrested six suspects yesterday.
"""


def _parse(text: str = DUMP):
    return parse_dump(text, AS_OF, locator="dump.txt", known_sources=KNOWN)


def test_layout_gives_one_release_per_titled_item() -> None:
    result = _parse()
    assert [(r.source, r.source_name, r.title) for r in result.releases] == [
        ("nato", "NATO", "NATO Secretary General to visit Berlin, Germany"),
        ("europol", "Europol", "Europol supports action against fraud"),
        ("osce", "OSCE", "OSCE trains border officers"),
        ("eurojust", "Eurojust", "Eurojust coordinates action against payroll fraud"),
    ]


def test_release_fields() -> None:
    nato = _parse().releases[0]
    assert nato.body_text == ("The NATO Secretary General will visit Berlin on 9 and 10 November."
                              "\n\n13:30 (CET)      Joint press conference")
    assert nato.native_id == "dump-" + normalised_title_key(nato.title)
    assert nato.url is None
    assert nato.published_at is None
    assert nato.default_partition_date == AS_OF
    assert nato.metadata == {"as_of": "2023-11-22", "dump": "dump.txt"}
    assert nato.release_id == f"nato:dump-{normalised_title_key(nato.title)}"


def test_truncation_by_ellipsis() -> None:
    assert [r.is_truncated for r in _parse().releases] == [False, True, False, False]


@pytest.mark.parametrize("ending", ["cut …", "cut ...", "cut […]", "cut [...]"])
def test_truncation_marks(ending: str) -> None:
    result = _parse(f"Title\n\nSource: NATO\n\nBody {ending}\n")
    assert result.releases[0].is_truncated is True


def test_missing_title_is_rejected_and_previous_item_keeps_its_last_paragraph() -> None:
    result = _parse()
    osce = result.releases[2]
    assert osce.body_text == f"Thirty border officers took part in a course.\n\n{LONG_SENTENCE}"
    assert all("A block whose title line is missing" not in r.body_text for r in result.releases)
    assert all(r.title != LONG_SENTENCE for r in result.releases)
    missing = [r for r in result.rejections if r.reason == "missing_title"]
    assert [(r.source, r.locator) for r in missing] == [("eurojust", "dump.txt:23")]


def test_empty_body_is_rejected() -> None:
    empty = [r for r in _parse().rejections if r.reason == "empty_body"]
    assert [(r.source, r.locator) for r in empty] == [("osce", "dump.txt:29")]
    assert "OSCE Secretary General concludes visit to Skopje" in empty[0].detail


def test_text_without_source_lines_is_not_a_dump() -> None:
    result = _parse("Just a title\n\nSome text.\n")
    assert result.releases == []
    assert [r.reason for r in result.rejections] == ["no_items"]


@pytest.mark.parametrize(
    ("label", "expected"),
    [("NATO", "nato"), ("nato", "nato"), ("Europol", "europol"), ("EUROPOL", "europol"),
     ("Council of the EU", "council_of_the_eu"), ("OSCE", "osce"), ("  ", "unknown")],
)
def test_source_label_mapping(label: str, expected: str) -> None:
    assert source_key(label, KNOWN) == expected


def test_source_label_maps_through_display_names() -> None:
    assert source_key("North Atlantic Alliance", {"nato_hq": "North Atlantic Alliance"}) == \
        "nato_hq"


def test_crlf_line_endings() -> None:
    result = _parse(DUMP.replace("\n", "\r\n"))
    assert len(result.releases) == 4
    assert len(result.rejections) == 2


def test_seed_dump_gives_seven_nato_and_three_truncated_europol_releases() -> None:
    seed = SEEDS / "000_921cdd6db4130189.txt"
    if not SEEDS.is_dir():
        pytest.skip(f"seed directory {SEEDS} is absent (it lives outside the repository)")
    result = parse_dump(seed.read_text(encoding="utf-8"), date(2023, 11, 8),
                        locator=seed.name, known_sources=KNOWN)
    assert result.rejections == []
    assert len(result.releases) == 10
    by_source = [(r.source, r.is_truncated) for r in result.releases]
    assert sorted(by_source) == [("europol", True)] * 3 + [("nato", False)] * 7
    assert {r.source_name for r in result.releases} == {"NATO", "Europol"}
    assert all(r.body_text.endswith("…") for r in result.releases if r.source == "europol")
