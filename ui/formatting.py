"""Amounts, quantities and times in the shop's currency, locale and time zone (Babel)."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_currency, format_decimal

from app.domain.money import Money
from app.domain.pricing import Discount, DiscountKind
from app.services.dto import ShopSettings


class Formats:
    """Formatting bound to one shop's settings; made once per signed-in session."""

    def __init__(self, settings: ShopSettings) -> None:
        self.settings = settings
        self.locale = settings.locale
        self._zone = ZoneInfo(settings.timezone)

    def money(self, money: Money) -> str:
        return format_currency(money.amount, money.currency.code, locale=self.locale)

    def amount(self, value: Decimal) -> str:
        """A bare amount in the shop's currency (a discount value, a quick-cash note)."""
        return format_currency(value, self.settings.currency.code, locale=self.locale)

    def whole_amount(self, value: Decimal) -> str:
        """A round sum without decimals, for banknote buttons: "€20", "20 €"."""
        pattern = Locale.parse(self.locale).currency_formats["standard"].pattern
        whole = re.sub(r"\.0+", "", pattern.split(";")[0])
        return format_currency(
            value,
            self.settings.currency.code,
            format=whole,
            locale=self.locale,
            currency_digits=False,
        )

    def quantity(self, quantity: Decimal, sold_by_weight: bool) -> str:
        if sold_by_weight:
            return format_decimal(quantity, format="0.000", locale=self.locale) + " kg"
        return format_decimal(quantity, format="#,##0", locale=self.locale)

    def rate(self, rate: Decimal) -> str:
        return format_decimal(rate, format="0.##", locale=self.locale) + " %"

    def discount(self, discount: Discount) -> str:
        if discount.kind is DiscountKind.PERCENT:
            return "−" + self.rate(discount.value)
        return "−" + self.amount(discount.value)

    def time(self, moment: datetime) -> str:
        return format_datetime(moment.astimezone(self._zone), "short", locale=self.locale)
