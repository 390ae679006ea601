"""Stale partitions become few reprocess windows (pure)."""

from datetime import date

from orchestration.warehouse.versions import PartitionVersions, reprocess_windows


def test_nearby_stale_days_share_a_window_and_far_ones_do_not() -> None:
    days = [date(2023, 10, 3), date(2023, 10, 1), date(2023, 10, 6), date(2024, 2, 1)]
    assert reprocess_windows(days) == [
        (date(2023, 10, 1), date(2023, 10, 7)),  # end exclusive
        (date(2024, 2, 1), date(2024, 2, 2)),
    ]


def test_no_stale_days_no_windows() -> None:
    assert reprocess_windows([]) == []


def test_a_partition_is_stale_unless_only_the_current_version_made_it() -> None:
    day = date(2023, 10, 1)
    assert not PartitionVersions(day, 3, ("1.4.1",)).is_stale("1.4.1")
    assert PartitionVersions(day, 3, ("1.4.0",)).is_stale("1.4.1")
    assert PartitionVersions(day, 3, ("1.4.0", "1.4.1")).is_stale("1.4.1")  # mixed
    assert PartitionVersions(day, 3, ()).is_stale("1.4.1")  # never extracted
