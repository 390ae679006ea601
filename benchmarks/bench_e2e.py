"""End to end through the CLI: a synthetic archive served on 127.0.0.1, empty → published.

    .venv/bin/python benchmarks/bench_e2e.py [--sizes 1000,10000,100000] [--years 20]
        [--runs 3] [--new-day] [--limits] [--baseline DIR] [--json out.json]
        [--warehouse duckdb | ducklake:postgres:CONNINFO]

For each size: write the corpus once (benchmarks/corpus.py: Atom feeds, full text), serve it,
then ``--runs`` times run ``pressroom --home <fresh> --sources <corpus> run`` as its own
process and record wall time, peak RSS (the largest single process, from wait4, and the
whole process tree, sampled every 0.1 s from /proc, in total and per stage), CPU seconds
(the process and the children it waited for: less sensitive than wall time to other load on
a shared machine)
and wall time per stage (the Dagster runs the CLI launched, read back from the instance:
fetch = ingest_job, raw = rebuild + extraction + raw checks, marts+publish = dbt build,
audit and copy). With ``--new-day``, one more day is
then fetched on top of the loaded archive (its feeds disabled, a live feed enabled), once
the load's writes are on disk (``sync``), as a daily run finds them a day later: right after
the load, the new day's first checkpoint also waits for the load's last dirty pages (~0.6 s
at 100,000).
With ``--limits``, in the same session: DuckDB's own ``read_json`` of the same records, and
the extractor alone on every core. ``--baseline DIR`` runs an older checkout instead (a plain
copy of the repo at DIR, e.g. ``git archive <commit> | tar -x -C DIR``, run with this venv)
on the same served feeds. Medians over runs are printed and optionally written as JSON.
``--warehouse ducklake:postgres:CONNINFO`` runs in DuckLake mode: each run gets a new
database on that server (CONNINFO's user must be allowed to create databases), dropped
afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus

REPO = Path(__file__).resolve().parents[1]
PRESSROOM = Path(sys.executable).parent / "pressroom"
STAGES = {"ingest_job": "fetch", "raw_job": "raw", "transform_job": "marts+publish"}


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def run_cli(
    args: list[str],
    env: dict[str, str],
    cwd: Path = REPO,
    python: list[str] | None = None,
    pythonpath: Path | None = None,
) -> dict:
    """Run the CLI once; wall and CPU seconds, exit code, peak RSS (single process and tree)."""
    command = [*(python or [str(PRESSROOM)]), *args]
    if pythonpath is not None:
        env = {**env, "PYTHONPATH": str(pythonpath)}
    started_at = time.time()
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    samples: list[tuple[float, int]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            samples.append((time.perf_counter() - started, _tree_rss(process.pid)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.stdout.read().decode("utf-8", errors="replace")  # type: ignore[union-attr]
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall_s": round(wall, 2),
        "exit": process.returncode,
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "peak_tree_rss_mb": round(max((rss for _, rss in samples), default=0) / 2**20, 1),
        "started_at": started_at,
        "samples": samples,
        "output": output[-4000:],
    }


def stage_times(home: Path, run: dict | None = None) -> dict[str, float]:
    """Seconds per stage, from the Dagster runs recorded in ``home``'s instance; given the
    ``run_cli`` result, also each stage's peak tree RSS (``<stage>_peak_tree_rss_mb``)."""
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(home / "dagster"))
    try:
        times: dict[str, float] = {}
        for record in instance.get_run_records():
            dagster_run = record.dagster_run
            stats = instance.get_run_stats(dagster_run.run_id)
            if not (stats.start_time and stats.end_time):
                continue
            name = STAGES.get(dagster_run.job_name, dagster_run.job_name)
            times[name] = round(times.get(name, 0) + stats.end_time - stats.start_time, 2)
            if run is not None:
                start, end = (
                    moment - run["started_at"] for moment in (stats.start_time, stats.end_time)
                )
                peak = max((rss for at, rss in run["samples"] if start <= at <= end), default=0)
                key = f"{name}_peak_tree_rss_mb"
                times[key] = max(times.get(key, 0), round(peak / 2**20, 1))
        return times
    finally:
        instance.dispose()


def _environment(home: Path, sources: Path, port: int | None) -> dict[str, str]:
    env = {
        **os.environ,
        "PRESSROOM_HOME": str(home),
        "PRESSROOM_SOURCES": str(sources),
        "DAGSTER_HOME": str(home / "dagster"),
        "PRESSROOM_FIRST_YEAR": "2000",
    }
    if port:
        env["PRESSROOM_ALLOWED_ENDPOINTS"] = f"127.0.0.1:{port}"
    return env


@contextlib.contextmanager
def lake_warehouse(warehouse: str, data: Path) -> Iterator[dict[str, str]]:
    """The environment of a run: empty for the DuckDB file; for ``ducklake:postgres:CONNINFO``
    a new database on that server (dropped afterwards) and a data path under ``data``."""
    if warehouse == "duckdb":
        yield {}
        return
    import psycopg2

    conninfo = warehouse.removeprefix("ducklake:postgres:")
    name = f"bench_{os.getpid()}_{time.time_ns()}"
    admin = psycopg2.connect(conninfo)
    admin.autocommit = True
    admin.cursor().execute(f'create database "{name}"')
    own = (
        conninfo.rsplit("/", 1)[0] + "/" + name
        if "://" in conninfo
        else f"{conninfo} dbname={name}"
    )
    try:
        yield {"PRESSROOM_WAREHOUSE": f"ducklake:postgres:{own}", "PRESSROOM_LAKE_DATA": str(data)}
    finally:
        admin.cursor().execute(f'drop database if exists "{name}" with (force)')
        admin.close()


