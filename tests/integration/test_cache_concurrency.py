"""Matrix row 18: several processes writing one HTTP cache file at once never fail with
`database is locked` (WAL and a busy timeout), and every response is readable afterwards."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from orchestration.sources.http import HttpClient, HttpSettings

pytestmark = pytest.mark.timeout(120)

PROCESSES, FETCHES = 4, 40
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)


def _worker(cache: str, base: str, endpoint: str, worker: int) -> list[str]:
    settings = HttpSettings(
        allowed_private_endpoints=(endpoint,), min_interval_s=0, retries=0, deadline_s=20
    )
    errors = []
    with HttpClient(Path(cache), settings) as client:
        for number in range(FETCHES):
            try:
                client.fetch(f"{base}/item?worker={worker}&n={number}")
            except Exception as error:  # counted, not raised: the test reports them all
                errors.append(f"{type(error).__name__}: {error}")
    return errors


WORKER = """
import json, sys
from tests.integration.test_cache_concurrency import _worker
print(json.dumps(_worker(*sys.argv[1:4], int(sys.argv[4]))))
"""


def test_concurrent_processes_share_one_cache_file(httpserver: HTTPServer, tmp_path: Path) -> None:
    # With the default expiry (revalidate every fetch) only bodies with a validator are kept.
    httpserver.expect_request("/item").respond_with_data(
        b"<r>ok</r>", content_type="application/xml", headers={"ETag": '"v1"'}
    )
    cache = tmp_path / "http_cache.sqlite"
    base = httpserver.url_for("/").rstrip("/")
    endpoint = f"127.0.0.1:{httpserver.port}"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(cache), base, endpoint, str(worker)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for worker in range(PROCESSES)
    ]
    outputs = [worker.communicate(timeout=100) for worker in workers]
    assert [worker.returncode for worker in workers] == [0] * PROCESSES, outputs
    assert [json.loads(out) for out, _ in outputs] == [[]] * PROCESSES  # no locked errors
    with HttpClient(cache, HttpSettings(allowed_private_endpoints=(endpoint,))) as client:
        assert client.cache.responses.count() == PROCESSES * FETCHES
