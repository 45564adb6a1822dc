"""Persistence: SQLAlchemy 2 models, engine set-up, unit of work, queries and migrations."""
