"""Scheduled and background work: delivery of the outbox, digests, reminders."""
