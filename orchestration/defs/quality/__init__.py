"""Quality gates wired into Dagster: GX suites (blocking) and freshness/volume (warn)."""

from orchestration.defs.quality.checks import gx_checks, warn_checks

quality_checks = [*gx_checks, *warn_checks]

__all__ = ["quality_checks"]
