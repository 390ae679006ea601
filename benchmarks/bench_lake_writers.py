"""Two writers on one warehouse: throughput of two backfills of different years.

    .venv/bin/python benchmarks/bench_lake_writers.py --warehouse ducklake:postgres:CONNINFO
        [--size 1000] [--years 20] [--runs 3] [--json out.json]

Per run: load the synthetic archive (benchmarks/corpus.py, served on 127.0.0.1) into a fresh
warehouse, then rebuild it from the kept payloads as two writers, each a `pressroom backfill`
process with its own home (one of the older half of the years, one of the newer half):

- ``duckdb``: the two backfills one after the other (the DuckDB file takes one writer; the
  second would wait on the file's lock for the first's whole run);
- ``ducklake``: the same two backfills, first at the same time, then one after the other.

Throughput = releases rebuilt by both writers / wall seconds of both. Medians over runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus
from bench_e2e import _environment, lake_warehouse, run_cli

END_YEAR = 2025  # corpus.write_corpus's default


def _writers(years: int) -> list[tuple[str, str]]:
    first = END_YEAR - years + 1
    middle = first + years // 2
    return [(f"{first}-01-01", f"{middle - 1}-12-31"), (f"{middle}-01-01", f"{END_YEAR}-12-31")]


def _backfills(
    tmp: Path,
    sources: Path,
    port: int,
    shared: dict[str, str],
    years: int,
    together: bool,
    tag: str,
) -> dict:
    """Both backfills, at once or in turn; wall seconds of both and each one's result."""
    jobs = []
    for index, (start, end) in enumerate(_writers(years)):
        home = tmp / f"{tag}_writer{index}"
        env = {**_environment(home, sources, port), **shared}
        jobs.append((["--home", str(home), "backfill", "--start", start, "--end", end], env))
    results: list[dict] = [{} for _ in jobs]

    def run(index: int) -> None:
        results[index] = run_cli(*jobs[index])

    started = time.perf_counter()
    if together:
        threads = [threading.Thread(target=run, args=(index,)) for index in range(len(jobs))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        for index in range(len(jobs)):
            run(index)
    wall = time.perf_counter() - started
    for result in results:
        if result["exit"] != 0:
            print(result["output"], file=sys.stderr)
    return {
        "wall_s": round(wall, 2),
        "exits": [result["exit"] for result in results],
        "writer_wall_s": [result["wall_s"] for result in results],
        "peak_rss_mb": max(result["peak_rss_mb"] for result in results),
    }


def bench(root: Path, size: int, years: int, runs: int, warehouse: str) -> dict:
    if not (root / "feeds").is_dir():
        corpus.write_corpus(root, size, years)
    names = sorted(path.stem for path in (root / "feeds").glob("archive_*.xml"))
    lake = warehouse != "duckdb"
    out: dict = {"size": size, "warehouse": "ducklake" if lake else "duckdb", "runs": []}
    with corpus.serve(root) as port:
        for index in range(runs):
            with (
                tempfile.TemporaryDirectory(prefix="bench_writers_") as scratch,
                lake_warehouse(warehouse, Path(scratch) / "lake") as lake_env,
            ):
                tmp = Path(scratch)
                sources = tmp / "sources.yaml"
                sources.write_text(corpus.sources_yaml(names, port), encoding="utf-8")
                shared = lake_env or {"PRESSROOM_WAREHOUSE": f"duckdb:{tmp / 'shared.duckdb'}"}
                load_home = tmp / "load"
                load = run_cli(
                    ["--home", str(load_home), "run"],
                    {**_environment(load_home, sources, port), **shared},
                )
                assert load["exit"] == 0, load["output"]
                run = {"load_s": load["wall_s"]}
                if lake:
                    run["together"] = _backfills(tmp, sources, port, shared, years, True, "a")
                run["in_turn"] = _backfills(tmp, sources, port, shared, years, False, "b")
                for key in ("together", "in_turn"):
                    if key in run:
                        run[key]["releases_per_s"] = round(size / run[key]["wall_s"], 2)
                out["runs"].append(run)
                print(f"  {out['warehouse']} run {index + 1}: {json.dumps(run)}", flush=True)
    for key in ("together", "in_turn"):
        walls = [run[key]["wall_s"] for run in out["runs"] if key in run]
        if walls:
            out[f"median_{key}_wall_s"] = round(statistics.median(walls), 2)
            out[f"median_{key}_releases_per_s"] = round(size / statistics.median(walls), 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--warehouse", default="duckdb", help="duckdb (default) or ducklake:postgres:CONNINFO"
    )
    parser.add_argument("--corpus-dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    root = args.corpus_dir / f"pressroom_corpus_{args.size}_{args.years}y"
    result = bench(root, args.size, args.years, args.runs, args.warehouse)
    print(json.dumps({key: value for key, value in result.items() if key != "runs"}), flush=True)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
