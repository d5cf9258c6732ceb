"""Wiring: settings, the CLI, the ASGI app and the platform adapters."""
