"""Every way a person talks to Tillwright: sign-in, the till, later the back office; the CLI.

The UI talks only to the services in ``app`` (through :class:`ui.backend.TillBackend`) and
never to the database directly; every write runs off the UI thread (see :mod:`ui.tasks.runner`).
"""
