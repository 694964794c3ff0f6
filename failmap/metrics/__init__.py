"""Prometheus metrics computed from the marts: what `failmap metrics` serves on `/metrics`.

`collector.METRICS` is the catalog of every metric name the endpoint can serve; the alert rules
in `monitoring/alert_rules.yml` and the Grafana dashboard in `monitoring/grafana_dashboard.json`
use only those names (a test checks).
"""
