"""Parsing fetched feeds in worker processes while the next feed is downloaded.

A large feed whose entries need nothing else fetched (no full-text page, no linked-list walk)
is parsed by `collect_source` in a worker, given a transport that holds the feed's answer as
the live transport gave it; everything else runs in the pressroom process as before. The same
function on the same answer gives the same `Collected` either way. Workers are spawned (a
fresh interpreter, never a fork of this process, which holds DuckDB and Dagster threads).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime

from orchestration.sources.collect import Collected, collect_source, looks_like_xml, xml_cacheable
from orchestration.sources.config import SourceConfig
from orchestration.sources.transport import Response, Transport, Validator

MIN_WORKER_FEED_BYTES = 1_000_000
"""A smaller feed parses in less time than its trip to a worker and back (and the sample's,
the tests' and a daily feed's are far smaller: they never start a worker)."""
POLL_S = 0.5


class Prefetched:
    """A transport holding one answer: the feed as the live transport returned it (validated
    and cached there), or the error it raised. Nothing else can be fetched through it."""

    def __init__(self, url: str, answer: Response | Exception, secrets: tuple[str, ...]) -> None:
        self.url, self.answer, self.secrets = url, answer, secrets

    @classmethod
    def fetch(cls, transport: Transport, url: str) -> Prefetched:
        """The feed fetched as `collect_source` fetches it (same validation, same caching)."""
        try:
            answer: Response | Exception = transport.get(
                url, validate=looks_like_xml, cacheable=xml_cacheable
            )
        except Exception as error:  # collect_source turns it into the same rejection
            answer = error
        return cls(url, answer, transport.secret_values())

    def get(
        self, url: str, *, validate: Validator | None = None, cacheable: Callable | None = None
    ) -> Response:
        if url != self.url:
            raise RuntimeError(f"{url} was not fetched before the feed was parsed")
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer

    def secret_values(self) -> tuple[str, ...]:
        return self.secrets

    @property
    def worth_a_worker(self) -> bool:
        """A successful answer large enough to be parsed in a worker."""
        answer = self.answer
        return (
            isinstance(answer, Response) and answer.ok and len(answer.body) >= MIN_WORKER_FEED_BYTES
        )


def feed_only(source: SourceConfig) -> bool:
    """A feed whose entries need nothing else fetched: its parse needs no live transport."""
    return (
        source.kind != "sitemap"
        and source.full_text.method == "none"
        and source.backfill.method != "linked-list"
    )


class FeedParsers:
    """Up to ``processes`` spawned workers, started on the first feed that needs one.

    `submit` returns a function that gives the feed's `Collected` (waiting for its worker),
    for a feed it `takes`;
    a worker that dies, or a result that cannot travel back, is parsed here instead."""

    def __init__(self, processes: int | None = None) -> None:
        self.processes = processes if processes is not None else min(2, os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None
        self.submitted = 0

    def __enter__(self) -> FeedParsers:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def takes(self, feed: Prefetched) -> bool:
        """Whether ``feed`` is parsed in a worker (else: in this process)."""
        return self.processes >= 1 and feed.worth_a_worker

    def submit(
        self,
        source: SourceConfig,
        feed: Prefetched,
        *,
        now: datetime | None,
        known_release_ids: frozenset[str],
    ) -> Callable[[], Collected]:
        def here() -> Collected:
            return collect_source(source, feed, now=now, known_release_ids=known_release_ids)

        try:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    self.processes, mp_context=multiprocessing.get_context("spawn")
                )
            future = self._pool.submit(
                collect_source, source, feed, now=now, known_release_ids=known_release_ids
            )
        except Exception:  # a pool whose workers died (e.g. could not start): parse here
            self.processes = 0
            collected = here()
            return lambda: collected
        self.submitted += 1
        return lambda: _polled(future, here)


def _polled(future: Future[Collected], here: Callable[[], Collected]) -> Collected:
    """The worker's result, polled rather than awaited (a step timeout can interrupt this
    thread only while it runs Python code); parsed here when the worker failed."""
    while True:
        try:
            return future.result(timeout=POLL_S)
        except FutureTimeout:
            continue
        except Exception:  # a dead worker, or a result that could not be pickled
            return here()
