"""Counts that fit a metric tile.

Six tiles share a row of the Overview; at a 1,400-pixel window a tile holds about six digits,
so "146,795" printed as "146,…". Up to 99,999 a count is shown exactly; above, rounded to
three significant figures with k or M (the exact number goes in the tile's help).
"""

from __future__ import annotations


def compact_count(count: int) -> str:
    """`70,271`, `147k`, `7.30M`: exact below 100,000, three significant figures above."""
    if abs(count) < 100_000:
        return f"{count:,}"
    if abs(count) < 999_500:
        return f"{count / 1_000:.0f}k"
    millions = count / 1_000_000
    return f"{millions:.3g}M" if abs(millions) < 1_000 else f"{millions:,.0f}M"
