"""Formatting helpers of the report."""

from __future__ import annotations

from failmap.report import markdown as md


def test_code_spans_survive_tables_and_long_messages() -> None:
    assert md.code("a | b") == "`a \\| b`"
    assert md.code("use `x`") == "`` use `x` ``"
    assert md.code("  many\n lines  ") == "`many lines`"
    assert md.code("x" * 200, limit=10) == "`" + "x" * 9 + "…`"
    assert md.code("") == "(empty message)"


def test_rates_counts_and_changes() -> None:
    assert md.rate(0.0771) == "7.7%"
    assert md.rate(None) == "—"
    assert md.count(12345) == "12,345"
    assert md.change(12, 6) == "+6 (+100%)"
    assert md.change(3, 0) == "+3 (new)"
    assert md.change(2, 2) == "0"


def test_sparkline_scales_to_the_largest_value() -> None:
    assert md.sparkline([0, 4, 8]) == "▁▅█"
    assert md.sparkline([0, 0]) == "▁▁"
    assert md.sparkline([]) == ""


def test_table_aligns_numeric_columns_right() -> None:
    assert md.table(["a", "n"], [["x", "1"]], right=(1,)) == "| a | n |\n| --- | ---: |\n| x | 1 |"
