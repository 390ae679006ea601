"""`pressroom report`: one self-contained HTML page about what the published warehouse holds."""

from orchestration.report.page import write_report

__all__ = ["write_report"]
