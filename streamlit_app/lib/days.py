"""Days as the dashboard writes them in sentences."""

from __future__ import annotations

import datetime as dt

import pandas as pd


def day_text(value: object, today: dt.date | None = None) -> str:
    """'Nov 08' in this year (UTC), 'Nov 08, 2025' in another: a year of data has two Nov 08s."""
    day = pd.Timestamp(value).date()  # type: ignore[arg-type]
    today = today or dt.datetime.now(dt.UTC).date()
    return f"{day:%b %d}" if day.year == today.year else f"{day:%b %d, %Y}"
