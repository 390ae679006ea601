"""The one window type: a half-open range of publication days, ``[start, end)``.

A run covers a window whether it comes from a partition, a partition range (run tags), the
CLI's ``--start``/``--end`` or the days a fetch touched; dbt receives it as its
``--event-time-start``/``--event-time-end`` flags (`dbt_args`).
Knows nothing of Dagster (``defs/partitions.py`` converts partitions to and from it).
"""

from __future__ import annotations

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

    def dbt_args(self) -> list[str]:
        """The window for ``dbt build`` (the `partition_window` macro): dbt's event-time flags,
        ``[start, end)`` as here. Not ``--vars``: dbt hashes those into its partial-parse
        state, so every new window cost a full parse of the project (~2.6 s of CPU)."""
        return [
            "--event-time-start",
            self.start.isoformat(),
            "--event-time-end",
            self.end.isoformat(),
        ]

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.last.isoformat()}"
