"""Failures a user can cause, said in one or two plain lines (what failed, what to do)."""

from __future__ import annotations

EXIT_FAILED = 1  # the command ran and failed (a gate, no source reachable, bad SQL)
EXIT_USAGE = 2  # the command could not start (bad option, missing file, invalid sources file)
EXIT_INTERRUPTED = 130


class UserError(Exception):
    """A failure the user can fix: ``what`` failed and, optionally, ``hint`` says what to do."""

    def __init__(self, what: str, hint: str = "", *, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(what)
        self.what = what
        self.hint = hint
        self.exit_code = exit_code


def first_line(text: str) -> str:
    """The first non-empty line of a (possibly multi-line) library message."""
    return next((line.strip() for line in text.splitlines() if line.strip()), text.strip())


def translate(error: BaseException) -> UserError | None:
    """The plain form of an exception a user caused, or None for a real bug."""
    from orchestration.recovery import InstanceNotMigratedError
    from orchestration.settings import SettingsError
    from orchestration.sources.config import ConfigError
    from orchestration.warehouse.connection import WarehouseLockedError
    from orchestration.warehouse.integrity import DamagedWarehouseError

    if isinstance(error, UserError):
        return error
    if isinstance(error, InstanceNotMigratedError):
        return UserError(error.what, error.hint, exit_code=EXIT_FAILED)
    if isinstance(error, DamagedWarehouseError):
        return UserError(error.what, error.hint, exit_code=EXIT_FAILED)
    if isinstance(error, SettingsError):
        return UserError(str(error), "fix or unset that environment variable")
    if isinstance(error, ConfigError):
        what, _, problems = str(error).partition("\n")
        detail = "; ".join(line.strip() for line in problems.splitlines() if line.strip())
        return UserError(
            f"{what} {detail}".strip(), "fix the file (see docs/operations.md, 'The sources file')"
        )
    if isinstance(error, WarehouseLockedError):
        return UserError(
            first_line(str(error)).split(" (")[0],
            "another pressroom or DuckDB process has it open read-write: wait for "
            "it or stop it; readers should open the published copy",
            exit_code=EXIT_FAILED,
        )
    return None
