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

# Fixes before patterns: `/api/failure-patterns/{pattern_key:path}` (one pattern) would also
# match `.../fixes`; routes match in the order they are included.
ROUTERS = (
    health.router,
    fixes.router,
    patterns.router,
    heatmap.router,
    trends.router,
    check.router,
    error_analytics.router,
)
