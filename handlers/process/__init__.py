"""Setting up a process, moving it through the six steps, its members, and closing it."""
