"""Europol's node JSON API: full text, epoch publication time and the backfill chain."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from orchestration.sources.text import clean_text, html_to_text, one_line


@dataclass(frozen=True)
class EuropolNode:
    alias: str
    title: str
    body_text: str
    summary: str
    published_epoch: str | None
    article_type: str | None
    previous_alias: str | None
    tags: list[str] = field(default_factory=list)


class NodeError(ValueError):
    """A node payload that is not a usable article."""


def parse_node(payload: bytes) -> EuropolNode:
    """Fields of one ``/cms/api/node?url=…`` answer; raises NodeError when they are missing."""
    try:
        node = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise NodeError(f"not JSON (or nested too deeply): {str(error)[:200]}") from None
    if not isinstance(node, dict) or not node.get("title") or not node.get("body"):
        raise NodeError("node has no title or body")
    if not isinstance(node["title"], str) or not isinstance(node["body"], str):
        raise NodeError("node title and body must be strings")
    introduction = html_to_text(node.get("introduction") or node.get("summary") or "")
    body = html_to_text(node["body"])
    if introduction and not body.startswith(introduction[:80]):
        body = f"{introduction}\n\n{body}"
    navigation = _mapping(node.get("navigation"))
    article_type = _string(_mapping(node.get("articleType")).get("title"))
    published = node.get("published")
    if not isinstance(published, str | int) or isinstance(published, bool):
        published = None
    areas = node.get("crimeAreas") if isinstance(node.get("crimeAreas"), list) else []
    return EuropolNode(
        alias=_string(node.get("alias")) or "",
        title=one_line(node["title"]),
        body_text=clean_text(body),
        summary=introduction,
        published_epoch=str(published) if published not in (None, "") else None,
        article_type=article_type,
        previous_alias=_string(navigation.get("previous")),
        tags=[title for area in areas if (title := _string(_mapping(area).get("title")))],
    )


def _mapping(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _string(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
