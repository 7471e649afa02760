"""Polygon.io REST API clients and parsers."""
