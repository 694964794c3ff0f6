"""`failmap report`: a markdown error and pattern report built from the marts."""

from failmap.report.builder import (
    SECTIONS,
    ReportError,
    ReportPeriod,
    build_report,
    report_period,
)

__all__ = ["SECTIONS", "ReportError", "ReportPeriod", "build_report", "report_period"]
