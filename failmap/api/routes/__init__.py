"""One module per resource; `ROUTERS` is what the app includes."""

from failmap.api.routes import (
    check,
    error_analytics,
    fixes,
    health,
    heatmap,
    patterns,
    trends,
)

ROUTERS = (
    health.router,
    patterns.router,
    fixes.router,
    heatmap.router,
    trends.router,
    check.router,
    error_analytics.router,
)
