"""Test doubles for the chat platforms: fake servers on ephemeral ports and signed payloads."""
