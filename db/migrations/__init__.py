"""Alembic migrations for the Tillwright schema."""
