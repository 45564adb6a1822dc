"""One exception tree for the whole application.

``UserError`` carries a message fit to show a cashier; ``EnvironmentProblem`` says what to do
about the machine (disk, database, printer); anything else that escapes is a bug.
"""

from __future__ import annotations

from decimal import Decimal


class TillwrightError(Exception):
    """Root of every exception Tillwright raises on purpose."""

    @property
    def message(self) -> str:
        return str(self)


class UserError(TillwrightError):
    """Something the person at the till can fix: the message is shown as is."""


class ParseError(UserError):
    """Outside bytes (a CSV row, a scale frame, a barcode) that cannot be understood."""


class NotFound(UserError):
    """A code, id or name that matches nothing."""


class PermissionDenied(UserError):
    """The signed-in user's role does not allow this action."""


class AuthenticationFailed(UserError):
    """Wrong user name or PIN, or a locked account."""


class InsufficientStock(UserError):
    """Selling more units than the shop holds of a stock-tracked item.

    ``approvable`` is True when a manager's approval would let the sale through (the shop
    sells below zero with approval); the message then says so."""

    def __init__(self, message: str, *, approvable: bool = False) -> None:
        super().__init__(message)
        self.approvable = approvable


class StockShort(TillwrightError):
    """A stock take matched fewer rows than it had lines: raised inside the transaction, which
    then rolls back; the service names the short item from ``lines`` in a fresh read."""

    def __init__(self, lines: tuple[tuple[int, Decimal], ...]) -> None:
        super().__init__("a stock-tracked item is short")
        self.lines = lines


class SaleNotPayable(UserError):
    """The tenders do not cover the sale, or the cart is empty."""


class EnvironmentProblem(TillwrightError):
    """The machine, not the user, is at fault: the message says what to do."""


class Cancelled(TillwrightError):
    """Long work stopped because the person asked it to; what it committed so far stays."""


class JournalBroken(EnvironmentProblem):
    """The fiscal journal was tampered with, or the database behind it was replaced or lost
    entries: selling stops, and the message says what to do."""


class JournalKeyMissing(EnvironmentProblem):
    """The journal is keyed but this computer does not hold the key: new entries cannot be
    written (they would break the chain)."""


class ClockWrong(EnvironmentProblem):
    """The till's clock is off (behind its last sale, or ahead of the database's clock)."""


class DuplicateSale(TillwrightError):
    """A sale with this client-made id is already stored (a retry of the same sale)."""
