"""Tillwright's shop logic: pure Python, no I/O libraries (see docs/architecture.md)."""
