"""Retries of the warehouse writers: only a lock on the DuckDB file is worth another attempt.

Dagster's `RetryPolicy` retries on any exception, so `retry_on_lock_only` wraps an asset's
body and hands Dagster every other error as a `Failure` that forbids retries: a parse error,
a failed audit or a step timeout fails at once; a file held by another process (an analyst's
tool opened read-write, a writer outside pressroom) is retried with exponential backoff and
jitter, after `WarehouseResource.connect` has itself waited `LOCK_WAIT_S` for it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import dagster as dg
import duckdb

from orchestration.warehouse.connection import WarehouseLockedError

LOCK_RETRY = dg.RetryPolicy(
    max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
"""Up to two more attempts, 5 s then 10 s later (each ±100 % jitter)."""


def is_lock_error(error: BaseException) -> bool:
    """A DuckDB file lock held by another process, or a write-write conflict: transient."""
    if isinstance(error, WarehouseLockedError):
        return True
    text = str(error)
    if isinstance(error, duckdb.IOException) and "Could not set lock" in text:
        return True
    if isinstance(error, duckdb.TransactionException) and "Conflict" in text:
        return True
    return "Could not set lock on file" in text and "Conflicting lock" in text  # dbt's output


def _final(error: Exception) -> Exception:
    if is_lock_error(error) or isinstance(error, (dg.DagsterError, dg.RetryRequested)):
        return error
    if isinstance(error, dg.Failure):
        error.allow_retries = False
        return error
    return dg.Failure(description=str(error) or type(error).__name__, allow_retries=False)


def retry_on_lock_only(function: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate an asset's body (below ``@dg.asset(retry_policy=LOCK_RETRY)``)."""
    if inspect.isgeneratorfunction(function):

        @functools.wraps(function)
        def generator(*args: Any, **kwargs: Any) -> Any:
            try:
                return (yield from function(*args, **kwargs))
            except Exception as error:
                final = _final(error)
                if final is error:
                    raise
                raise final from error

        return generator

    @functools.wraps(function)
    def plain(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except Exception as error:
            final = _final(error)
            if final is error:
                raise
            raise final from error

    return plain
