"""`failmap check`: the risk of a configuration before generating it (warns, never refuses)."""

from __future__ import annotations

import json

import click

from failmap.cli_support import database_url_or_exit, settings_or_exit


@click.command("check")
@click.option("--workflow", required=True, help="Workflow, e.g. w01.")
@click.option("--model", required=True, help="Model, e.g. m02.")
@click.option("--scene-type", required=True, help="Scene type, e.g. action.")
@click.option("--lora", default=None, help="LoRA (omit or 'none' for no LoRA).")
@click.option("--character", default=None, help="Character (omit or 'none' for no character).")
@click.option(
    "--segment-position", default=None, help="Check one segment position (7) or bucket (6+)."
)
@click.option("--segments", type=int, default=None, help="Check a whole scene of N segments.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def check(
    workflow: str,
    model: str,
    scene_type: str,
    lora: str | None,
    character: str | None,
    segment_position: str | None,
    segments: int | None,
    as_json: bool,
) -> None:
    """Predict a configuration's failure rate, with known patterns, fixes and alternatives.

    Exit code 0 whatever the severity: the check warns, it never blocks. Each check is logged
    to app.alert_log.
    """
    from failmap.alerts import ConfigurationError, PredictionUnavailable, check_configuration

    url = database_url_or_exit(settings_or_exit())
    try:
        result = check_configuration(
            url,
            workflow=workflow,
            model=model,
            scene_type=scene_type,
            lora=lora,
            character=character,
            segment_position=segment_position,
            segments=segments,
            source="cli",
        )
    except ConfigurationError as error:
        raise click.UsageError(
            "; ".join(
                f"--{field.replace('_', '-')}: {message}" for field, message in error.errors.items()
            )
        ) from None
    except PredictionUnavailable as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        click.echo(result.summary())
