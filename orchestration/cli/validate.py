"""Checks made before anything starts: option values, the home directory, the sources file."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from orchestration.cli.errors import UserError


def iso_date(text: str) -> date:
    """argparse type for YYYY-MM-DD dates, with a message that shows the expected form."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: use YYYY-MM-DD, e.g. 2023-10-01"
        ) from None


def port_number(text: str) -> int:
    """argparse type for a TCP port (1-65535)."""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: use 1-65535, e.g. 3000")
    return int(text)


def positive_int(text: str) -> int:
    """argparse type for a count of at least 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def output_file(path: str, example: str) -> Path:
    """A file the command will write: not a directory, in a directory that exists."""
    target = Path(path).expanduser().resolve()
    if target.is_dir():
        raise UserError(f"{target} is a directory", f"name the file to write, e.g. {example}")
    if not target.parent.is_dir():
        raise UserError(f"cannot write {target}: {target.parent} does not exist")
    return target


@contextmanager
def writing(target: Path) -> Iterator[None]:
    """A failed write of ``target`` (permissions, a full disk, a read-only file system) ends
    in one plain line."""
    try:
        yield
    except OSError as error:
        raise UserError(
            f"cannot write {target}: {error.strerror or error}",
            "choose a path you can write to",
            exit_code=1,
        ) from error


def check_home(home: Path) -> None:
    """The home must be a directory (or not exist yet) and writable."""
    if home.exists() and not home.is_dir():
        raise UserError(
            f"--home {home} is a file, not a directory",
            "pass a directory (it is created if missing)",
        )


def check_sources(path: Path) -> int:
    """Validate the sources file before any run starts; return how many sources are enabled."""
    from orchestration.sources.config import ConfigError, load_sources

    if path.is_dir():
        raise UserError(
            f"sources file {path} is a directory", "pass the YAML file itself with --sources FILE"
        )
    if not path.exists():
        raise UserError(
            f"sources file {path} does not exist",
            "check --sources or PRESSROOM_SOURCES; without either, the bundled sample is used",
        )
    try:
        sources = load_sources(path)
    except UnicodeDecodeError:
        raise UserError(
            f"sources file {path} is not a text (UTF-8) file", "pass a YAML sources file"
        ) from None
    except PermissionError:
        raise UserError(f"sources file {path} cannot be read (permission denied)") from None
    except ConfigError:
        raise
    return sum(1 for source in sources.sources if source.enabled) + len(sources.dumps)


def check_window(start: date, end: date) -> None:
    if end < start:
        raise UserError(
            f"--end {end} is before --start {start}",
            "both days are included: pass --start first, --end last",
        )
