"""The one window type: a half-open range of publication days, ``[start, end)``.

A run covers a window whether it comes from a partition, a partition range (run tags), the
CLI's ``--start``/``--end`` or the days a fetch touched; dbt receives it as ``--vars``.
Knows nothing of Dagster (``defs/partitions.py`` converts partitions to and from it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, order=True)
class Window:
    """Publication days ``start`` (inclusive) to ``end`` (exclusive), UTC."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(
                f"a window must end after it starts: {self.start} .. {self.end} (end is exclusive)"
            )

    @classmethod
    def of_days(cls, first: date, last: date) -> Window:
        """The window from ``first`` to ``last``, both inclusive (how people write ranges)."""
        return cls(first, last + timedelta(days=1))

    @classmethod
    def covering(cls, days: Iterable[date]) -> Window | None:
        """The smallest window holding every day given; None for no day at all."""
        ordered = sorted(set(days))
        return cls.of_days(ordered[0], ordered[-1]) if ordered else None

    @property
    def last(self) -> date:
        """The last day inside the window."""
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def dbt_vars(self) -> dict[str, str]:
        """The window as dbt reads it (`partition_window` macro): inclusive ISO days."""
        return {"min_date": self.start.isoformat(), "max_date": self.last.isoformat()}

    def dbt_args(self) -> list[str]:
        """``--vars`` arguments for a dbt command scoped to this window."""
        return ["--vars", json.dumps(self.dbt_vars(), sort_keys=True)]

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.last.isoformat()}"
