"""The one formatter (app.documents.formatter), remembering what it wrote for the screen.

A till shows the same few hundred amounts, quantities and rates all day, and Babel takes
tens of microseconds for each; a scan formats a dozen of them (``main.py bench``, the till's
scan figure). Results are kept in a bounded table, forgotten all at once when it is full.
"""

from __future__ import annotations

from decimal import Decimal

from app.documents.formatter import Formatter
from app.domain.money import Money
from app.dto.shop import ShopSettings

MEMO_LIMIT = 4096


class ScreenFormatter(Formatter):
    def __init__(self, settings: ShopSettings) -> None:
        super().__init__(settings)
        self._memo: dict[tuple[object, ...], str] = {}

    def _keep(self, key: tuple[object, ...], text: str) -> str:
        if len(self._memo) >= MEMO_LIMIT:
            self._memo.clear()
        self._memo[key] = text
        return text

    def money(self, money: Money) -> str:
        key = ("money", money)
        known = self._memo.get(key)
        return known if known is not None else self._keep(key, super().money(money))

    def quantity(self, quantity: Decimal, sold_by_weight: bool) -> str:
        key = ("quantity", quantity, sold_by_weight)
        known = self._memo.get(key)
        if known is not None:
            return known
        return self._keep(key, super().quantity(quantity, sold_by_weight))

    def rate(self, rate: Decimal) -> str:
        key = ("rate", rate)
        known = self._memo.get(key)
        return known if known is not None else self._keep(key, super().rate(rate))
