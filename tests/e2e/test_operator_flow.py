"""What an operator and an analyst do after `make run`, on the bundled sample, through the real
`pressroom` command: the quiet output, the report in headless Chromium (elements present, no
network request), SQLAlchemy reflection while a backfill publishes, the documented example
queries, the dbt docs served offline, Parquet exports."""

from __future__ import annotations

import importlib.util
import os
import re
import stat
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from tests.browser import load

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
PRESSROOM = str(Path(sys.executable).parent / "pressroom")
STAGES = (
    "✓ sources fetched:",
    "✓ partitions built:",
    "✓ models built:",
    "✓ checks:",
    "✓ published",
)


def _pressroom(home: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "DAGSTER_HOME": str(home / "dagster")}
    env.pop("PRESSROOM_SOURCES", None)
    return subprocess.run(
        [PRESSROOM, "--home", str(home), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    home = tmp_path_factory.mktemp("operator_home")
    completed = _pressroom(home, "run")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return home, completed


def test_run_prints_one_line_per_stage_and_the_summary(sample) -> None:
    home, completed = sample
    lines = completed.stderr.splitlines()
    for stage in STAGES:
        assert sum(line.startswith(stage) for line in lines) == 1, completed.stderr
    assert "rows per table:" in completed.stdout
    assert len(lines) + len(completed.stdout.splitlines()) < 60
    assert "\x1b[" not in completed.stdout + completed.stderr  # no colour codes when piped
    assert "START" not in completed.stderr and "Warning" not in completed.stderr
    log = (home / "logs" / "run.log").read_text(encoding="utf-8")
    assert "dbt build" in log  # the detail is kept, in the log


def test_published_file_is_read_only_on_disk(sample) -> None:
    home, _ = sample
    mode = stat.S_IMODE((home / "published" / "pressroom.duckdb").stat().st_mode)
    assert mode & 0o222 == 0, oct(mode)


def test_report_renders_offline_with_every_part(sample, tmp_path: Path) -> None:
    home, _ = sample
    page = tmp_path / "report.html"
    completed = _pressroom(home, "report", str(page), "--as-of", "2023-11-20")
    assert completed.returncode == 0, completed.stderr
    html = page.read_text(encoding="utf-8")
    assert "<script src" not in html and "<link" not in html
    loaded = load(page.as_uri(), tmp_path / "browser", screenshot=tmp_path / "report.png")
    assert loaded.requests == []
    dom = loaded.dom
    assert '<body data-rendered="yes"' in dom
    for chart in ("weekly", "map", "people", "network"):
        tag = re.search(rf'<div class="chart[^>]*id="chart-{chart}"[^>]*>', dom)
        assert tag is not None and 'data-rendered="yes"' in tag.group(0), chart
    assert dom.count('class="marks"') == 4  # four SVG charts drawn
    for section in ("weekly", "map", "people", "upcoming", "network", "quality"):
        assert f'<section id="{section}">' in dom
    assert "Jens Stoltenberg" in dom
    assert "2023-11-20 13:00:00" in dom  # the first timed event on or after the as-of day
    assert "missing_title" in dom and "SUCCESS" in dom  # rejected items and the last runs
    assert (tmp_path / "report.png").stat().st_size > 20_000


def _bi_examples():
    spec = importlib.util.spec_from_file_location(
        "bi_examples", REPO / "scripts" / "bi_examples.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_documented_example_queries_give_the_documented_output(sample) -> None:
    home, _ = sample
    module = _bi_examples()
    examples = module.examples((REPO / "docs" / "bi.md").read_text(encoding="utf-8"))
    assert len(examples) >= 6
    conn = duckdb.connect(str(home / "published" / "pressroom.duckdb"), read_only=True)
    try:
        for sql, committed in examples:
            actual = module.render(conn, sql)
            assert actual.count("\n") > 1, f"no rows on the sample:\n{sql}"
            assert actual == committed, (
                "docs/bi.md is out of date: run scripts/bi_examples.py (see its docstring)\n" + sql
            )
    finally:
        conn.close()


REFLECT = """
import os, sys, sqlalchemy as sa
path, stop = sys.argv[1], sys.argv[2]
done, failed, files = 0, [], set()
while not os.path.exists(stop) or done < 2:
    try:
        files.add(os.stat(path).st_ino)
        engine = sa.create_engine("duckdb:///" + path, connect_args={"read_only": True})
        metadata = sa.MetaData()
        metadata.reflect(engine, schema="marts")
        assert len(metadata.tables["marts.fct_events"].columns) >= 10
        with engine.connect() as conn:
            conn.execute(sa.text("select count(*) from marts.fct_releases")).scalar()
        engine.dispose()
        done += 1
    except Exception as error:
        failed.append(repr(error)[:300])
print(done, len(failed), len(files), failed[:3])
"""


def test_sqlalchemy_reflection_keeps_working_while_a_backfill_publishes(
    sample, tmp_path: Path
) -> None:
    home, _ = sample
    published = home / "published" / "pressroom.duckdb"
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-W", "ignore", "-c", REFLECT, str(published), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        backfill = _pressroom(
            home, "-q", "backfill", "--start", "2023-11-28", "--end", "2023-11-29"
        )
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=120)
    assert backfill.returncode == 0, backfill.stderr
    assert backfill.stderr.strip() == "", backfill.stderr  # -q: no stage lines
    assert "rows per table:" in backfill.stdout
    done, failed, files = out.split(maxsplit=3)[:3]
    assert int(failed) == 0, out + err
    # reflected the old and the new copy (the backfill's own lines say whether it published)
    assert int(done) >= 2 and int(files) == 2, out + backfill.stdout


def test_dbt_docs_are_built_and_served_offline(sample, tmp_path: Path) -> None:
    from orchestration.cli.dbt_docs import docs_server

    home, _ = sample
    completed = _pressroom(home, "docs", "--no-serve")
    assert completed.returncode == 0, completed.stderr
    page = Path(completed.stdout.strip())
    assert page.name == "index.html" and page.is_file()
    server = docs_server(page.parent, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        origin = f"http://127.0.0.1:{server.server_address[1]}"
        loaded = load(f"{origin}/index.html", tmp_path / "browser", window="1200,900")
    finally:
        server.shutdown()
        server.server_close()
    assert [url for url in loaded.requests if not url.startswith(origin)] == []
    assert "fct_releases" in loaded.dom and "pressroom" in loaded.dom


def test_export_writes_parquet_per_mart(sample) -> None:
    home, _ = sample
    completed = _pressroom(home, "export")
    assert completed.returncode == 0, completed.stderr
    names = {Path(line).name for line in completed.stdout.split()}
    assert {"fct_releases.parquet", "fct_events.parquet", "dim_people.parquet"} <= names
    count = duckdb.sql(f"select count(*) from '{home}/exports/fct_releases.parquet'").fetchone()
    assert count[0] == 70
