"""Protocols the outside world implements for the services, by kind."""
