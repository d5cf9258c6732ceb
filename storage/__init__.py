"""Persistence: SQLAlchemy models, the database wiring and Alembic migrations."""
