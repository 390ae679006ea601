"""Docs match the code: the contract page names every mart column, and no tracked file points
at a document outside the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
OUTSIDE = re.compile(r"(DESIGN|FEASIBILITY|RELIABILITY|SOURCES|STYLE)\.md|/work/|\.\./shared")
READS_SHARED = {"tests/conftest.py", "tests/e2e/test_main_job.py"}  # test fixtures, not docs


def _tracked(*patterns: str) -> list[Path]:
    names = subprocess.run(
        ["git", "ls-files", *patterns], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    return [REPO / name for name in names if (REPO / name).is_file()]


def test_contract_names_every_mart_table_and_column() -> None:
    contract = (REPO / "docs" / "contract.md").read_text(encoding="utf-8")
    marts = yaml.safe_load(
        (REPO / "dbt_project" / "models" / "marts" / "_marts.yml").read_text(encoding="utf-8")
    )
    missing = []
    for model in marts["models"]:
        row = next(
            (line for line in contract.splitlines() if line.startswith(f"| `{model['name']}` |")),
            None,
        )
        if row is None:
            missing.append(model["name"])
            continue
        missing += [
            f"{model['name']}.{column['name']}"
            for column in model.get("columns", [])
            if f"`{column['name']}`" not in row
        ]
    assert missing == [], "docs/contract.md lacks: " + ", ".join(missing)


def test_nothing_points_outside_the_repository() -> None:
    offenders = []
    for path in _tracked("*.md", "*.py", "*.sql", "*.yml", "*.yaml", "Makefile", ".ci/run"):
        relative = path.relative_to(REPO).as_posix()
        if relative in READS_SHARED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if OUTSIDE.search(line) and relative != "tests/unit/test_docs.py":
                offenders.append(f"{relative}:{number}: {line.strip()[:80]}")
    assert offenders == []


def test_relative_links_in_docs_resolve() -> None:
    broken = []
    for path in _tracked("*.md"):
        for target in re.findall(r"\]\(([^)#\s]+)", path.read_text(encoding="utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (path.parent / target).exists():
                broken.append(f"{path.relative_to(REPO)} -> {target}")
    assert broken == []
