"""The extractor's once-per-process tables can be built in the background before a run."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
from orchestration.extract import people, pipeline
from orchestration.extract.gazetteer import gazetteer
caches = (people._lexicon, people._patterns, gazetteer)
before = [cache.cache_info().currsize for cache in caches]
thread = pipeline.warm_up_in_background()
thread.join(60)
after = [cache.cache_info().currsize for cache in caches]
print(before, after, thread.daemon, thread.is_alive())
"""


def test_the_warm_up_thread_fills_the_extractor_caches() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.split("\n")[-2] == "[0, 0, 0] [1, 1, 1] True False", result.stdout
