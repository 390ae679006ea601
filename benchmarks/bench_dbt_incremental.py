"""Full dbt rebuild vs. an incremental run that adds one day, on a synthetic raw layer.

    .venv/bin/python benchmarks/bench_dbt_incremental.py [--releases 100000] [--repeat 3]

Generates `--releases` releases spread over ~2 years (plus person, location and event
mentions and participants, with realistic duplication: most events are reported twice)
with DuckDB SQL `generate_series` in a temporary DuckDB file, then times (median of
`--repeat`):

- full:        `dbt run --full-refresh` over everything;
- incremental: `dbt run` for the window of a new day (`Window.dbt_args`), after
               adding that day's releases (a fresh copy of the fully built file each time).

`dbt run` (not build) so that the timing is the models, not the tests; seeds are loaded
once beforehand. Prints both and the
ratio, in wall-clock time and in the models' own execution time (without dbt's fixed
start-up cost of several seconds). Nothing is left behind except in the temporary directory.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestration.warehouse.schema import ensure_raw_schema  # noqa: E402
from orchestration.window import Window  # noqa: E402

DBT_PROJECT_DIR = ROOT / "dbt_project"
DBT = Path(sys.executable).parent / "dbt"
START = date(2023, 1, 1)

PEOPLE = 400          # distinct full names
PLACES = 300          # distinct cities
DAYS = 730            # publication days


def generate_raw(conn: duckdb.DuckDBPyConnection, first: int, count: int, day_offset: int | None
                 ) -> None:
    """Insert releases first..first+count-1 (and their mentions).

    Release n is published on START + (n % DAYS) days unless `day_offset` pins them all to
    one day. Events: release n reports event (n // 2): pairs of releases report the same
    happening (same date, type, place, participants), which the dedup must merge.
    """
    day = f"{day_offset}" if day_offset is not None else f"(n % {DAYS})"
    conn.execute(f"""
        create or replace temp table gen as
        select
            n,
            'bench:' || n as release_id,
            date '{START}' + cast({day} as integer) as partition_date,
            (n // 2) as event_no
        from generate_series({first}, {first + count - 1}) as series(n)
    """)
    conn.execute("""
        insert into raw.releases
        select
            release_id, 1, case when n % 3 = 0 then 'europol' else 'nato' end,
            case when n % 3 = 0 then 'Europol' else 'NATO' end, cast(n as varchar),
            'https://example.org/' || n, 'Release ' || n, null,
            'Person' || (n % 400) || ' Surname' || (n % 400) || ' met Person' || ((n + 7) % 400)
                || ' Surname' || ((n + 7) % 400) || ' in City' || (n % 300)
                || ' for a meeting. ' || repeat('Lorem ipsum dolor sit amet. ', 40),
            partition_date + interval 9 hour, partition_date, false, 'en', 'news', '{}',
            md5(release_id), partition_date + interval 10 hour, null
        from gen
    """)
    conn.execute("""
        insert into raw.release_annotations
        select release_id, 1, case when n % 5 = 0 then 'media_advisory' else 'news' end,
               partition_date, partition_date, 'bench'
        from gen
    """)
    for slot, offset in (("p1", 0), ("p2", 7)):
        conn.execute(f"""
            insert into raw.person_mentions
            select release_id || '#{slot}', release_id, 0, 10,
                   'Person' || ((event_no + {offset}) % {PEOPLE}),
                   'Person' || ((event_no + {offset}) % {PEOPLE})
                       || ' Surname' || ((event_no + {offset}) % {PEOPLE}),
                   null, 'Minister', 'Country' || ((event_no + {offset}) % 50),
                   partition_date, 'bench'
            from gen
        """)
    conn.execute(f"""
        insert into raw.location_mentions
        select release_id || '#l1', release_id, 20, 30, 'City' || (event_no % {PLACES}),
               'geonames:' || (1000 + event_no % {PLACES}), 'City' || (event_no % {PLACES}),
               'city',
               chr(cast(65 + (event_no % 20) as integer))
                   || chr(cast(65 + (event_no % 7) as integer)),
               50.0, 4.0, 1000 + event_no % {PLACES},
               'country:' || chr(cast(65 + (event_no % 20) as integer))
                   || chr(cast(65 + (event_no % 7) as integer)),
               'Country', 'country', partition_date, 'bench'
        from gen
    """)
    conn.execute(f"""
        insert into raw.event_mentions
        select release_id || '#e1', release_id, 'meeting', 'Meeting ' || event_no,
               date '{START}' + cast((event_no * 2) % {DAYS} as integer), null, 'day',
               '10:00', 'CET', 'Europe/Brussels',
               (date '{START}' + cast((event_no * 2) % {DAYS} as integer)) + interval 9 hour,
               'geonames:' || (1000 + event_no % {PLACES}), 40, 60, partition_date, 'bench'
        from gen
    """)
    for slot, offset, role in (("p1", 0, "host"), ("p2", 7, "guest")):
        conn.execute(f"""
            insert into raw.event_participants
            select release_id || '#e1', release_id, release_id || '#{slot}',
                   'Person' || ((event_no + {offset}) % {PEOPLE})
                       || ' Surname' || ((event_no + {offset}) % {PEOPLE}),
                   '{role}', 0, 10, partition_date, 'bench'
            from gen
        """)


def model_seconds(work: Path) -> float:
    """Sum of the models' own execution times in the last run (dbt's fixed start-up cost -
    imports, manifest, connection, per-node bookkeeping - excluded)."""
    results = json.loads((work / "target" / "run_results.json").read_text())
    return sum(result["execution_time"] for result in results["results"])


def dbt(db_path: Path, work: Path, *args: str, window: Window | None = None) -> float:
    env = {
        "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
        "HOME": str(work),
        "PRESSROOM_DUCKDB_PATH": str(db_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    command = [str(DBT), *args, *(window.dbt_args() if window else []),
               "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
               "--target-path", str(work / "target"),
               "--log-path", str(work / "logs"), "--quiet"]
    started = time.perf_counter()
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"dbt {' '.join(args)} failed:\n{completed.stdout}\n{completed.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=100_000)
    parser.add_argument("--new-day-releases", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_dbt_") as tmp:
        work = Path(tmp)
        base = work / "base.duckdb"
        started = time.perf_counter()
        conn = duckdb.connect(str(base))
        ensure_raw_schema(conn)
        generate_raw(conn, 0, args.releases, None)
        counts = {table: conn.execute(f"select count(*) from raw.{table}").fetchone()[0]
                  for table in ("releases", "person_mentions", "event_mentions")}
        conn.close()
        print(f"generated {counts} in {time.perf_counter() - started:.1f} s")

        # warm-up: parse once (partial parsing then applies to every timed run) and load the
        # seeds, which are the same for both kinds of run
        dbt(base, work, "seed")

        full_times, full_model_times = [], []
        for _ in range(args.repeat):
            copy = work / "full.duckdb"
            shutil.copy(base, copy)
            full_times.append(dbt(copy, work, "run", "--full-refresh"))
            full_model_times.append(model_seconds(work))
            built = work / "built.duckdb"
            shutil.move(copy, built)
        print("full refresh runs (s):", ", ".join(f"{value:.1f}" for value in full_times))

        new_day = START + timedelta(days=DAYS)
        incremental_times, incremental_model_times = [], []
        for _ in range(args.repeat):
            copy = work / "incremental.duckdb"
            shutil.copy(built, copy)
            conn = duckdb.connect(str(copy))
            generate_raw(conn, args.releases, args.new_day_releases, DAYS)
            conn.close()
            incremental_times.append(
                dbt(copy, work, "run", window=Window.of_days(new_day, new_day))
            )
            incremental_model_times.append(model_seconds(work))
            copy.unlink()
        print("incremental runs (s):", ", ".join(f"{value:.1f}" for value in incremental_times))

        full = statistics.median(full_times)
        incremental = statistics.median(incremental_times)
        print(f"releases: {args.releases:,} (+{args.new_day_releases} on {new_day})")
        print(f"full refresh (median of {args.repeat}): {full:.1f} s")
        print(f"incremental, one new day (median of {args.repeat}): {incremental:.1f} s")
        print(f"ratio incremental / full: {incremental / full:.2f}")
        full_models = statistics.median(full_model_times)
        incremental_models = statistics.median(incremental_model_times)
        print(f"model execution time only (sum over models, median): full {full_models:.1f} s,"
              f" incremental {incremental_models:.1f} s,"
              f" ratio {incremental_models / full_models:.2f}")


if __name__ == "__main__":
    main()
