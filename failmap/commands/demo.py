"""`failmap demo-data`: realistic landing files with planted, documented failure patterns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from failmap.cli_support import settings_or_exit


@click.command("demo-data")
@click.option("--days", default=60, show_default=True, help="Days of data, ending yesterday.")
@click.option("--segments-per-day", default=1000, show_default=True, help="Segments per day.")
@click.option("--seed", default=1, show_default=True, help="Same seed, same bytes.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write into  [default: the inbox, FAILMAP_INBOX]",
)
@click.option(
    "--no-effects", is_flag=True, help="Same shape, nothing planted (false-discovery tests)."
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "jsonl", "parquet"]),
    default="csv",
    show_default=True,
)
@click.option(
    "--start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="First day (UTC)  [default: today minus --days]",
)
@click.option(
    "--structures",
    is_flag=True,
    help="Instead: compatibility-test results with nested values, a 100% child, a hidden "
    "regression and fragments (failmap.demo.structures; --days, --seed, --start apply).",
)
def demo_data(
    days: int,
    segments_per_day: int,
    seed: int,
    out: Path | None,
    no_effects: bool,
    file_format: str,
    start: dt.datetime | None,
    structures: bool,
) -> None:
    """Write demo quality_scores and runs files (see docs/demo-data.md for what is planted)."""
    from failmap.demo import write_demo_data

    target = out if out is not None else settings_or_exit().inbox
    target.mkdir(parents=True, exist_ok=True)
    if structures:
        _write_structures(target, days, seed, start)
        return
    try:
        summary = write_demo_data(
            target,
            days=days,
            segments_per_day=segments_per_day,
            seed=seed,
            effects=not no_effects,
            start=start.date() if start else None,
            file_format=file_format,
            progress=lambda line: click.echo(f"  {line}"),
        )
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    click.echo(
        f"wrote {len(summary.files)} files to {target}: {summary.segment_count:,} segments "
        f"({summary.quality_score_rows:,} check rows), {summary.job_count:,} runs, "
        f"{summary.start} to {summary.end}, {'no effects' if no_effects else 'effects planted'}"
    )


def _write_structures(target: Path, days: int, seed: int, start: dt.datetime | None) -> None:
    """The structures data set (issue 13): one quality_scores file, no runs."""
    from failmap.demo.structures import write_structures_data

    first = start.date() if start else dt.datetime.now(dt.UTC).date() - dt.timedelta(days=days)
    try:
        path = write_structures_data(target, days=days, seed=seed, start=first)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    click.echo(f"wrote {path} (structures data, {days} days from {first})")
