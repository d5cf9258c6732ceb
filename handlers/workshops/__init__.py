"""Workshops: planning them, and the summary afterwards with its requests for input."""
