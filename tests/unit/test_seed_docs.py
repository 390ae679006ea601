"""Every dbt seed has a description (dbt docs, and the seed assets in the Dagster UI)."""

from __future__ import annotations

from pathlib import Path

import yaml

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"


def test_every_seed_and_its_columns_are_described() -> None:
    described = {
        seed["name"]: seed
        for seed in yaml.safe_load((SEEDS / "_seeds.yml").read_text(encoding="utf-8"))["seeds"]
    }
    missing = []
    for csv in sorted(SEEDS.glob("*.csv")):
        seed = described.get(csv.stem)
        if seed is None or not seed.get("description", "").strip():
            missing.append(csv.stem)
            continue
        header = csv.read_text(encoding="utf-8").splitlines()[0].split(",")
        columns = {
            column["name"]: column.get("description", "") for column in seed.get("columns", [])
        }
        missing += [f"{csv.stem}.{name}" for name in header if not columns.get(name)]
    assert missing == [], "describe in dbt_project/seeds/_seeds.yml: " + ", ".join(missing)
