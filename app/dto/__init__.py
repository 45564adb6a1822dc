"""Frozen data the services hand out and take in, by area: no ORM object leaves the db layer."""
