"""`failmap quality warnings/ack`: the open data-quality warnings, and acknowledging one."""

from __future__ import annotations

import sys

import click

from failmap.cli_support import database_url_or_exit, settings_or_exit


@click.group("quality")
def quality() -> None:
    """Data-quality warnings about delivered files: list them, acknowledge one."""


@quality.command("warnings")
@click.option("--all", "include_acknowledged", is_flag=True, help="Include acknowledged ones.")
def quality_warnings(include_acknowledged: bool) -> None:
    """List warnings (open ones by default); they never block a refresh."""
    from failmap.quality.judgements import file_warnings

    url = database_url_or_exit(settings_or_exit())
    warnings = file_warnings(url, include_acknowledged=include_acknowledged)
    if not warnings:
        click.echo("no open data-quality warnings" if not include_acknowledged else "no warnings")
        return
    for warning in warnings:
        state = (
            f"acknowledged by {warning.acknowledged_by} at {warning.acknowledged_at:%Y-%m-%d %H:%M}"
            if warning.acknowledged_at
            else "OPEN"
        )
        click.echo(
            f"file {warning.file_id}  {warning.judged_at:%Y-%m-%d %H:%M}  {warning.text}  [{state}]"
        )


@quality.command("ack")
@click.argument("file_id", type=int)
@click.option("--by", "acknowledged_by", required=True, help="Who has looked at it.")
@click.option("--note", default="", help="What was done about it (up to 2000 characters).")
def quality_ack(file_id: int, acknowledged_by: str, note: str) -> None:
    """Acknowledge the open warning about file FILE_ID (see `failmap quality warnings`)."""
    from failmap.quality.judgements import WarningNotFound, acknowledge_warning

    url = database_url_or_exit(settings_or_exit())
    try:
        warning = acknowledge_warning(url, file_id, acknowledged_by, note)
    except (ValueError, WarningNotFound) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    click.echo(f"acknowledged: {warning.text}")
