"""The ``pressroom`` command. `main` parses, validates and dispatches; each module has one job."""

from orchestration.cli.instance import ensure_dbt_manifest
from orchestration.cli.main import main

__all__ = ["ensure_dbt_manifest", "main"]
