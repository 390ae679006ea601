"""Screenshots of the running Dagster UI, for docs/ui/ (headless Chromium over the DevTools
protocol, nothing fetched from the internet).

    .venv/bin/pressroom --home /tmp/sample run
    .venv/bin/pressroom --home /tmp/sample ui --port 3311 &
    (launch a backfill of 2023 from the link it prints, wait until published)
    .venv/bin/python scripts/ui_screenshots.py http://127.0.0.1:3311 docs/ui

Each shot: open the page, dismiss Dagster's first-visit dialog, optionally click a button,
wait, capture. Re-run after changing assets, partitions, checks or jobs.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from websockets.sync.client import connect

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--window-size=1500,950",
]
# (file name, path, text of the button to click after loading (the last one on the page that
# starts with it) or None, seconds to wait)
SHOTS = [
    ("asset-graph.png", "/asset-groups", None, 6),
    ("raw-job-partitions.png", "/locations/pressroom/jobs/raw_job/partitions", None, 6),
    (  # the page `pressroom ui` links: the dialog opens on the years that hold data
        "raw-job-backfill-dialog.png",
        "/locations/pressroom/jobs/raw_job/partitions?default_range=2023",
        "Materialize",
        6,
    ),
    (
        "raw-releases-partition.png",
        "/assets/raw/releases?view=partitions&partition=2023",
        None,
        6,
    ),
    ("raw-releases-checks.png", "/assets/raw/releases?view=checks", None, 6),
    (
        "raw-releases-check-history.png",
        "/assets/raw/releases?view=checks",
        "Execution history",
        6,
    ),
    # the selected check's own Partitions tab (the last "Partitions" on the page)
    ("raw-releases-check-partitions.png", "/assets/raw/releases?view=checks", "Partitions", 6),
    ("fct-events-checks.png", "/assets/marts/fct_events?view=checks", None, 6),
    ("seed-countries.png", "/assets/staging/countries", None, 6),
    ("runs.png", "/runs", None, 5),
]
CLICK = """(() => {{
  const wanted = {text};
  const button = [...document.querySelectorAll('button, a')]
    .filter(node => node.textContent.trim().startsWith(wanted)).pop();
  if (button) {{ button.click(); return true; }}
  return false;
}})()"""


class Page:
    """One browser tab driven over the DevTools protocol."""

    def __init__(self, socket) -> None:
        self.socket = socket
        self.counter = 0

    def call(self, method: str, **params: object) -> dict:
        self.counter += 1
        self.socket.send(json.dumps({"id": self.counter, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.counter:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def click(self, text: str) -> bool:
        answer = self.call(
            "Runtime.evaluate", expression=CLICK.format(text=json.dumps(text)), returnByValue=True
        )
        return bool(answer.get("result", {}).get("value"))

    def shot(self, target: Path) -> None:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        target.write_bytes(base64.b64decode(data))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    base, out = argv[0].rstrip("/"), Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="pressroom-ui-"))
    browser = subprocess.Popen(
        [
            shutil.which("chromium") or "chromium",
            *FLAGS,
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = None
        while port is None:
            line = browser.stderr.readline()
            match = re.search(r"DevTools listening on ws://127.0.0.1:(\d+)/", line)
            port = match.group(1) if match else None
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/json/new?about:blank", method="PUT"
        )
        with urllib.request.urlopen(request) as answer:
            websocket_url = json.load(answer)["webSocketDebuggerUrl"]
        with connect(websocket_url, max_size=None) as socket:
            take(Page(socket), base, out)
    finally:
        browser.terminate()
        browser.wait(timeout=30)
        shutil.rmtree(profile, ignore_errors=True)
    return 0


def take(page: Page, base: str, out: Path) -> None:
    page.call("Page.enable")
    for name, path, button, wait in SHOTS:
        page.call("Page.navigate", url=base + path)
        time.sleep(wait)
        page.click("Skip")  # the first-visit "join the community" dialog
        time.sleep(1)
        if button and not page.click(button):
            print(f"{name}: no button {button!r} on {path}", file=sys.stderr)
        time.sleep(3 if button else 0)
        page.shot(out / name)
        print(out / name)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
