"""Serve the marts' metrics on a loopback `/metrics` endpoint until interrupted."""

from __future__ import annotations

from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, start_http_server

from failmap.metrics.collector import MartsCollector

DEFAULT_PORT = 9464  # the port Prometheus' exporter registry lists for OpenTelemetry-style apps


def metrics_registry(url: str, cache_seconds: float = 10.0) -> CollectorRegistry:
    """A registry holding only failmap's collector (no process or Python metrics)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(MartsCollector(url, cache_seconds=cache_seconds))
    return registry


def start_metrics_server(
    url: str, *, port: int = DEFAULT_PORT, host: str = "127.0.0.1", cache_seconds: float = 10.0
) -> WSGIServer:
    """Start serving `/metrics` in a background thread; `.shutdown()` stops it."""
    server, _thread = start_http_server(
        port, addr=host, registry=metrics_registry(url, cache_seconds)
    )
    return server
