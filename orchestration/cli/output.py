"""What the user sees: stage lines and errors on stderr, results on stdout, noise in a log.

Verbosity: -1 (``-q``) results only; 0 (default) one line per stage, a progress bar on a
terminal, the summary; 1 (``-v``) everything Dagster and dbt print, unfiltered.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path

from rich.console import Console
from rich.markup import escape

QUIET, NORMAL, VERBOSE = -1, 0, 1


class Output:
    """The two consoles and the verbosity every command writes through."""

    def __init__(self, verbosity: int = NORMAL) -> None:
        self.verbosity = verbosity
        self.err = Console(stderr=True, highlight=False, soft_wrap=True)

    def stage(self, text: str) -> None:
        """One line of progress (not shown with -q)."""
        if self.verbosity >= NORMAL:
            self.err.print(escape(text))

    def warn(self, text: str) -> None:
        if self.verbosity >= NORMAL:
            self.err.print(f"[yellow]warning:[/] {escape(text)}")

    def error(self, what: str, hint: str = "") -> None:
        """A failure in one or two plain lines: what failed, then what to do."""
        self.err.print(f"[bold red]error:[/] {escape(what)}")
        if hint:
            self.err.print(f"  {escape(hint)}")

    @contextmanager
    def captured(self, log_path: Path) -> Iterator[None]:
        """Send everything the pipeline and its subprocesses print to ``log_path`` (unless -v).

        Redirects file descriptors 1 and 2 (dbt's subprocess output) and ``sys.stdout`` /
        ``sys.stderr`` (Python warnings, Dagster's console logger); this console keeps writing
        to the stderr the command started with.
        """
        if self.verbosity >= VERBOSE:
            yield
            return
        log_path.parent.mkdir(parents=True, exist_ok=True)
        sys.stdout.flush()
        sys.stderr.flush()
        original_stderr = sys.stderr
        saved = {fd: os.dup(fd) for fd in (1, 2)}
        terminal = (
            os.fdopen(os.dup(saved[2]), "w", encoding="utf-8", errors="replace")
            if _writes_to_fd(original_stderr, 2)
            else None
        )
        console_file = self.err.file
        self.err.file = terminal or original_stderr
        with open(log_path, "a", encoding="utf-8", buffering=1) as log:
            try:
                for fd in (1, 2):
                    os.dup2(log.fileno(), fd)
                with redirect_stdout(log), redirect_stderr(log):
                    yield
            finally:
                log.flush()
                for fd, copy in saved.items():
                    os.dup2(copy, fd)
                    os.close(copy)
                self.err.file = console_file
                if terminal is not None:
                    terminal.close()


def _writes_to_fd(stream: object, fd: int) -> bool:
    """Whether a Python stream writes to file descriptor ``fd`` (not, e.g., a test capture)."""
    try:
        return stream.fileno() == fd  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return False
