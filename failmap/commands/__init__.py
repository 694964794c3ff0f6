"""CLI command groups, one module per feature; failmap/cli.py registers them."""
