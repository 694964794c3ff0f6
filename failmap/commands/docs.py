"""`failmap docs`: build the dbt docs and the Great Expectations Data Docs, serve them locally."""

from __future__ import annotations

import click

from failmap.cli_support import database_url_or_exit, serve_until_interrupted, settings_or_exit

SHOWN_UNDOCUMENTED = 10


@click.command("docs")
@click.option("--port", default=8080, show_default=True, help="Port of the docs server.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--no-serve", is_flag=True, help="Build both sites, print where they are, exit.")
def docs(port: int, host: str, no_serve: bool) -> None:
    """Build dbt docs (models, columns, lineage) and GX Data Docs, and serve them on loopback."""
    from failmap.docs import generate_dbt_docs, serve_docs, write_index
    from failmap.quality.validation import update_data_docs

    settings = settings_or_exit()
    url = database_url_or_exit(settings)
    site = settings.home / "docs"
    click.echo("building dbt docs (models, columns, lineage, catalog) ...")
    try:
        missing = generate_dbt_docs(url, site / "dbt")
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None
    click.echo("building Great Expectations Data Docs ...")
    # Renders what no refresh rendered yet (a run that stopped before its docs update) and the
    # index; pages already rendered stay as they are.
    gx_index = update_data_docs(url).index
    write_index(site, missing)
    if missing:
        click.echo(f"{len(missing)} models or columns have no description:")
        for item in missing[:SHOWN_UNDOCUMENTED]:
            click.echo(f"  {item}")
        if len(missing) > SHOWN_UNDOCUMENTED:
            click.echo(f"  ... and {len(missing) - SHOWN_UNDOCUMENTED} more (see the index page)")
    if no_serve:
        click.echo(f"dbt docs:   {site / 'dbt' / 'index.html'}")
        click.echo(f"Data Docs:  {gx_index}")
        return
    try:
        server = serve_docs(site, site / "dbt", gx_index.parent, port=port, host=host)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror}") from None
    base = f"http://{host}:{port}"
    click.echo(f"docs:       {base}/")
    click.echo(f"dbt docs:   {base}/dbt/")
    click.echo(f"Data Docs:  {base}/gx/")
    click.echo("press Ctrl-C to stop")
    serve_until_interrupted(server)
