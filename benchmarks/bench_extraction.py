"""Extraction throughput on a synthetic corpus (deterministic, written from templates here).

Usage: .venv/bin/python benchmarks/bench_extraction.py [--releases 2000] [--runs 5]

Reports the median of ``--runs`` runs of:

* ``extract_release`` in one process, as wall-clock releases/s and as CPU releases/s
  (``time.process_time``: what one core delivers even when the machine is shared);
* ``extract_many(..., processes=2)`` as wall-clock releases/s, plus the CPU time that the
  parent and its forked workers spent per release (``os.times``, children reaped at pool exit).

The target is 2,000 releases/s per core on releases of 200-800 words.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta

from corpus import CITIES, FILLER, PEOPLE  # the same wording as the end-to-end corpus

from orchestration.extract import ReleaseInput, extract_many, extract_release
from orchestration.extract.gazetteer import gazetteer


def _release(rng: random.Random, n: int, reference: date) -> ReleaseInput:
    hon, name, title, country = rng.choice(PEOPLE)
    city, city_country = rng.choice(CITIES)
    day = reference + timedelta(days=rng.randint(-20, 20))
    when = f"{day.day} {day:%B} {day.year}"
    kind = rng.randrange(3)
    parts = []
    if kind == 0:
        parts.append(
            f"The NATO Secretary General, Mr Mark Rutte, will visit {city}, "
            f"{city_country} on {when}. He will meet the {title} of {country}, "
            f"{hon} {name}, and deliver remarks at a security conference."
        )
        parts.append(
            f"Media advisory\n\n{day:%A}   {when}\n\n"
            f"{rng.randint(8, 18):02d}:{rng.choice(['00', '15', '30'])} (CET)     "
            f"Joint press statements by the NATO Secretary General and the {title}"
        )
    elif kind == 1:
        parts.append(
            f"During an action day on {when}, law enforcement authorities in "
            f"{city_country} arrested {rng.randint(2, 40)} suspects in {city}."
        )
        parts.append(
            f"Catherine De Bolle, Europol's Executive Director, said the operation "
            f"showed the value of cooperation with {country}."
        )
    else:
        parts.append(
            f"Addressing the annual forum in {city} on {when}, Secretary General "
            f"Mark Rutte said that Allies stand united. {name.split()[-1]} agreed."
        )
    words = sum(len(p.split()) for p in parts)
    target = rng.randint(200, 800)
    while words < target:
        sentence = " ".join(rng.choice(FILLER) for _ in range(3))
        parts.append(sentence)
        words += len(sentence.split())
    return ReleaseInput(f"bench:{n}", f"Release {n}", "\n\n".join(parts), reference, "NATO")


def corpus(size: int, seed: int = 20231108) -> list[ReleaseInput]:
    """``size`` synthetic releases of 200-800 words, the same for the same seed."""
    rng = random.Random(seed)
    return [_release(rng, n, date(2023, 11, 8)) for n in range(size)]


def _cpu_with_children() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _measure(
    run: Callable[[list[ReleaseInput]], object], releases: list[ReleaseInput], runs: int
) -> tuple[float, float]:
    """Median (wall releases/s, CPU releases/s) over ``runs`` runs; CPU includes children."""
    wall_rates, cpu_rates = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), _cpu_with_children()
        run(releases)
        wall_rates.append(len(releases) / (time.perf_counter() - wall))
        cpu_rates.append(len(releases) / max(_cpu_with_children() - cpu, 1e-9))
    return statistics.median(wall_rates), statistics.median(cpu_rates)


def _single(releases: list[ReleaseInput], runs: int) -> tuple[float, float]:
    """Median wall and ``time.process_time`` rates of ``extract_release`` in this process."""
    wall_rates, cpu_rates = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        for release in releases:
            extract_release(release)
        wall_rates.append(len(releases) / (time.perf_counter() - wall))
        cpu_rates.append(len(releases) / (time.process_time() - cpu))
    return statistics.median(wall_rates), statistics.median(cpu_rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    releases = corpus(args.releases)
    words = statistics.mean(len(r.body_text.split()) for r in releases)
    gazetteer()
    extract_release(releases[0])  # warm the lazy gazetteer and compiled patterns
    single_wall, single_cpu = _single(releases, args.runs)
    double_wall, double_cpu = _measure(
        lambda rs: list(extract_many(rs, processes=2)), releases, args.runs
    )
    print(f"{len(releases)} releases, mean {words:.0f} words, median of {args.runs} runs")
    print(f"extract_release, 1 process : {single_wall:8.0f} releases/s wall")
    print(f"extract_release, 1 process : {single_cpu:8.0f} releases/s CPU (process_time)")
    print(f"extract_many, 2 processes  : {double_wall:8.0f} releases/s wall")
    print(f"extract_many, 2 processes  : {double_cpu:8.0f} releases/s per CPU-second (all procs)")


if __name__ == "__main__":
    main()
