"""What runs failmap's Dagster code location: the refresh, the warm run worker and launcher, dbt.

`orchestration/` only defines (assets, checks, sensors, resources); this package executes those
definitions. It never imports `orchestration`: it finds the code location by the module name
`workspace.yaml` gives (`code_location`), as Dagster itself does.
"""
