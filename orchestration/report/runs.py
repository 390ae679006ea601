"""The pipeline's recent runs and their check results, from the Dagster instance in the home."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class RunRow:
    job: str
    status: str
    started: str
    seconds: float | None
    checks_passed: int
    checks_warned: int
    checks_failed: int


def recent_runs(dagster_home: Path, limit: int = 6) -> list[RunRow]:
    """The newest runs (any job), newest first; empty when the instance has none."""
    if not (dagster_home / "dagster.yaml").exists():
        return []
    import dagster as dg

    rows = []
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        for record in instance.get_run_records(limit=limit):
            run = record.dagster_run
            outcomes: dict[tuple[str, str], str] = {}  # a check is recorded under each year
            for entry in instance.all_logs(
                run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
            ):
                evaluation = entry.dagster_event.event_specific_data
                if evaluation.passed:
                    outcome = "passed"
                elif evaluation.severity == dg.AssetCheckSeverity.WARN:
                    outcome = "warned"
                else:
                    outcome = "failed"
                key = (evaluation.asset_key.to_user_string(), evaluation.check_name)
                outcomes.setdefault(key, outcome)
            passed, warned, failed = (
                sum(1 for value in outcomes.values() if value == name)
                for name in ("passed", "warned", "failed")
            )
            start, end = record.start_time, record.end_time
            rows.append(
                RunRow(
                    job=run.job_name,
                    status=run.status.value,
                    started=(
                        datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%d %H:%M UTC")
                        if start
                        else ""
                    ),
                    seconds=round(end - start, 1) if start and end else None,
                    checks_passed=passed,
                    checks_warned=warned,
                    checks_failed=failed,
                )
            )
    return rows
