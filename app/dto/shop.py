"""The shop's settings as every till reads them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

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
