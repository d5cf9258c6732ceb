"""The console adapter: the whole bot in a terminal, no chat service needed."""
