"""A backfill launched in the running Dagster UI ends published (#12's newcomer path).

`pressroom ui` starts the real webserver and daemon on a loopback port; the backfill is
launched through the webserver's GraphQL API with the parameters the backfill dialog of
raw_job's partitions page sends, for the years the link `pressroom ui` prints selects. The
daemon runs it, its sensor builds the marts, the publish swaps the read-only copy in.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dagster as dg
import duckdb
import pytest

from orchestration.settings import SAMPLE_SOURCES_FILE, Settings

# Two to four minutes (webserver start, daemon ticks, two run processes that each load the
# code location, dbt): slow, run with `make test-slow`.
pytestmark = [pytest.mark.e2e, pytest.mark.slow]
RAW_ASSETS = [
    ["raw", "releases"],
    ["raw", "person_mentions"],
    ["raw", "location_mentions"],
    ["raw", "event_mentions"],
    ["raw", "event_participants"],
    ["raw", "release_annotations"],
]
LAUNCH = """mutation($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
    ... on PartitionSetNotFoundError { message }
    ... on PartitionKeysNotFoundError { message }
  }
}"""
PROGRESS = """query($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    ... on PartitionBackfill { status }
  }
  assetOrError(assetKey: {path: ["published", "warehouse"]}) {
    ... on Asset { assetMaterializations(limit: 1) { runId timestamp } }
  }
}"""
CHECK_HISTORY = """query($check: String!) {
  assetCheckExecutions(assetKey: {path: ["raw", "releases"]}, checkName: $check, limit: 50) {
    runId status partition
  }
}"""
RUNS = """{ runsOrError { ... on Runs { results { jobName creationTime startTime endTime } } } }"""
DEADLINE_S = 420


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _graphql(base: str, query: str, variables: dict) -> dict:
    request = urllib.request.Request(
        f"{base}/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        body = json.load(answer)
    assert "errors" not in body, body["errors"]
    return body["data"]


def _fetch_only(settings: Settings) -> None:
    """Payloads kept, nothing built: the sample fetched by ingest_job alone."""
    from orchestration.definitions import defs
    from orchestration.defs.resources import build_resources

    result = defs.resolve_job_def("ingest_job").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        resources=build_resources(settings),
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
    )
    assert result.success


def _wait_for_link(ui: subprocess.Popen, log: Path, base: str) -> str:
    """The backfill link `pressroom ui` printed, once the webserver answers."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        assert ui.poll() is None, f"pressroom ui exited:\n{log.read_text()[-3000:]}"
        try:
            with urllib.request.urlopen(f"{base}/server_info", timeout=5):
                break
        except OSError:
            time.sleep(1)
    else:
        raise AssertionError(f"the webserver never answered:\n{log.read_text()[-3000:]}")
    found = re.search(r"open (http://\S+) and press Materialize", log.read_text())
    assert found, f"no backfill link printed:\n{log.read_text()[-3000:]}"
    return found.group(1)


def _stop(ui: subprocess.Popen) -> None:
    """Stop `pressroom ui` as an operator would (SIGTERM), then anything left of its process
    group (webserver, daemon, code server)."""
    if ui.poll() is None:
        ui.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            ui.wait(timeout=90)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(ui.pid, signal.SIGKILL)
    ui.wait(timeout=30)


def test_a_backfill_launched_in_the_ui_ends_published(tmp_path: Path) -> None:
    home = tmp_path / "home"
    settings = Settings(home=home, sources_file=SAMPLE_SOURCES_FILE, first_year=2020)
    _fetch_only(settings)
    assert not settings.published_path.exists()

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "ui.log"
    environment = {**os.environ, "PRESSROOM_FIRST_YEAR": "2020"}
    environment.pop("PRESSROOM_SOURCES", None)
    started, wall_start = time.monotonic(), time.time()
    with log.open("w") as output:
        ui = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "orchestration.cli",
                "--home",
                str(home),
                "ui",
                "--port",
                str(port),
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environment,
            start_new_session=True,
        )
    try:
        link = _wait_for_link(ui, log, base)
        up = time.monotonic()
        selection = unquote(parse_qs(urlparse(link).query)["default_range"][0])
        assert selection == "2023"  # the sample's one year, not the 90 days or all 37 years
        launched = _graphql(
            base,
            LAUNCH,
            {
                "params": {
                    "selector": {
                        "partitionSetName": "raw_job_partition_set",
                        "repositorySelector": {
                            "repositoryLocationName": "pressroom",
                            "repositoryName": "__repository__",
                        },
                    },
                    "assetSelection": [{"path": path} for path in RAW_ASSETS],
                    "partitionNames": [selection],
                    "fromFailure": False,
                    "tags": [{"key": "dagster/from_ui", "value": "true"}],
                }
            },
        )["launchPartitionBackfill"]
        assert launched["__typename"] == "LaunchBackfillSuccess", launched
        backfill_id = launched["backfillId"]

        published = None
        while time.monotonic() - started < DEADLINE_S:
            state = _graphql(base, PROGRESS, {"id": backfill_id})
            assert state["partitionBackfillOrError"]["status"] not in {"FAILED", "CANCELED"}
            materializations = state["assetOrError"].get("assetMaterializations") or []
            if materializations:
                published = materializations[0]
                break
            time.sleep(2)
        assert published, f"not published within {DEADLINE_S} s:\n{log.read_text()[-3000:]}"
        print(
            f"`pressroom ui` started: webserver up after {up - started:.0f} s, published "
            f"after {time.monotonic() - started:.0f} s; runs (created, started, ended):"
        )
        for run in reversed(_graphql(base, RUNS, {})["runsOrError"]["results"]):
            print(
                f"  {run['jobName']}: "
                + ", ".join(
                    f"{run[name] - wall_start:.0f} s"
                    for name in ("creationTime", "startTime", "endTime")
                    if run[name]
                )
            )

        conn = duckdb.connect(str(settings.published_path), read_only=True)
        try:
            assert conn.execute("select count(*) from marts.fct_releases").fetchone()[0] == 70
        finally:
            conn.close()

        # Each check of the backfilled year shows the run's result, none "Skipped".
        for check in ("gx_raw_releases", "releases_have_title_and_text", "sources_fresh"):
            executions = _graphql(base, CHECK_HISTORY, {"check": check})["assetCheckExecutions"]
            statuses = {(row["partition"], row["status"]) for row in executions}
            assert executions and all(status != "SKIPPED" for _, status in statuses), statuses
            assert {partition for partition, _ in statuses} == {"2023"}, statuses
    finally:
        _stop(ui)
