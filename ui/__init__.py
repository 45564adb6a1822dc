"""Tillwright's Qt user interface: sign-in, the till, and (to come) the back office and settings; the command line in ui.cli.

The UI talks only to the services in ``app`` (through :class:`ui.backend.TillBackend`) and
never to the database directly; every write runs off the UI thread (see :mod:`ui.tasks.runner`).
"""
