"""The Teams adapter: Bot Framework over httpx, inbound JWT validation, Adaptive Cards."""
