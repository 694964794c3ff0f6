"""Deterministic demo data with planted, machine-readable failure patterns (docs/demo-data.md)."""

from failmap.demo.spec import PLANTED
from failmap.demo.writer import DemoSummary, write_demo_data

__all__ = ["PLANTED", "DemoSummary", "write_demo_data"]
