"""`failmap report`: the markdown error and pattern report for the last N days."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from failmap import database
from failmap.cli_support import database_url_or_exit, settings_or_exit


@click.command("report")
@click.option(
    "--days",
    default=30,
    show_default=True,
    type=click.IntRange(min=1),
    help="Days covered, ending with --until.",
)
@click.option(
    "--until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Last day covered (UTC)  [default: today]",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of standard output.",
)
@click.option("--summary", is_flag=True, help="Include the summary.")
@click.option("--phase", is_flag=True, help="Include the phase breakdown.")
@click.option(
    "--patterns",
    is_flag=True,
    help="Include the top error patterns and the pattern engine's failure patterns.",
)
@click.option("--trends", is_flag=True, help="Include the trends by category.")
@click.option("--recommendations", is_flag=True, help="Include the recommendations.")
def report(
    days: int,
    until: dt.datetime | None,
    output: Path | None,
    summary: bool,
    phase: bool,
    patterns: bool,
    trends: bool,
    recommendations: bool,
) -> None:
    """Markdown report of run errors and failure patterns (all sections unless some are chosen)."""
    from failmap.report import ReportError, build_report, report_period

    chosen = {
        "summary": summary,
        "phase": phase,
        "patterns": patterns,
        "trends": trends,
        "recommendations": recommendations,
    }
    sections = [name for name, wanted in chosen.items() if wanted] or list(chosen)
    url = database_url_or_exit(settings_or_exit())
    period = report_period(days, until.date() if until else None)
    try:
        with database.connect(url) as conn:
            text = build_report(conn, period, sections)
    except ReportError as error:
        raise click.ClickException(str(error)) from None
    if output is None:
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    click.echo(f"report for {period.start} to {period.end} written to {output}", err=True)
