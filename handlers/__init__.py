"""Use cases, platform-neutral. Adapters call these and render what they return."""
