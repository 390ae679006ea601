"""A person's title at an event follows their role history when a later day changes it.

fct_appearances' post-hook (`refresh_appearance_titles`) re-derives `title_at_event` only for
the people whose office spans changed in this run (int_person_roles against dim_people_roles
as the last run left it). Here Erika Lind is seen as Chief Economist on 1 March with a
meeting on 20 March ahead; a release of 10 March names her Governor, which closes the
Chief Economist span on 1 March and opens Governor from 10 March: the 20 March meeting, an
appearance from the first day that this run does not rebuild, must now say Governor, as a
full build does. Tomas Berg, seen again as Ambassador but for another country (a new span of
the one title he has ever held: the post-hook leaves him out), keeps his.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.window import Window
from tests.integration.dbt_fixtures import Event, Person, Release, load_releases, run_dbt

R_FIRST_DAY = Release(
    release_id="bank:news_1",
    source="bank",
    source_name="Bank",
    title="Chief Economist to meet the Ambassador",
    body=(
        "Chief Economist Erika Lind will meet Ambassador Tomas Berg on 20 March 2024 to "
        "discuss the outlook."
    ),
    published_at=datetime(2024, 3, 1, 9, 0),
    partition_date=date(2024, 3, 1),
    release_type="news",
    hint="news",
    people=[
        Person("Erika Lind", "Erika Lind", None, "Chief Economist", "Bank"),
        Person("Tomas Berg", "Tomas Berg", None, "Ambassador", "Sweden"),
    ],
    events=[
        Event(
            "meeting",
            "will meet Ambassador",
            date(2024, 3, 20),
            [("Erika Lind", "host"), ("Tomas Berg", "guest")],
        ),
    ],
)

R_LATER_DAY = Release(
    release_id="bank:news_2",
    source="bank",
    source_name="Bank",
    title="Erika Lind appointed Governor",
    body="Governor Erika Lind thanked Ambassador Tomas Berg for his visit.",
    published_at=datetime(2024, 3, 10, 9, 0),
    partition_date=date(2024, 3, 10),
    release_type="news",
    hint="news",
    people=[
        Person("Erika Lind", "Erika Lind", None, "Governor", "Bank"),
        Person("Tomas Berg", "Tomas Berg", None, "Ambassador", "Norway"),
    ],
)

LATER_WINDOW = Window.of_days(date(2024, 3, 10), date(2024, 3, 10))
# seeds and models; the data tests are not what this module checks (and cost ~5 s a build)
BUILD = ("build", "--exclude", "resource_type:test", "resource_type:unit_test")


def _titles(db: Path) -> dict[str, str | None]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return dict(
            conn.execute("""
            select people.full_name, appearances.title_at_event
            from marts.fct_appearances as appearances
            inner join marts.dim_people as people using (person_id)
        """).fetchall()
        )


def _appearances(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute("select * from marts.fct_appearances order by appearance_id").fetchall()


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> tuple[Path, Path, dict[str, str | None]]:
    """(incremental warehouse, its full rebuild, titles after the first day)."""
    work = tmp_path_factory.mktemp("titles")
    incremental = work / "incremental.duckdb"
    load_releases(incremental, [R_FIRST_DAY])
    run_dbt(incremental, work, *BUILD)
    first_day = _titles(incremental)
    load_releases(incremental, [R_LATER_DAY])
    run_dbt(incremental, work, *BUILD, window=LATER_WINDOW)
    full = work / "full.duckdb"
    shutil.copy(incremental, full)
    run_dbt(full, work, *BUILD, "--full-refresh")
    return incremental, full, first_day


def test_first_day_titles(builds) -> None:
    _, _, first_day = builds
    assert first_day == {"Erika Lind": "Chief Economist", "Tomas Berg": "Ambassador"}


def test_an_earlier_appearance_follows_a_title_gained_later(builds) -> None:
    incremental, _, _ = builds
    assert _titles(incremental) == {"Erika Lind": "Governor", "Tomas Berg": "Ambassador"}


def test_both_people_have_changed_spans(builds) -> None:
    """Both go through the post-hook's comparison: Erika's titles differ, Tomas's one title
    gained a span (Sweden closed on 1 March, Norway open from 10 March)."""
    incremental, _, _ = builds
    with duckdb.connect(str(incremental), read_only=True) as conn:
        spans = conn.execute("""
            select people.full_name, roles.title, roles.organisation, roles.valid_from,
                roles.valid_to
            from marts.dim_people_roles as roles
            inner join marts.dim_people as people using (person_id)
            where people.full_name in ('Erika Lind', 'Tomas Berg')
            order by 1, 4
        """).fetchall()
    assert spans == [
        ("Erika Lind", "Chief Economist", "Bank", date(2024, 3, 1), date(2024, 3, 1)),
        ("Erika Lind", "Governor", "Bank", date(2024, 3, 10), None),
        ("Tomas Berg", "Ambassador", "Sweden", date(2024, 3, 1), date(2024, 3, 1)),
        ("Tomas Berg", "Ambassador", "Norway", date(2024, 3, 10), None),
    ]


def test_incremental_appearances_equal_a_full_build(builds) -> None:
    incremental, full, _ = builds
    assert _appearances(incremental)
    assert _appearances(incremental) == _appearances(full)
