"""Wall time of the main job (`pressroom run` on the bundled sample): cold and warm.

    .venv/bin/python benchmarks/bench_main_job.py [--runs 3]

Cold: a fresh PRESSROOM_HOME (empty warehouse, new Dagster instance). Warm: the same command
again on the home the cold run left (everything already fetched; the run re-verifies and
republishes). Each run is a separate `pressroom` process, as a user would start it. Reports
the median of --runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PRESSROOM = Path(sys.executable).parent / "pressroom"


def _run(home: Path) -> float:
    started = time.perf_counter()
    subprocess.run([str(PRESSROOM), "--home", str(home), "run"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cold, warm = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="bench_main_") as tmp:
            cold.append(_run(Path(tmp) / "home"))
            warm.append(_run(Path(tmp) / "home"))
    print(f"cold runs (s): {', '.join(f'{value:.1f}' for value in cold)}; "
          f"median {statistics.median(cold):.1f}")
    print(f"warm runs (s): {', '.join(f'{value:.1f}' for value in warm)}; "
          f"median {statistics.median(warm):.1f}")


if __name__ == "__main__":
    main()
