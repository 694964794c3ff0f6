"""`failmap metrics`: a Prometheus `/metrics` endpoint computed from the marts."""

from __future__ import annotations

import click

from failmap.cli_support import database_url_or_exit, serve_until_interrupted, settings_or_exit


@click.command("metrics")
@click.option("--port", default=9464, show_default=True, help="Port of the /metrics endpoint.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind; anything but loopback exposes the counts to the network.",
)
@click.option(
    "--cache-seconds",
    default=10.0,
    show_default=True,
    help="Reuse one reading of the marts for this long across scrapes.",
)
@click.option("--once", is_flag=True, help="Print the metrics once (exposition format) and exit.")
def metrics(port: int, host: str, cache_seconds: float, once: bool) -> None:
    """Serve Prometheus metrics from the marts: patterns, errors, recoveries, freshness."""
    from prometheus_client import generate_latest

    from failmap.metrics.server import metrics_registry, start_metrics_server
    from failmap.roles import RoleUnavailable, dashboard_database_url

    # The metrics read only marts: the dashboard's read-only role is enough.
    try:
        url = dashboard_database_url(database_url_or_exit(settings_or_exit()))
    except RoleUnavailable as error:
        raise click.ClickException(str(error)) from None
    if once:
        click.echo(generate_latest(metrics_registry(url, cache_seconds=0)).decode(), nl=False)
        return
    try:
        server = start_metrics_server(url, port=port, host=host, cache_seconds=cache_seconds)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror}") from None
    click.echo(f"serving metrics on http://{host}:{port}/metrics (Ctrl-C to stop)")
    click.echo(
        "alert rules: monitoring/alert_rules.yml; dashboard: monitoring/grafana_dashboard.json"
    )
    serve_until_interrupted(server)
