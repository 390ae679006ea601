"""A cache on disk of structures built from data files (the gazetteer: ~4 s to build, ~0.4 s
to load), shared by every process of the user and rebuilt whenever an input changes.

A file holds one build: a header (format, the digest of its inputs, the digest of the
payload) and the pickled payload. Loading checks both digests, so a stale, truncated or
damaged file is never used: the structures are built again and the file replaced. Writers
write a temporary file beside it and rename it into place, so concurrent processes (the
extraction workers, two runs) each read a whole file, never a half-written one. A cache
directory that cannot be written only costs the build.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

FORMAT = b"pressroom-build-cache/1\n"
_DIGEST = hashlib.sha256().digest_size
KEEP = 4
"""Builds kept per name (each ~13 MB for the gazetteer)."""
log = logging.getLogger(__name__)


def default_directory() -> Path:
    """The user's cache directory for pressroom (``~/.cache/pressroom`` on Linux)."""
    from platformdirs import user_cache_path

    return user_cache_path("pressroom", appauthor=False)


def inputs_digest(parts: Iterable[tuple[str, bytes]]) -> bytes:
    """One digest of named inputs (the Python version is always one of them: a pickle of
    one version's objects is not promised to load in another)."""
    digest = hashlib.sha256(FORMAT)
    for name, value in [("python", sys.version.encode()), *parts]:
        for chunk in (name.encode(), value):
            digest.update(len(chunk).to_bytes(8, "big"))
            digest.update(chunk)
    return digest.digest()


def file_stamp(path: Path) -> bytes:
    """A large input file by its path, size and change time (cheaper than its content)."""
    try:
        stat = path.stat()
    except OSError:
        return b"missing"
    return f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()


def cache_path(directory: Path, name: str, key: bytes) -> Path:
    return directory / f"{name}-{key.hex()[:16]}.pickle"


def load(path: Path, key: bytes) -> object | None:
    """The payload stored at ``path`` for ``key``; None when there is none, or it was built
    from other inputs, or it is damaged."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(FORMAT) + 2 * _DIGEST
    if (
        len(data) < head
        or not data.startswith(FORMAT)
        or data[len(FORMAT) : len(FORMAT) + _DIGEST] != key
    ):
        return None
    payload = memoryview(data)[head:]
    if hashlib.sha256(payload).digest() != data[head - _DIGEST : head]:
        return None
    enabled = gc.isenabled()
    gc.disable()  # ~3x faster: no collections while ~10^5 objects are created
    try:
        return pickle.loads(payload)
    except Exception:  # a payload that hashes right but does not load: built again
        return None
    finally:
        if enabled:
            gc.enable()


def store(path: Path, key: bytes, value: object) -> None:
    """Write ``value`` for ``key`` at ``path`` atomically (a temporary file renamed over it),
    then remove all but the newest ``KEEP`` builds of the same name (checkouts of different
    versions on one machine each keep theirs)."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(FORMAT + key + hashlib.sha256(payload).digest())
            out.write(payload)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    prefix = path.name.rsplit("-", 1)[0]
    builds = sorted(path.parent.glob(f"{prefix}-*.pickle"), key=_modified, reverse=True)
    for older in builds[KEEP:]:
        if older != path:
            older.unlink(missing_ok=True)


def _modified(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:  # removed meanwhile by another process
        return 0


def load_or_build(
    name: str,
    inputs: Iterable[tuple[str, bytes]],
    build: Callable[[], T],
    directory: Path | None = None,
) -> T:
    """``build()``'s result for these inputs: from the cache when a build of the same inputs
    is stored there, else built and stored (a directory that cannot be written is skipped
    with a warning; the result is the same)."""
    key = inputs_digest(inputs)
    try:
        path = cache_path(directory or default_directory(), name, key)
    except Exception as error:  # no home directory to find a cache in
        log.warning("no cache directory for %s (%s): building it", name, error)
        return build()
    cached = load(path, key)
    if cached is not None:
        return cached  # type: ignore[return-value]
    value = build()
    try:
        store(path, key, value)
    except OSError as error:
        log.warning(
            "could not store %s in %s (%s): it is built again next time", name, path.parent, error
        )
    return value
