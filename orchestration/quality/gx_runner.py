"""Validate a pandas frame against a committed Great Expectations suite (expectations/suites).

GX is imported only in the worker process `gx_process` runs suites in (its import costs
seconds), with an ephemeral context, no progress bars and no analytics. An expectation that
*errored* (GX puts the exception in ``exception_info`` and reports ``success=False``) counts
as failed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestration.settings import EXPECTATIONS_DIR

SUITES_DIR = EXPECTATIONS_DIR / "suites"
MAX_EXAMPLES = 5
MAX_TEXT = 200


@dataclass(frozen=True)
class ValidationSummary:
    """What a suite run found; ``failures`` hold plain text only (never GX's HTML renderings)."""

    suite: str
    passed: bool
    evaluated: int
    successful: int
    failures: list[dict[str, Any]] = field(default_factory=list)

    def describe(self, limit: int = 2000) -> str:
        """Failures as plain text lines, truncated to ``limit`` characters."""
        lines = []
        for failure in self.failures:
            where = f" on {failure['column']}" if failure.get("column") else ""
            line = f"{failure['expectation']}{where}"
            if failure.get("unexpected_count"):
                line += f": {failure['unexpected_count']} unexpected"
            elif failure.get("observed_value") is not None:
                line += f": observed {failure['observed_value']}"
            if failure.get("partial_unexpected_list"):
                line += f"; e.g. {failure['partial_unexpected_list']}"
            if failure.get("error"):
                line += f"; error: {failure['error']}"
            lines.append(line)
        return _clip("\n".join(lines) or "none", limit)


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def suite_path(suite_name: str) -> Path:
    return SUITES_DIR / f"{suite_name}.json"


def _suite_document(suite_name: str) -> str:
    path = suite_path(suite_name)
    if not path.is_file():
        raise FileNotFoundError(
            f"no GX suite {suite_name!r} at {path}; run scripts/author_expectations.py"
        )
    return path.read_text(encoding="utf-8")


def _plain(value: object) -> str:
    """One unexpected value as short plain text."""
    text = repr(value) if isinstance(value, str) else str(value)
    return _clip(" ".join(text.split()), 80)


def _error_text(result) -> str:
    """The exception(s) GX recorded for an expectation, '' when it evaluated normally."""
    exception = result.exception_info or {}
    if not isinstance(exception, Mapping):
        return ""
    if exception.get("raised_exception"):
        return str(exception.get("exception_message") or "expectation raised an exception")
    # several metrics: {metric_id: {raised_exception, exception_message, ...}}
    return "; ".join(
        str(info.get("exception_message") or "metric raised an exception")
        for info in exception.values()
        if isinstance(info, Mapping) and info.get("raised_exception")
    )


def _failure(result) -> dict[str, Any]:
    config = result.expectation_config
    kwargs = dict(config.kwargs)
    column = kwargs.get("column") or ",".join(kwargs.get("column_list") or []) or None
    details = result.result or {}
    error = _error_text(result)
    unexpected = details.get("partial_unexpected_list") or []
    observed = details.get("observed_value")
    failure = {
        "expectation": config.type,
        "column": column,
        "unexpected_count": details.get(
            "unexpected_count", 0 if error or observed is not None else None
        ),
        "partial_unexpected_list": ", ".join(_plain(v) for v in unexpected[:MAX_EXAMPLES]),
    }
    indices = details.get("partial_unexpected_index_list") or []
    if indices:
        failure["row_indices"] = [
            int(i) for i in indices[:MAX_EXAMPLES] if isinstance(i, int | float)
        ]
    if observed is not None:
        failure["observed_value"] = _plain(observed)
    if error:
        failure["error"] = _clip(" ".join(error.split()), 300)
    return failure


def failing_rows(
    frame, summary: ValidationSummary, limit: int = MAX_EXAMPLES, width: int = 1500
) -> str:
    """A few offending rows of ``frame`` as plain text (one line each, truncated)."""
    seen: list[int] = []
    for failure in summary.failures:
        for index in failure.get("row_indices", []):
            if index not in seen and index in frame.index:
                seen.append(index)
    if not seen:
        return "none"
    lines = []
    for index in seen[:limit]:
        row = frame.loc[index]
        lines.append(
            _clip(" | ".join(f"{column}={_plain(row[column])}" for column in frame.columns), 300)
        )
    return _clip("\n".join(lines), width)


def _gx():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    return gx, ProgressBarsConfig


def validate_frame(
    suite_name: str,
    frame,
    parameters: Mapping[str, Any] | None = None,
    timeout_s: float | None = None,
) -> ValidationSummary:
    """Run the committed suite ``suite_name`` on a pandas dataframe, in the GX worker
    process (`gx_process`).

    ``parameters`` fill the suite's ``{"$PARAMETER": name}`` placeholders (e.g. the configured
    sources, or a row count computed from raw). Passed only when every expectation evaluated
    and succeeded. Past ``timeout_s`` the run is stopped: `StepTimeoutError`.
    """
    from orchestration.deadlines import Deadline
    from orchestration.quality import gx_process
    from orchestration.settings import timeout_setting

    limit = Deadline(f"Great Expectations suite {suite_name}", timeout_s or 0.0,
                     timeout_setting("gx"))
    return gx_process.validate(suite_name, frame, parameters, limit)


def _run(
    suite_name: str,
    document: Mapping[str, Any],
    frame,
    parameters: Mapping[str, Any] | None,
    result_format: dict[str, Any],
):
    """One validation in a new ephemeral context. (A context kept for the process would save
    ~15 ms a suite, but its pandas engine keeps the last frame of every suite alive.)"""
    gx, progress_bars = _gx()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = progress_bars(globally=False, metric_calculations=False)
    batch = (
        context.data_sources.add_pandas("pressroom")
        .add_dataframe_asset(suite_name)
        .add_batch_definition_whole_dataframe("whole")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    return batch.validate(
        gx.ExpectationSuite(**document),
        result_format=result_format,
        expectation_parameters=dict(parameters or {}),
    )


def _failed(item) -> bool:
    """An expectation that did not succeed or that errored."""
    return not item.success or bool(_error_text(item))


def _validate(suite_name: str, frame, parameters: Mapping[str, Any] | None) -> ValidationSummary:
    """First GX's cheapest result format (pass or fail only: half the time of the detailed
    one); only a suite that did not pass runs again with the details its messages give."""
    document = json.loads(_suite_document(suite_name))
    expected = len(document["expectations"])
    quick = _run(suite_name, document, frame, parameters, {"result_format": "BOOLEAN_ONLY"})
    if quick.success and not any(map(_failed, quick.results)) and len(quick.results) == expected:
        evaluated = len(quick.results)
        return ValidationSummary(
            suite=suite_name, passed=True, evaluated=evaluated, successful=evaluated
        )
    result = _run(
        suite_name,
        document,
        frame,
        parameters,
        {"result_format": "SUMMARY", "partial_unexpected_count": MAX_EXAMPLES},
    )
    failures = [_failure(item) for item in result.results if _failed(item)]
    evaluated = len(result.results)
    return ValidationSummary(
        suite=suite_name,
        passed=bool(result.success) and not failures and evaluated == expected,
        evaluated=evaluated,
        successful=evaluated - len(failures),
        failures=failures,
    )
