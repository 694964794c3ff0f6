"""The configuration check, from the core: `failmap.alerts.check_configuration`.

The page only shows what the core returns (severity, predicted rate and interval, matching
patterns with their fixes, alternatives); the result is turned into plain dicts so the page does
not depend on whether the core returns dataclasses or pydantic models.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
from typing import Any


class CheckUnavailable(RuntimeError):
    """failmap.alerts is not part of this installation yet."""


def _plain(value: Any) -> Any:
    """Dataclasses, pydantic models, mappings and sequences as plain dicts and lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump"):
        return _plain(value.model_dump())
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def check_configuration(
    configuration: dict[str, str | None], segments: int | None, database_url: str
) -> dict[str, Any]:
    """Run the core's check for one configuration and return its result as plain data."""
    try:
        alerts = importlib.import_module("failmap.alerts")
    except ModuleNotFoundError as error:
        raise CheckUnavailable("failmap.alerts") from error
    function = alerts.check_configuration
    parameters = inspect.signature(function).parameters
    arguments: dict[str, Any] = {**configuration, "segments": segments}
    # Optional arguments the core may take: where to read, and who asked (for app.alert_log).
    for name, value in (
        ("database_url", database_url),
        ("url", database_url),
        ("source", "dashboard"),
    ):
        if name in parameters:
            arguments[name] = value
    return _plain(function(**arguments))


def is_available() -> bool:
    """Whether the core's check exists in this installation."""
    try:
        importlib.import_module("failmap.alerts")
    except ModuleNotFoundError:
        return False
    return True
