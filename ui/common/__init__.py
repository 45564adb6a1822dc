"""Widgets, dialogs, messages and translation shared by every screen."""
