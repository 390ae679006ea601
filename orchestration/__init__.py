"""Pressroom: press releases into a DuckDB warehouse."""
