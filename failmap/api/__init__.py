"""failmap's HTTP API for the studio's other tools: `failmap api`, or `create_app()` for ASGI.

Reads the marts and writes only app.* (fixes, the alert log) through the core functions the CLI
and the dashboard use. Endpoints and rules: docs/api.md; schema at /openapi.json, docs at /docs.
"""

from failmap.api.app import create_app

__all__ = ["create_app"]
