"""Run every enabled source and dump of a sources file through the right transport."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.deadlines import StepTimeoutError, deadline
from orchestration.settings import timeout_setting
from orchestration.sources.collect import Collected, collect_dump, collect_source
from orchestration.sources.config import DumpConfig, SourceConfig, SourcesFile, resolve_path
from orchestration.sources.feed_pool import FeedParsers, Prefetched, feed_only
from orchestration.sources.models import Rejection
from orchestration.sources.transport import ReplayTransport

if TYPE_CHECKING:
    from orchestration.sources.http_transport import HttpTransport

DEFAULT_LABELS = {"nato": "NATO", "europol": "Europol", "frontex": "Frontex"}


def known_labels(sources_file: SourcesFile) -> dict[str, str]:
    """Config key -> display name, so a dump's ``Source: NATO`` maps to ``nato``."""
    return {**DEFAULT_LABELS, **{s.name: s.display_name for s in sources_file.sources}}


def collect_sources(
    sources_file: SourcesFile,
    config_path: Path,
    *,
    live_transport: HttpTransport | None = None,
    known_release_ids: frozenset[str] = frozenset(),
    now: datetime | None = None,
    source_timeout_s: float | None = None,
    parse_processes: int | None = None,
) -> Iterator[Collected]:
    """One Collected per source per fetch. A replayed sample yields every recorded fetch.

    A live source still fetching after ``source_timeout_s`` is stopped and ends with a
    ``source_timeout`` rejection (what it had collected is dropped); the others go on. The
    limit covers a source's fetches; a feed parsed in a worker (see `feed_pool`) is parsed
    after it. ``parse_processes``: at most that many feed-parsing workers (default: up to
    2, one per core; 0: every feed is parsed in this process).
    """
    enabled = [source for source in sources_file.sources if source.enabled]
    if not enabled:
        return
    if sources_file.replay_dir:
        replay = ReplayTransport(resolve_path(config_path, sources_file.replay_dir))
        known = set(known_release_ids)
        while True:
            for source in enabled:
                collected = collect_source(
                    source, replay, now=now, known_release_ids=frozenset(known)
                )
                known.update(ref.release_id for ref in collected.items)
                yield collected
            if not replay.advance():
                return
    if live_transport is None:
        raise ValueError("live sources need an HTTP transport")
    # A large feed that needs nothing else fetched is parsed in a worker while the next
    # sources are fetched; results come out in the sources' order, at most `parsers.processes`
    # ahead of the consumer (bounded memory).
    with FeedParsers(parse_processes) as parsers:
        pending: deque[Callable[[], Collected]] = deque()
        for source in enabled:
            pending.append(
                _start(
                    source,
                    live_transport,
                    parsers,
                    now=now,
                    known_release_ids=known_release_ids,
                    source_timeout_s=source_timeout_s,
                )
            )
            while len(pending) > max(parsers.processes, 1):
                yield pending.popleft()()
        while pending:
            yield pending.popleft()()


def _start(
    source: SourceConfig,
    live_transport: HttpTransport,
    parsers: FeedParsers,
    *,
    now: datetime | None,
    known_release_ids: frozenset[str],
    source_timeout_s: float | None,
) -> Callable[[], Collected]:
    """Fetch one source (its feed only, when a worker may parse it); the function returned
    gives its `Collected`."""
    try:
        transport = live_transport.for_source(source, source_timeout_s)
    except ValueError as error:  # e.g. a header's environment variable is not set
        unusable = _unusable(source.name, source.absolute(source.feed_url), str(error))
        return lambda: unusable
    try:
        with deadline(
            f"fetching source {source.name}", source_timeout_s, timeout_setting("fetch_source")
        ):
            if not feed_only(source):
                collected = collect_source(
                    source, transport, now=now, known_release_ids=known_release_ids
                )
                return lambda: collected
            feed = Prefetched.fetch(transport, source.absolute(source.feed_url))
            if not parsers.takes(feed):  # parsed here, as every feed was before
                collected = collect_source(
                    source, feed, now=now, known_release_ids=known_release_ids
                )
                return lambda: collected
    except StepTimeoutError as error:
        timed_out = _unusable(
            source.name, source.absolute(source.feed_url), str(error), reason="source_timeout"
        )
        return lambda: timed_out
    # a feed-only source never walks back through older items, the one use of the known ids:
    # a worker is not sent them (an archive's whole set, pickled for every feed)
    return parsers.submit(source, feed, now=now, known_release_ids=frozenset())


def _unusable(source: str, locator: str, detail: str, reason: str = "source_failed") -> Collected:
    collected = Collected()
    collected.reject(Rejection(source, locator, reason, detail))
    return collected


def collect_dumps(
    dumps: list[DumpConfig], config_path: Path | None, labels: dict[str, str]
) -> Iterator[Collected]:
    for dump in dumps:
        path = resolve_path(config_path, dump.path) if config_path else Path(dump.path)
        try:
            yield collect_dump(path, dump, labels)
        except Exception as error:  # a missing, unreadable or unparseable dump file
            yield _unusable(
                "dump", str(path), f"dump not read ({type(error).__name__}: {str(error)[:300]})"
            )
