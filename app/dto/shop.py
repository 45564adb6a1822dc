"""The shop's settings as every till reads them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.domain.cart import BelowZero
from app.domain.money import Currency


@dataclass(frozen=True, slots=True)
class ShopSettings:
    """Shop-wide settings every till reads at sign-in."""

    name: str
    currency: Currency
    locale: str
    timezone: str
    prices_include_tax: bool
    cash_increment: Decimal
    address: str = ""
    tax_id: str = ""
    country: str = ""
    below_zero: BelowZero = BelowZero.MANAGER
    """May a cashier sell a tracked item below zero stock (see app.domain.cart.BelowZero)."""
    confirm_quantity_above: Decimal = Decimal(99)
    """A line of more than this many (or kg) asks the cashier to confirm it."""
    cash_over_due_limit: Decimal | None = None
    """Cash handed over may exceed the cash due by this much; None: the largest banknote."""