def _median(runs: list[dict], key: str) -> float:
    return round(statistics.median(run[key] for run in runs), 2)


def _checkout(baseline: Path | None) -> dict:
    """How to run an older checkout (a plain copy of the repo) with this venv: its package
    first on the path, started as a module."""
    if baseline is None:
        return {}
    return {
        "cwd": baseline,
        "python": [sys.executable, "-m", "orchestration.cli"],
        "pythonpath": baseline,
    }


def bench_size(
    root: Path,
    size: int,
    years: int,
    runs: int,
    new_day: bool,
    baseline: Path | None,
    warehouse: str = "duckdb",
) -> dict:
    if not (root / "feeds").is_dir():
        corpus.write_corpus(root, size, years)
    names = sorted(path.stem for path in (root / "feeds").glob("archive_*.xml"))
    results: dict = {"size": size, "years": years, "runs": []}
    with corpus.serve(root) as port:
        for index in range(runs):
            with (
                tempfile.TemporaryDirectory(prefix="bench_e2e_") as tmp,
                lake_warehouse(warehouse, Path(tmp) / "lake") as lake,
            ):
                home = Path(tmp) / "home"
                sources = Path(tmp) / "sources.yaml"
                sources.write_text(corpus.sources_yaml(names, port), encoding="utf-8")
                run = run_cli(
                    ["--home", str(home), "run"],
                    {**_environment(home, sources, port), **lake},
                    **_checkout(baseline),
                )
                run["stages"] = stage_times(home, run)
                if run["exit"] != 0:
                    print(run["output"], file=sys.stderr)
                if new_day:
                    live = corpus.write_new_day(root, size)
                    os.sync()
                    daily = Path(tmp) / "daily.yaml"
                    daily.write_text(
                        corpus.sources_yaml(names, port, enabled=False, live=live), encoding="utf-8"
                    )
                    day = run_cli(
                        ["--home", str(home), "run"],
                        {**_environment(home, daily, port), **lake},
                        **_checkout(baseline),
                    )
                    run["new_day"] = {
                        key: day[key]
                        for key in ("wall_s", "cpu_s", "exit", "peak_rss_mb", "peak_tree_rss_mb")
                    }
                    if day["exit"] != 0:
                        print(day["output"], file=sys.stderr)
                run.pop("samples")
                run.pop("started_at")
                run.pop("output")
                results["runs"].append(run)
                print(f"  size {size} run {index + 1}: {json.dumps(run)}", flush=True)
    results["median_wall_s"] = _median(results["runs"], "wall_s")
    results["median_cpu_s"] = _median(results["runs"], "cpu_s")
    results["median_peak_rss_mb"] = _median(results["runs"], "peak_rss_mb")
    results["median_peak_tree_rss_mb"] = _median(results["runs"], "peak_tree_rss_mb")
    if new_day:
        results["median_new_day_s"] = round(
            statistics.median(run["new_day"]["wall_s"] for run in results["runs"]), 2
        )
    return results


def limits(root: Path, size: int, years: int) -> dict:
    """The floor for this size: DuckDB's read_json of the records, the extractor on all cores."""
    import duckdb

    from orchestration.extract import ReleaseInput, extract_many

    records = root / "records.ndjson"
    if not records.exists():
        corpus.write_records(root, size, years)
    started = time.perf_counter()
    conn = duckdb.connect(str(root / "limit.duckdb"))
    conn.execute(f"create or replace table releases as select * from read_json('{records}')")
    conn.close()
    (root / "limit.duckdb").unlink()
    load = time.perf_counter() - started
    inputs = [
        ReleaseInput(
            f"archive:{release.number}",
            release.title,
            "\n\n".join(release.paragraphs),
            release.published_at.date(),
            "Archive",
        )
        for release in corpus.releases(size, years)
    ]
    started = time.perf_counter()
    for _ in extract_many(inputs, processes=os.cpu_count()):
        pass
    extract = time.perf_counter() - started
    return {
        "duckdb_read_json_s": round(load, 2),
        "extract_all_cores_s": round(extract, 2),
        "cores": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--new-day", action="store_true")
    parser.add_argument("--limits", action="store_true")
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--corpus-dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--warehouse", default="duckdb", help="duckdb (default) or ducklake:postgres:CONNINFO"
    )
    args = parser.parse_args()
    report = []
    for size in (int(item) for item in args.sizes.split(",")):
        root = args.corpus_dir / f"pressroom_corpus_{size}_{args.years}y"
        result = bench_size(
            root, size, args.years, args.runs, args.new_day, args.baseline, args.warehouse
        )
        if args.limits:
            result["limits"] = limits(root, size, args.years)
        report.append(result)
        print(
            json.dumps({key: value for key, value in result.items() if key != "runs"}), flush=True
        )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
