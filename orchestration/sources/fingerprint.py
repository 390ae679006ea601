"""Which parser made a parse: the parsing code, its libraries and the source settings it reads.

A fetch keeps the releases it parsed (raw.parsed_items) so that the rebuild does not parse
the same payloads again; a kept parse is used only while its fingerprint is the current one.
Any edit to this package, an upgrade of feedparser, lxml or ftfy, or a change to a setting
that shapes a release (name, display name, kind, profile, base URL, language, time zone, full
text) gives another fingerprint, and the rebuild parses the kept payloads again.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from orchestration.sources.config import SourceConfig

PARSE_SETTINGS = frozenset(
    {"name", "display_name", "kind", "profile", "base_url", "language", "timezone", "full_text"}
)
LIBRARIES = ("pressroom", "feedparser", "lxml", "ftfy")  # pressroom: for an install without .py


@functools.cache
def _code() -> str:
    """The package's source files and the parsing libraries' versions (read once)."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode("utf-8") + b"\x00" + path.read_bytes() + b"\x00")
    for library in LIBRARIES:
        try:
            installed = version(library)
        except PackageNotFoundError:  # a plain checkout on the path
            installed = "-"
        digest.update(f"{library}={installed}\x00".encode())
    return digest.hexdigest()


def parser_fingerprint(source: SourceConfig | None) -> str:
    """The fingerprint of parses of ``source``'s payloads (None: a text dump's)."""
    settings = {} if source is None else source.model_dump(include=PARSE_SETTINGS, mode="json")
    text = _code() + json.dumps(settings, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
