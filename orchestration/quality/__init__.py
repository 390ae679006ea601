"""Contract-level data quality (Great Expectations suites) as plain Python: no Dagster here.

``gx_runner`` validates a pandas frame against a committed suite; ``frames`` builds the frame
each suite expects from a DuckDB connection (computed columns included); ``signals`` holds the
freshness and volume rules that only warn.
"""
