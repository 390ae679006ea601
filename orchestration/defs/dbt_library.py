"""dagster-dbt, imported without loading dbt-core into the Dagster process.

dbt runs as its own process (``dbt build``); the Dagster process only reads its manifest and
the JSON events it prints. dagster-dbt still imports dbt-core when it can (for in-process
selection, adapters and version checks this project does not use): ~1 s of every
``pressroom`` command and of the code location's load on 2 cores. dagster-dbt also supports
an environment without dbt-core (dbt Fusion, or dbt in another environment), with the same
event parsing; the first import of dagster-dbt here takes that path. Every module imports
dagster-dbt's names from here. dbt-core stays importable afterwards for code that needs it.
"""

from __future__ import annotations

import importlib
import sys

_PROBE = "dbt.version"
"""What dagster-dbt imports to find dbt-core (`dagster_dbt.compat`)."""


def _import_without_dbt_core() -> None:
    """Import dagster-dbt as if dbt-core were not installed (unless either is imported)."""
    if "dagster_dbt" in sys.modules or _PROBE in sys.modules:
        return
    sys.modules[_PROBE] = None  # type: ignore[assignment]  # import fails: "not installed"
    try:
        importlib.import_module("dagster_dbt")
    finally:
        if sys.modules.get(_PROBE, False) is None:
            del sys.modules[_PROBE]


_import_without_dbt_core()

from dagster_dbt import (  # noqa: E402  (after the import above, which sets what compat saw)
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

__all__ = [
    "DagsterDbtTranslator",
    "DagsterDbtTranslatorSettings",
    "DbtCliResource",
    "DbtProject",
    "dbt_assets",
]
