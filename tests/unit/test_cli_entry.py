"""The installed ``pressroom`` command: `command` (main, then an exit without the collector's
passes) keeps main's exit code and everything it printed."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path


def test_the_console_script_is_command() -> None:
    (script,) = [
        entry
        for entry in importlib.metadata.entry_points(group="console_scripts")
        if entry.name == "pressroom"
    ]
    assert script.value == "orchestration.cli.main:command"


def test_command_keeps_the_exit_code_and_the_output(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    failed = subprocess.run(
        [
            sys.executable,
            "-m",
            "orchestration.cli",
            "--home",
            str(tmp_path / "home"),
            "--sources",
            str(missing),
            "run",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert failed.returncode == 2, failed.stderr
    assert failed.stderr.startswith("error: ") and str(missing) in failed.stderr
    shown = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0
    assert "run" in shown.stdout


def test_command_runs_the_collector_less_often() -> None:
    probe = (
        "import gc, sys; from orchestration.cli.main import GC_THRESHOLDS, command; "
        "sys.argv = ['pressroom', '--version']; code = command(); "
        "print(gc.get_threshold() == GC_THRESHOLDS, GC_THRESHOLDS[0] > 700, "
        "gc.get_freeze_count() > 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.split()[-3:] == ["True", "True", "True"], result.stdout + result.stderr
