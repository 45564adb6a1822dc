"""Signing in: the PIN pad screen shown before any till or back-office screen."""
