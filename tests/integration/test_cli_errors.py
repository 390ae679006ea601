"""Every failure a user can cause ends in one or two plain lines and a non-zero exit code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main


def fails_plainly(
    capfd: pytest.CaptureFixture[str], argv: list[str], code: int, *words: str
) -> str:
    """Run the command; it must exit ``code`` with an ``error:`` line (and at most a hint)."""
    assert main(argv) == code
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    lines = [line for line in err.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 2, err
    assert lines[0].startswith("error: "), err
    for word in words:
        assert word in err, err
    return err


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def published_home(home: Path) -> Path:
    path = home / "published" / "pressroom.duckdb"
    path.parent.mkdir(parents=True)
    conn = duckdb.connect(str(path))
    conn.execute("create schema marts")
    conn.execute("create table marts.fct_releases as select 'nato:1' as release_id")
    conn.close()
    return home


def test_missing_sources_file(capfd, home: Path) -> None:
    fails_plainly(
        capfd,
        ["--home", str(home), "--sources", "/no/such.yaml", "run"],
        2,
        "/no/such.yaml",
        "does not exist",
    )


def test_sources_file_is_a_directory(capfd, home: Path, tmp_path: Path) -> None:
    fails_plainly(
        capfd, ["run", "--home", str(home), "--sources", str(tmp_path)], 2, "is a directory"
    )


def test_sources_file_is_binary(capfd, home: Path, tmp_path: Path) -> None:
    binary = tmp_path / "sources.yaml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    fails_plainly(capfd, ["run", "--home", str(home), "--sources", str(binary)], 2, "not a text")


def test_invalid_sources_file_is_reported_before_anything_starts(
    capfd, home: Path, tmp_path: Path
) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n  - name: nato\n    display_name: NATO\n    kind: rss\n"
        "    base_url: https://www.nato.int\n    colour: blue\n",
        encoding="utf-8",
    )
    err = fails_plainly(
        capfd,
        ["--sources", str(sources), "--home", str(home), "run"],
        2,
        "source 'nato', key 'feed_url'",
        "key 'colour': unknown key",
    )
    assert str(sources) in err
    assert not (home / "dagster").exists()  # Dagster never started


def test_sources_file_with_nothing_enabled(capfd, home: Path, tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources: []\n", encoding="utf-8")
    fails_plainly(
        capfd, ["--sources", str(sources), "--home", str(home), "run"], 2, "no enabled source"
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["backfill", "--start", "2023-13-01", "--end", "2023-12-31"],
        ["backfill", "--start", "2023-10-01", "--end", "yesterday"],
        ["ingest-dump", "dump.txt", "--as-of", "22/11/2023"],
        ["report", "out.html", "--as-of", "2023-02-30"],
    ],
)
def test_bad_dates_say_the_expected_form(capfd, home: Path, argv: list[str]) -> None:
    fails_plainly(capfd, ["--home", str(home), *argv], 2, "YYYY-MM-DD")


def test_end_before_start(capfd, home: Path) -> None:
    fails_plainly(
        capfd,
        ["--home", str(home), "backfill", "--start", "2023-10-31", "--end", "2023-10-01"],
        2,
        "before --start",
    )


def test_missing_dump_file(capfd, home: Path, tmp_path: Path) -> None:
    fails_plainly(
        capfd,
        ["--home", str(home), "ingest-dump", str(tmp_path / "nope.txt"), "--as-of", "2023-11-22"],
        2,
        "does not exist",
    )


def test_home_is_a_file(capfd, tmp_path: Path) -> None:
    afile = tmp_path / "file"
    afile.write_text("x", encoding="utf-8")
    fails_plainly(capfd, ["status", "--home", str(afile)], 2, "is a file")


@pytest.mark.parametrize(
    "argv", [["query", "select 1"], ["export"], ["report", "{tmp}/r.html"], ["status"]]
)
def test_commands_on_an_empty_home(capfd, home: Path, tmp_path: Path, argv: list[str]) -> None:
    argv = [part.format(tmp=tmp_path) for part in argv]
    fails_plainly(capfd, ["--home", str(home), *argv], 2, "pressroom run")


def test_bad_sql(capfd, published_home: Path) -> None:
    fails_plainly(
        capfd,
        ["--home", str(published_home), "query", "selec 1"],
        1,
        "query failed",
        "syntax error",
    )


def test_unknown_table(capfd, published_home: Path) -> None:
    fails_plainly(capfd, ["--home", str(published_home), "query", "select * from nope"], 1, "nope")


def test_empty_query(capfd, published_home: Path) -> None:
    fails_plainly(capfd, ["--home", str(published_home), "query", "  ;  "], 2, "empty")


def test_parquet_needs_an_output_file(capfd, published_home: Path) -> None:
    fails_plainly(
        capfd,
        ["--home", str(published_home), "query", "select 1", "--format", "parquet"],
        2,
        "--output",
    )


def test_unknown_format_and_command(capfd, home: Path) -> None:
    fails_plainly(
        capfd, ["--home", str(home), "query", "select 1", "--format", "xml"], 2, "invalid choice"
    )
    fails_plainly(capfd, ["--home", str(home), "frobnicate"], 2, "invalid choice")


def test_report_into_a_missing_directory(capfd, published_home: Path, tmp_path: Path) -> None:
    fails_plainly(
        capfd,
        ["--home", str(published_home), "report", str(tmp_path / "no" / "r.html")],
        2,
        "does not exist",
    )


UNREACHABLE = """\
sources:
  - name: mirror
    display_name: Mirror
    kind: rss
    base_url: http://127.0.0.1:9
    feed_url: /feed.xml
    http: {{retries: 0, connect_timeout_s: 1, deadline_s: 3}}
