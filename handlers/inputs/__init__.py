"""Input from colleagues: requests and reminders, giving it, fair anonymity, and what became of it."""
