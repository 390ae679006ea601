"""The dbt process started before it is needed (orchestration/dbt_warm): ``pressroom-dbt``
runs a command there as ``dbt`` would run it (the same events on its standard output, the
same exit code), becomes ``dbt`` itself when nothing waits, and a killed launcher stops it.

Real dbt on the project, a real DuckDB file, the launcher as dagster-dbt starts it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.dbt_warm import prestart
from orchestration.settings import DBT_PROJECT_DIR
from orchestration.warehouse.dbt_command import dbt_parse_args

pytestmark = pytest.mark.skipif(
    not prestart.LAUNCHER.exists(), reason="pressroom-dbt is not installed (make setup)"
)


def _launch(target: Path, args: list[str], command: Path = prestart.LAUNCHER) -> subprocess.Popen:
    """``command`` as dagster-dbt starts dbt: JSON logs on stdout, stderr merged into it."""
    env = {
        **os.environ,
        **prestart.dbt_environment(target, DBT_PROJECT_DIR),
        "DBT_LOG_FORMAT": "json",
    }
    return subprocess.Popen(
        [str(command), *args],
        cwd=DBT_PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _events(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def _finished(process: subprocess.Popen) -> tuple[int, list[dict]]:
    output, _ = process.communicate(timeout=120)
    return process.returncode, _events(output)


@pytest.fixture
def home(tmp_path: Path):
    """A dbt target directory and a DuckDB file; no process left waiting afterwards."""
    yield tmp_path / "dbt_target", tmp_path / "warehouse.duckdb"
    prestart.stop()


def test_a_command_runs_in_the_waiting_process_with_its_parse_current(home) -> None:
    target, db = home
    waiting = prestart.start(target, DBT_PROJECT_DIR, str(db))
    assert waiting is not None
    assert prestart.start(target, DBT_PROJECT_DIR, str(db)) is waiting  # one per directory

    code, events = _finished(_launch(target, ["--no-write-json", "parse", *dbt_parse_args(db)]))

    assert code == 0
    assert {event["info"]["pid"] for event in events} == {waiting.pid}
    names = {event["info"]["name"] for event in events}
    assert "MainReportVersion" in names
    assert "UnableToPartialParse" not in names  # the warm-up's parse left its state current
    assert waiting.wait(timeout=30) == 0  # one command served, then it exits
    record = json.loads((target / "warm-dbt.json").read_text())
    assert record["pid"] == waiting.pid
    assert 0 < record["warm_up_s"] <= record["served_after_s"]


def test_with_no_process_waiting_the_launcher_becomes_dbt(home) -> None:
    target, db = home
    launcher = _launch(target, ["--no-write-json", "parse", *dbt_parse_args(db)])
    code, events = _finished(launcher)
    assert code == 0
    assert {event["info"]["pid"] for event in events} == {launcher.pid}  # exec'd: same pid


def test_a_failing_command_ends_with_dbts_own_exit_code(home) -> None:
    target, db = home
    failing = ["run-operation", "no_such_macro", *dbt_parse_args(db)]
    plain_dbt = prestart.dbt_command().with_name("dbt")
    dbt_code, dbt_events = _finished(_launch(target, failing, plain_dbt))
    waiting = prestart.start(target, DBT_PROJECT_DIR, str(db))
    assert waiting is not None
    code, events = _finished(_launch(target, failing))
    assert dbt_code != 0
    assert code == dbt_code
    assert {event["info"]["pid"] for event in events} == {waiting.pid}
    errors = [e["info"]["msg"] for e in events if e["info"]["level"] == "error"]
    assert any("no_such_macro" in message for message in errors)
    assert [e["info"]["name"] for e in events if e["info"]["level"] == "error"] == [
        e["info"]["name"] for e in dbt_events if e["info"]["level"] == "error"
    ]


def test_a_killed_launcher_stops_the_dbt_process_and_frees_the_warehouse(home) -> None:
    target, db = home
    waiting = prestart.start(target, DBT_PROJECT_DIR, str(db))
    assert waiting is not None
    long_query = "select count(*) from range(100000000000) as numbers(n) where n % 7 = 3"
    launcher = _launch(target, ["show", "--inline", long_query, *dbt_parse_args(db)])
    assert launcher.stdout is not None
    for line in launcher.stdout:  # the query is running once dbt has said where
        if '"Concurrency' in line or "Running with dbt" in line:
            break
    time.sleep(2)
    assert waiting.poll() is None  # still counting
    launcher.send_signal(signal.SIGKILL)
    launcher.wait()
    assert waiting.wait(timeout=15) != 0
    duckdb.connect(str(db)).close()  # no lock left behind


def test_an_unused_process_ends_with_the_process_that_started_it(tmp_path: Path) -> None:
    """A pipeline killed before its build (no atexit handler runs) leaves no dbt behind."""
    starter = (
        "import os, sys; from pathlib import Path; "
        "from orchestration.dbt_warm import prestart; "
        "from orchestration.settings import DBT_PROJECT_DIR; "
        f"p = prestart.start(Path({str(tmp_path / 't')!r}), DBT_PROJECT_DIR, 'w.duckdb'); "
        "print(p.pid, flush=True); os._exit(0)"
    )
    started = subprocess.run(
        [sys.executable, "-c", starter], capture_output=True, text=True, check=True
    )
    pid = int(started.stdout.split()[0])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.5)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_what_a_served_build_wrote_is_checkpointed_when_the_launcher_returns(home) -> None:
    """The waiting process ends without Python's teardown, once it has closed the database:
    the launcher returns after the checkpoint, with nothing left in the write-ahead log."""
    target, db = home
    waiting = prestart.start(target, DBT_PROJECT_DIR, str(db))
    assert waiting is not None
    code, events = _finished(
        _launch(target, ["seed", "--select", "countries", *dbt_parse_args(db)])
    )
    assert code == 0
    assert {event["info"]["pid"] for event in events} == {waiting.pid}
    assert not Path(f"{db}.wal").exists()
    with duckdb.connect(str(db), read_only=True) as conn:
        assert conn.execute("select count(*) from staging.countries").fetchone()[0] > 200
