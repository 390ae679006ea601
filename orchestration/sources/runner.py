"""Run every enabled source and dump of a sources file through the right transport."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.deadlines import StepTimeoutError, deadline
from orchestration.settings import timeout_setting
from orchestration.sources.collect import Collected, collect_dump, collect_source
from orchestration.sources.config import DumpConfig, SourcesFile, resolve_path
from orchestration.sources.models import Rejection
from orchestration.sources.transport import ReplayTransport

if TYPE_CHECKING:
    from orchestration.sources.http_transport import HttpTransport

DEFAULT_LABELS = {"nato": "NATO", "europol": "Europol", "frontex": "Frontex"}


def known_labels(sources_file: SourcesFile) -> dict[str, str]:
    """Config key -> display name, so a dump's ``Source: NATO`` maps to ``nato``."""
    return {**DEFAULT_LABELS, **{s.name: s.display_name for s in sources_file.sources}}


def collect_sources(sources_file: SourcesFile, config_path: Path, *,
                    live_transport: HttpTransport | None = None,
                    known_release_ids: frozenset[str] = frozenset(),
                    now: datetime | None = None,
                    source_timeout_s: float | None = None) -> Iterator[Collected]:
    """One Collected per source per fetch. A replayed sample yields every recorded fetch.

    A live source still fetching after ``source_timeout_s`` is stopped and ends with a
    ``source_timeout`` rejection (what it had collected is dropped); the others go on.
    """
    enabled = [source for source in sources_file.sources if source.enabled]
    if not enabled:
        return
    if sources_file.replay_dir:
        replay = ReplayTransport(resolve_path(config_path, sources_file.replay_dir))
        known = set(known_release_ids)
        while True:
            for source in enabled:
                collected = collect_source(source, replay, now=now,
                                           known_release_ids=frozenset(known))
                known.update(ref.release_id for ref in collected.items)
                yield collected
            if not replay.advance():
                return
    if live_transport is None:
        raise ValueError("live sources need an HTTP transport")
    for source in enabled:
        try:
            transport = live_transport.for_source(source, source_timeout_s)
        except ValueError as error:  # e.g. a header's environment variable is not set
            yield _unusable(source.name, source.absolute(source.feed_url), str(error))
            continue
        try:
            with deadline(f"fetching source {source.name}", source_timeout_s,
                          timeout_setting("fetch_source")):
                collected = collect_source(source, transport, now=now,
                                           known_release_ids=known_release_ids)
        except StepTimeoutError as error:
            collected = _unusable(source.name, source.absolute(source.feed_url), str(error),
                                  reason="source_timeout")
        yield collected


def _unusable(source: str, locator: str, detail: str, reason: str = "source_failed"
              ) -> Collected:
    collected = Collected()
    collected.reject(Rejection(source, locator, reason, detail))
    return collected


def collect_dumps(dumps: list[DumpConfig], config_path: Path | None,
                  labels: dict[str, str]) -> Iterator[Collected]:
    for dump in dumps:
        path = resolve_path(config_path, dump.path) if config_path else Path(dump.path)
        try:
            yield collect_dump(path, dump, labels)
        except Exception as error:  # a missing, unreadable or unparseable dump file
            yield _unusable("dump", str(path), f"dump not read ({type(error).__name__}: "
                                               f"{str(error)[:300]})")