"""


def test_a_run_where_every_source_failed_exits_non_zero(
    capfd, home: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    sources = tmp_path / "sources.yaml"
    sources.write_text(UNREACHABLE.format(), encoding="utf-8")
    assert main(["--home", str(home), "--sources", str(sources), "run", "-q"]) == 1
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    errors = [line for line in err.splitlines() if line.strip()]
    assert errors[0].startswith("error: no source delivered anything"), err
    assert len(errors) <= 2, err
    assert not (home / "published" / "pressroom.duckdb").exists()


HOLD_LOCK = """
import sys, time, duckdb
conn = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(120)
"""


def test_a_locked_warehouse(capfd, home: Path, monkeypatch) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    home.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(home / "warehouse.duckdb")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        fails_plainly(capfd, ["--home", str(home), "run", "-q"], 1, "is locked", "published copy")
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("command", ["ui", "docs"])
def test_a_port_in_use(capfd, home: Path, command: str) -> None:
    """`pressroom ui` on a busy port failed after a minute of loading, in a stack trace."""
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        fails_plainly(
            capfd,
            ["--home", str(home), command, "--port", str(port)],
            2,
            f"127.0.0.1:{port}",
            "--port",
        )


@pytest.mark.parametrize(
    ("argv", "code", "words"),
    [
        (
            ["query", "select 1", "--format", "csv", "-o", "{tmp}/nope/rows.csv"],
            2,
            ["does not exist"],
        ),
        (["query", "select 1", "--format", "csv", "-o", "{tmp}"], 2, ["is a directory"]),
        (["query", "select 1", "--limit", "0"], 2, ["--limit", "at least 1"]),
        (["ui", "--port", "99999"], 2, ["--port", "1-65535"]),
        (
            ["query", "select 1", "--format", "csv", "-o", "/proc/rows.csv"],
            1,
            ["cannot write /proc/rows.csv"],
        ),
    ],
)
def test_bad_outputs_limits_and_ports(
    capfd, published_home: Path, tmp_path: Path, argv: list[str], code: int, words: list[str]
) -> None:
    """Each ended in a Python traceback (#12 audit: an output path in a missing directory, a
    port out of range, a file that cannot be written) or printed "0 of 1 rows" (--limit 0).
    `report` writes through the same guard."""
    argv = [arg.replace("{tmp}", str(tmp_path)) for arg in argv]
    fails_plainly(capfd, ["--home", str(published_home), *argv], code, *words)
