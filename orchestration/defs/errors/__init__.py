"""Error analytics outside dbt: signatures of run error messages, candidate pattern export."""
