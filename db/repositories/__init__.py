"""Repositories by aggregate: translate between the app's DTOs and the tables, in one Session.

Writes on the sale path run the hand-written statements of :mod:`db.sql` on the driver's
cursor (one executemany per table); a repository never commits or rolls back: the unit of
work owns the transaction.
"""
