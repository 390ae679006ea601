"""What the quality gates cost at scale: a synthetic warehouse of N releases (default 100,000).

    .venv/bin/python benchmarks/bench_gates.py [--releases 100000] [--repeat 3]

Builds the raw layer with the generator of bench_dbt_incremental.py, builds the marts once
(`dbt run --full-refresh`), then times, median of --repeat:
- the blocking SQL rules (orchestration/quality/rules.py) over every day;
- the GX raw suites (frames + validation; GX import timed separately, once per process);
- the GX marts suites;
- every dbt test (`dbt test`), i.e. what `dbt build` adds to `dbt run`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dbt_incremental import dbt, generate_raw

from orchestration.quality import frames
from orchestration.quality.audit import EVERY_DAY
from orchestration.quality.rules import RULES
from orchestration.warehouse.schema import ensure_raw_schema


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    import great_expectations  # noqa: F401  (the once-per-process import cost)

    gx_import = time.perf_counter() - started
    from orchestration.quality.gx_runner import validate_frame

    with tempfile.TemporaryDirectory(prefix="bench_gates_") as tmp:
        work = Path(tmp)
        path = work / "w.duckdb"
        conn = duckdb.connect(str(path))
        ensure_raw_schema(conn)
        generate_raw(conn, 0, args.releases, None)
        conn.close()
        dbt(path, work, "seed")
        dbt(path, work, "run", "--full-refresh")
        conn = duckdb.connect(str(path))
        sources = [row[0] for row in conn.execute(
            "select distinct source from raw.releases").fetchall()]

        def rules() -> None:
            for rule in RULES:
                rule.offending_rows(conn, *EVERY_DAY)

        def raw_suites() -> None:
            built = [frames.raw_releases(conn, *EVERY_DAY, sources)]
            built.extend(build(conn, *EVERY_DAY) for build in frames.RAW_FRAMES.values())
            for frame in built:
                validate_frame(frame.suite, frame.data, frame.parameters)

        def mart_suites() -> None:
            for build in frames.MART_FRAMES.values():
                frame = build(conn)
                validate_frame(frame.suite, frame.data, frame.parameters)

        timings = {name: [] for name in ("sql rules", "gx raw suites", "gx marts suites")}
        for _ in range(args.repeat):
            timings["sql rules"].append(_timed(rules))
            timings["gx raw suites"].append(_timed(raw_suites))
            timings["gx marts suites"].append(_timed(mart_suites))
        conn.close()
        timings["dbt test"] = [dbt(path, work, "test") for _ in range(args.repeat)]
    print(f"releases: {args.releases:,}; GX import (once per process): {gx_import:.1f} s")
    for name, values in timings.items():
        print(f"{name:<16} median {statistics.median(values):6.2f} s  "
              f"({', '.join(f'{value:.2f}' for value in values)})")


if __name__ == "__main__":
    main()
