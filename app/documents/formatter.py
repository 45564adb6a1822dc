"""The one formatter: amounts, quantities and times in the shop's locale and time zone (Babel).

The till screens and the printed documents both use it, so a receipt and the screen always
agree on how 1 234,50 € is written.
"""

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
from app.dto.shop import ShopSettings


class Formatter:
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

    def plain(self, money: Money) -> str:
        """An amount without its currency sign, with exactly the currency's decimals, for
        receipt columns: "1,234.50"."""
        places = money.currency.minor_units
        pattern = "#,##0" + ("." + "0" * places if places else "")
        return format_decimal(money.amount, format=pattern, locale=self.locale)

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

    def local(self, moment: datetime) -> datetime:
        """A stored UTC time in the shop's time zone."""
        return moment.astimezone(self._zone)

    def time(self, moment: datetime) -> str:
        return format_datetime(moment.astimezone(self._zone), "short", locale=self.locale)
