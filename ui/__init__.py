"""Tillwright's Qt user interface: sign-in screen, till screen and payment.

The UI talks only to the services in ``app`` (through :class:`ui.backend.TillBackend`) and
never to the database directly; every write runs off the UI thread (see :mod:`ui.tasks`).
"""
