"""`validate_frame` first runs GX's cheapest result format and only a suite that did not pass
again with the details: its verdicts, counts and failure messages are exactly those of one
run with the detailed format (the runner before this shortcut), on good and on bad data."""

from __future__ import annotations

import json

import pytest

from orchestration.quality import gx_runner
from orchestration.quality.gx_runner import ValidationSummary, validate_frame
from tests.integration.test_gx_suites import (  # noqa: F401 (the fixture)
    ALL_SUITES,
    BAD_CASES,
    _frame,
    warehouse,
)


def _detailed_only(suite: str, frame) -> ValidationSummary:
    """The runner as it was: one run in the detailed (SUMMARY) format."""
    document = json.loads(gx_runner._suite_document(suite))
    result = gx_runner._run(
        suite,
        document,
        frame.data,
        frame.parameters,
        {"result_format": "SUMMARY", "partial_unexpected_count": gx_runner.MAX_EXAMPLES},
    )
    failures = [gx_runner._failure(item) for item in result.results if gx_runner._failed(item)]
    evaluated = len(result.results)
    return ValidationSummary(
        suite=suite,
        passed=bool(result.success) and not failures and evaluated == len(document["expectations"]),
        evaluated=evaluated,
        successful=evaluated - len(failures),
        failures=failures,
    )


@pytest.mark.parametrize("bad", [False, True], ids=["good", "bad"])
@pytest.mark.parametrize("suite", ALL_SUITES)
def test_the_quick_format_changes_no_verdict_or_message(warehouse, suite, bad):  # noqa: F811
    if bad:
        warehouse.execute(BAD_CASES[suite][0])
    frame = _frame(warehouse, suite)
    summary = validate_frame(frame.suite, frame.data, frame.parameters)
    assert summary.passed is not bad
    assert summary == _detailed_only(suite, frame)
    if bad:
        assert summary.failures and summary.describe() != "none"


def test_an_errored_expectation_is_still_reported_with_its_error(warehouse):  # noqa: F811
    frame = _frame(warehouse, "raw_person_mentions")
    frame.data.drop(columns=["span_matches_text"], inplace=True)
    summary = validate_frame(frame.suite, frame.data, frame.parameters)
    assert not summary.passed
    assert summary == _detailed_only("raw_person_mentions", frame)
    assert any(failure.get("error") for failure in summary.failures)
