"""Dagster run events turned into one line per stage, with a bar while dbt builds models.

Stages are recognised by asset key, not by job or step name, so they survive changes to how
the jobs are cut: ``raw/http_responses|fetched_items|rejected_items`` (fetch), other ``raw/*``
(partitions), everything else (models); asset checks are counted across stages.
"""

from __future__ import annotations

import json
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from orchestration.cli.output import NORMAL, Output
from orchestration.settings import DBT_PROJECT_DIR

FETCH_KEYS = {("raw", "http_responses"), ("raw", "fetched_items"), ("raw", "rejected_items")}


def dbt_node_count() -> int | None:
    """Models, seeds and snapshots in the parsed dbt project (the bar's total)."""
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    try:
        nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"].values()
    except (OSError, ValueError, KeyError):
        return None
    return sum(1 for node in nodes if node.get("resource_type") in {"model", "seed", "snapshot"})


def _value(metadata: dict, key: str) -> Any:
    value = metadata.get(key)
    return getattr(value, "value", value)


class RunProgress:
    """Listener for `events.listening`: prints a stage's line when the next stage begins."""

    def __init__(self, output: Output, models_total: int | None = None) -> None:
        self.output = output
        self.stage: str | None = None
        self.fetch: dict[str, Any] = {}
        self.partitions: set[str] = set()
        self.models: set[str] = set()
        # one outcome per check and job (a ranged run records a check under each of its years)
        self._outcomes: dict[tuple[str, str, str], str] = {}  # (job, asset, check)
        self.models_total = models_total
        self._bar: Progress | None = None
        self._task = None

    # events ---------------------------------------------------------------------------------
    def __call__(self, event: Any) -> None:
        kind = event.event_type_value
        if kind == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            self._materialized(
                tuple(materialization.asset_key.path),
                dict(materialization.metadata or {}),
                materialization.partition,
            )
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            key = (event.job_name, evaluation.asset_key.to_user_string(), evaluation.check_name)
            if evaluation.passed:
                outcome = "passed"
            elif getattr(evaluation.severity, "value", "") == "WARN":
                outcome = "warned"
            else:
                outcome = "failed"
            self._outcomes.setdefault(key, outcome)
        elif kind == "STEP_START" and self.output.verbosity >= NORMAL:
            in_models = self.stage == "models"
            self._show_bar(
                f"running {event.step_key}",
                len(self.models) if in_models else 0,
                self.models_total if in_models else None,
            )

    def _materialized(self, key: tuple[str, ...], metadata: dict, partition: str | None) -> None:
        if key in FETCH_KEYS:
            self._enter("fetch")
            self.fetch.update({name: _value(metadata, name) for name in metadata})
        elif key[0] == "raw":
            self._enter("raw")
            if partition:
                self.partitions.add(partition)
        elif key[0] == "published":
            self._enter("publish")  # the command says where it published
        else:
            self._enter("models")
            self.models.add("/".join(key))
            self._show_bar("building models", len(self.models), self.models_total)

    # stages ---------------------------------------------------------------------------------
    def _enter(self, stage: str) -> None:
        if stage != self.stage:
            self._flush()
            self.stage = stage

    def _flush(self) -> None:
        line = self._line()
        if line:
            self._hide_bar()
            self.output.stage(line)

    def _line(self) -> str:
        if self.stage == "fetch":
            by_source = self.fetch.get("items_by_source") or {}
            return (
                f"✓ sources fetched: {self.fetch.get('items_fetched', 0)} items from "
                f"{len(by_source)} sources, {self.fetch.get('rejected', 0)} rejected, "
                f"{self.fetch.get('payloads', 0)} payloads kept"
            )
        if self.stage == "raw":
            days = sorted(self.partitions)
            span = f" ({days[0]}..{days[-1]})" if days else ""
            return f"✓ partitions built: {len(days)}{span}"
        if self.stage == "models":
            return f"✓ models built: {len(self.models)}"
        return ""

    @property
    def checks(self) -> dict[str, int]:
        """How many checks passed, warned and failed (each check counted once per run)."""
        tally = {"passed": 0, "warned": 0, "failed": 0}
        for outcome in self._outcomes.values():
            tally[outcome] += 1
        return tally

    def finish(self) -> None:
        """Print the last stage's line and the checks' tally."""
        self._flush()
        self.stage = None
        self._hide_bar()
        if self._outcomes:
            mark = "✗" if self.checks["failed"] else "✓"
            self.output.stage(
                f"{mark} checks: {self.checks['passed']} passed, "
                f"{self.checks['warned']} warned, {self.checks['failed']} failed"
            )

    # the bar (terminals only; refreshed by events, so no thread) ----------------------------
    def _show_bar(self, description: str, completed: int = 0, total: int | None = None) -> None:
        if not self.output.err.is_terminal or self.output.verbosity < NORMAL:
            return
        if self._bar is None:
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.output.err,
                auto_refresh=False,
                transient=True,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._bar.start()
            self._task = self._bar.add_task(description, total=total)
        self._bar.update(self._task, description=description, completed=completed, total=total)
        self._bar.refresh()

    def _hide_bar(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
