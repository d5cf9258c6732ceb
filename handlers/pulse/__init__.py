"""The pulse: whether people feel up to date, asked at each step change, and its results."""
