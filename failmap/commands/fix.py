"""`failmap fix add/list`: fixes people found for failure patterns."""

from __future__ import annotations

import json
import sys

import click

from failmap.cli_support import database_url_or_exit, settings_or_exit


@click.group("fix")
def fix() -> None:
    """Fixes for failure patterns: record one, list them."""


@fix.command("add")
@click.option("--pattern", "pattern_key", required=True, help="e.g. 'model=m03|scene_type=action'")
@click.option("--description", required=True, help="What fixed it (up to 2000 characters).")
@click.option("--reported-by", required=True, help="Who found it.")
@click.option("--effectiveness", default=None, help="As reported: resolved, improved or no_effect.")
@click.option("--parameters", default=None, help="Settings as a JSON object, e.g. '{\"cfg\": 6}'.")
@click.option("--json", "as_json", is_flag=True, help="Print the recorded fix as JSON.")
def fix_add(
    pattern_key: str,
    description: str,
    reported_by: str,
    effectiveness: str | None,
    parameters: str | None,
    as_json: bool,
) -> None:
    """Record a fix for a pattern that exists or existed (exit 2 with the reasons if invalid)."""
    from failmap.fixes import FixValidationError, record_fix

    url = database_url_or_exit(settings_or_exit())
    try:
        recorded = record_fix(
            url,
            pattern_key=pattern_key,
            description=description,
            reported_by=reported_by,
            effectiveness=effectiveness,
            parameters=parameters,
        )
    except FixValidationError as error:
        options = {"pattern_key": "--pattern", "reported_by": "--reported-by"}
        for field, message in error.errors.items():
            click.echo(f"error: {options.get(field, '--' + field)}: {message}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(recorded.to_dict(), indent=2))
        return
    click.echo(f"recorded fix #{recorded.fix_id} for pattern {recorded.pattern_key}")
    if recorded.pattern_key != pattern_key.strip():
        click.echo(f"  (given as {pattern_key!r}; stored under the pattern's key)")
    if recorded.note_ids:
        click.echo(f"  compatibility notes written: {len(recorded.note_ids)}")


@fix.command("list")
@click.option("--pattern", "pattern_key", default=None, help="Only this pattern's fixes.")
@click.option("--json", "as_json", is_flag=True, help="Print the fixes as JSON.")
def fix_list(pattern_key: str | None, as_json: bool) -> None:
    """List recorded fixes, newest first."""
    from failmap.fixes import FixValidationError, list_fixes

    url = database_url_or_exit(settings_or_exit())
    try:
        fixes = list_fixes(url, pattern_key=pattern_key)
    except FixValidationError as error:
        raise click.UsageError(str(error)) from None
    if as_json:
        click.echo(json.dumps([f.to_dict() for f in fixes], indent=2))
        return
    if not fixes:
        click.echo("no fixes recorded" + (f" for {pattern_key}" if pattern_key else ""))
        return
    for recorded in fixes:
        reported = f" [{recorded.effectiveness}]" if recorded.effectiveness else ""
        click.echo(
            f"#{recorded.fix_id} {recorded.pattern_key}{reported} "
            f"by {recorded.reported_by}, {recorded.created_at:%Y-%m-%d %H:%M}"
        )
        click.echo(f"    {recorded.description}")
        if recorded.parameters:
            click.echo(f"    parameters: {json.dumps(recorded.parameters)}")
