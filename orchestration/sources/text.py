"""Text normalisation shared by every parser."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata

_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(text: str) -> str:
    """Unescape entities, NFC-normalise, turn NBSP into spaces and trim each line.

    Runs of spaces are kept inside a line (advisory time lines align with them); blank-line
    runs collapse to one blank line.
    """
    text = html.unescape(text)
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u200b", "")
    lines = [line.rstrip() for line in text.split("\n")]
    return _MANY_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def one_line(text: str) -> str:
    """Collapse all whitespace to single spaces (titles, summaries)."""
    return _SPACES.sub(" ", " ".join(clean_text(text).split())).strip()


def normalised_title_key(title: str) -> str:
    """A stable short key for items that carry no id (text dumps): hash of the folded title."""
    folded = unicodedata.normalize("NFKD", title.casefold())
    folded = "".join(ch for ch in folded if ch.isalnum())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:16]


_BLOCK_TAGS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br", "section",
               "article", "blockquote", "ul", "ol", "table")


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: one paragraph per block element, scripts dropped."""
    from lxml import html as lxml_html  # lxml is imported only where HTML is parsed

    if not fragment or not fragment.strip():
        return ""
    if "<" not in fragment:
        return clean_text(fragment)
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    for element in root.iter("script", "style", "noscript"):
        element.drop_tree()
    for element in root.iter(*_BLOCK_TAGS):
        element.tail = "\n\n" + (element.tail or "")
        if element.tag == "li":
            element.text = "  • " + (element.text or "")
    return clean_text(root.text_content())
