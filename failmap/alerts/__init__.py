"""Configuration checks: the risk of a configuration before it is generated (non-blocking).

    from failmap.alerts import check_configuration
    result = check_configuration(url, workflow="w01", model="m02", lora="l07",
                                 character="c12", scene_type="action", segments=8)
    result.severity, result.predicted_failure_rate, result.patterns, result.alternatives

Method, thresholds and why: docs/alerts.md. Fixes: `failmap.fixes`.
"""

from failmap.alerts.check import check_configuration
from failmap.alerts.configuration import Configuration, ConfigurationError
from failmap.alerts.prediction import CellPrediction, Predictor
from failmap.alerts.result import (
    Alternative,
    CheckResult,
    CompatibilityNote,
    KnownFix,
    MatchedPattern,
    PositionPrediction,
    ScenePrediction,
)
from failmap.alerts.store import PredictionUnavailable, load_snapshot

__all__ = [
    "Alternative",
    "CellPrediction",
    "CheckResult",
    "CompatibilityNote",
    "Configuration",
    "ConfigurationError",
    "KnownFix",
    "MatchedPattern",
    "PositionPrediction",
    "PredictionUnavailable",
    "Predictor",
    "ScenePrediction",
    "check_configuration",
    "load_snapshot",
]
