"""Headless Chromium (Debian's `chromium`) for page tests: the rendered DOM, a screenshot, and
every network request the page itself made (from Chromium's NetLog)."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--hide-scrollbars",
]
BROWSER_INITIATED = "not an origin"  # NetLog's initiator for Chromium's own background fetches


def chromium() -> str:
    """The browser's path; a missing browser fails the test (``.ci/run`` installs it)."""
    path = shutil.which("chromium")
    if path is None:
        raise AssertionError(
            "Debian's chromium is needed for page tests: apt-get install chromium (.ci/run does it)"
        )
    return path


@dataclass(frozen=True)
class PageLoad:
    dom: str
    requests: list[str]  # URLs the page asked for (scripts, images, fetches), any scheme but file


def page_requests(netlog: Path) -> list[str]:
    """URL requests whose initiator is the page (not Chromium's own background traffic)."""
    log = json.loads(netlog.read_text(encoding="utf-8"))
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [
        event["params"]["url"]
        for event in log["events"]
        if event["type"] == start_job
        and "url" in event.get("params", {})
        and event["params"].get("initiator") != BROWSER_INITIATED
    ]


def load(
    url: str,
    workdir: Path,
    *,
    screenshot: Path | None = None,
    window: str = "1200,2600",
    budget_ms: int = 20000,
) -> PageLoad:
    """Load ``url`` headless, let its scripts run for ``budget_ms`` of virtual time."""
    workdir.mkdir(parents=True, exist_ok=True)
    netlog = workdir / "netlog.json"
    common = [
        chromium(),
        *FLAGS,
        f"--user-data-dir={workdir / 'profile'}",
        f"--virtual-time-budget={budget_ms}",
        f"--window-size={window}",
    ]
    dom = subprocess.run(
        [*common, f"--log-net-log={netlog}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    ).stdout
    if screenshot is not None:
        subprocess.run(
            [*common, f"--screenshot={screenshot}", url],
            capture_output=True,
            timeout=180,
            check=True,
        )
    return PageLoad(dom=dom, requests=page_requests(netlog))
