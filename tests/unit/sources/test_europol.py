"""parse_node: Europol's node JSON API answer."""

from __future__ import annotations

import json

import pytest

from orchestration.sources.europol import NodeError, parse_node

NODE = {
    "id": 31390, "type": "news", "langcode": "en",
    "alias": "/media-press/newsroom/news/money-mule-action-leads-to-1-200-arrests",
    "title": "Money mule action  leads to 1 200 arrests",
    "published": 1699002900,
    "introduction": "<p>Police forces in 24 countries arrested 1 204 people.</p>",
    "body": "<p>The action ran from 11 September to 27 October.</p>"
            "<p>Headquartered in The Hague, the Netherlands, we support the 27 EU Member "
            "States.</p>",
    "articleType": {"title": "Press Release"},
    "crimeAreas": [{"title": "Money laundering"}, {"title": "Cybercrime"}, {"name": "x"}],
    "navigation": {"previous": "/media-press/newsroom/news/cybercrime-conference",
                   "next": None},
}


def _payload(**changes: object) -> bytes:
    return json.dumps({**NODE, **changes}).encode("utf-8")


def test_fields_of_a_node() -> None:
    node = parse_node(_payload())
    assert node.alias == "/media-press/newsroom/news/money-mule-action-leads-to-1-200-arrests"
    assert node.title == "Money mule action leads to 1 200 arrests"
    assert node.summary == "Police forces in 24 countries arrested 1 204 people."
    assert node.body_text == (
        "Police forces in 24 countries arrested 1 204 people.\n\n"
        "The action ran from 11 September to 27 October.\n\n"
        "Headquartered in The Hague, the Netherlands, we support the 27 EU Member States.")
    assert node.published_epoch == "1699002900"
    assert node.article_type == "Press Release"
    assert node.previous_alias == "/media-press/newsroom/news/cybercrime-conference"
    assert node.tags == ["Money laundering", "Cybercrime"]


def test_introduction_not_repeated_when_body_starts_with_it() -> None:
    node = parse_node(_payload(
        body="<p>Police forces in 24 countries arrested 1 204 people.</p><p>More.</p>"))
    assert node.body_text == "Police forces in 24 countries arrested 1 204 people.\n\nMore."


def test_start_of_history_and_missing_optional_fields() -> None:
    node = parse_node(_payload(navigation={"previous": None}, published=None,
                               articleType=None, crimeAreas=None, introduction=None))
    assert node.previous_alias is None
    assert node.published_epoch is None
    assert node.article_type is None
    assert node.tags == []
    assert node.summary == ""
    assert node.body_text.startswith("The action ran")


@pytest.mark.parametrize(
    "payload",
    [b"", b"<!DOCTYPE html><html></html>", b'{"title": "x", ', b"\xff\xfe\x00",
     b'["a list"]', b'{"message": "Not Found", "code": 404}',
     json.dumps({**NODE, "body": ""}).encode(), json.dumps({**NODE, "title": None}).encode()],
)
def test_unusable_payloads_raise_node_error(payload: bytes) -> None:
    with pytest.raises(NodeError):
        parse_node(payload)


def test_missing_body_message() -> None:
    with pytest.raises(NodeError, match="node has no title or body"):
        parse_node(json.dumps({k: v for k, v in NODE.items() if k != "body"}).encode())
