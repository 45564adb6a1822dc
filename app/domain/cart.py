"""The cart a cashier builds: lines, quantities, overrides and discounts.

The cart is plain state the till holds in memory; pricing is recomputed from it on demand, and
the service that completes a sale recomputes it again from the catalog before writing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from app.domain.money import KG_PLACES, Currency, Money, quantize, to_decimal
from app.domain.pricing import (
    Discount,
    DiscountKind,
    LineAmounts,
    LineInput,
    Totals,
    price_line,
    total_up,
)
from app.errors import UserError

MAX_QUANTITY = Decimal(9999)


@dataclass(frozen=True, slots=True)
class CartItem:
    """A sellable variant as the catalog describes it at the moment it is scanned."""

    variant_id: int
    sku: str
    name: str
    unit_price: Money
    tax_rate: Decimal
    sold_by_weight: bool
    options: str = ""
    """Option values as "Size: M / Colour: Red", to tell same-named variants apart."""
    on_hand: Decimal | None = None
    """Stock on hand when it was looked up; None for an item whose stock is not tracked.
    Shown to the cashier, never trusted: completing the sale checks stock again."""


@dataclass(frozen=True, slots=True)
class CartLine:
    line_id: int
    item: CartItem
    quantity: Decimal
    unit_price: Money
    discount: Discount | None = None

    @property
    def price_overridden(self) -> bool:
        return self.unit_price != self.item.unit_price

    def pricing_input(self) -> LineInput:
        return LineInput(self.unit_price, self.quantity, self.item.tax_rate, self.discount)


def check_quantity(quantity: Decimal, sold_by_weight: bool) -> Decimal:
    """Validate a quantity for a line; weighed goods take up to three decimals (kg)."""
    quantity = to_decimal(quantity, "quantity")
    if quantity <= 0:
        raise UserError("Quantity must be more than zero")
    if quantity > MAX_QUANTITY:
        raise UserError(f"Quantity {quantity} is more than the till accepts ({MAX_QUANTITY})")
    places = KG_PLACES if sold_by_weight else 0
    if quantize(quantity, places, "ROUND_HALF_UP") != quantity:
        if sold_by_weight:
            raise UserError("Weights are entered in kg with at most three decimals")
        raise UserError("This item is sold by the unit: enter a whole quantity")
    return quantity


@dataclass
class Cart:
    """An in-progress sale. Mutators raise UserError for anything a cashier typed wrong."""

    currency: Currency
    prices_include_tax: bool
    lines: list[CartLine] = field(default_factory=list)
    order_discount: Discount | None = None
    _next_id: int = 1
    _priced: dict[int, tuple[CartLine, LineAmounts]] = field(
        default_factory=dict, repr=False, compare=False
    )

    # Lines ----------------------------------------------------------------------------
    def add(self, item: CartItem, quantity: Decimal = Decimal(1)) -> CartLine:
        """Add ``quantity`` of ``item``; a repeat scan of a counted item at its shelf price
        increases the existing line instead of adding a new one."""
        quantity = check_quantity(quantity, item.sold_by_weight)
        if not item.sold_by_weight:
            for index, line in enumerate(self.lines):
                if (
                    line.item.variant_id == item.variant_id
                    and not line.price_overridden
                    and line.discount is None
                    and line.item.unit_price == item.unit_price
                ):
                    merged = replace(line, quantity=check_quantity(line.quantity + quantity, False))
                    self.lines[index] = merged
                    return merged
        line = CartLine(self._next_id, item, quantity, item.unit_price)
        self._next_id += 1
        self.lines.append(line)
        return line

    def line(self, line_id: int) -> CartLine:
        for line in self.lines:
            if line.line_id == line_id:
                return line
        raise UserError(f"There is no line {line_id} in this sale")

    def _replace(self, new: CartLine) -> CartLine:
        self.lines = [new if ln.line_id == new.line_id else ln for ln in self.lines]
        return new

    def set_quantity(self, line_id: int, quantity: Decimal) -> CartLine:
        line = self.line(line_id)
        return self._replace(
            replace(line, quantity=check_quantity(quantity, line.item.sold_by_weight))
        )

    def remove(self, line_id: int) -> None:
        self.line(line_id)
        self.lines = [ln for ln in self.lines if ln.line_id != line_id]

    def override_price(self, line_id: int, unit_price: Money) -> CartLine:
        if unit_price.is_negative():
            raise UserError("A price cannot be negative")
        return self._replace(replace(self.line(line_id), unit_price=unit_price))

    def set_line_discount(self, line_id: int, discount: Discount | None) -> CartLine:
        return self._replace(replace(self.line(line_id), discount=discount))

    def set_order_discount(self, discount: Discount | None) -> None:
        self.order_discount = discount

    def clear(self) -> None:
        self.lines = []
        self.order_discount = None
        self._next_id = 1

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def needs_price_authority(self) -> bool:
        return any(ln.price_overridden for ln in self.lines)

    @property
    def needs_discount_authority(self) -> bool:
        return self.order_discount is not None or any(ln.discount for ln in self.lines)

    def totals(self) -> Totals:
        # Lines are immutable, so a line priced before is priced the same now: a scan then
        # prices only the new line, however long the cart.
        priced: list[LineAmounts] = []
        memo: dict[int, tuple[CartLine, LineAmounts]] = {}
        for line in self.lines:
            known = self._priced.get(line.line_id)
            if known is None or known[0] is not line:
                known = (line, price_line(line.pricing_input(), self.prices_include_tax))
            memo[line.line_id] = known
            priced.append(known[1])
        self._priced = memo
        return total_up(
            priced,
            self.currency,
            prices_include_tax=self.prices_include_tax,
            order_discount=self.order_discount,
        )

    # Parking: a JSON-safe snapshot ----------------------------------------------------
    def to_snapshot(self) -> dict[str, Any]:
        def discount(d: Discount | None) -> dict[str, str] | None:
            return None if d is None else {"kind": d.kind.value, "value": str(d.value)}

        return {
            "currency": self.currency.code,
            "prices_include_tax": self.prices_include_tax,
            "order_discount": discount(self.order_discount),
            "lines": [
                {
                    "variant_id": ln.item.variant_id,
                    "sku": ln.item.sku,
                    "name": ln.item.name,
                    "shelf_price": str(ln.item.unit_price.amount),
                    "tax_rate": str(ln.item.tax_rate),
                    "sold_by_weight": ln.item.sold_by_weight,
                    "options": ln.item.options,
                    "quantity": str(ln.quantity),
                    "unit_price": str(ln.unit_price.amount),
                    "discount": discount(ln.discount),
                }
                for ln in self.lines
            ],
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> Cart:
        currency = Currency.of(data["currency"])

        def discount(d: dict[str, str] | None) -> Discount | None:
            return None if d is None else Discount(DiscountKind(d["kind"]), Decimal(d["value"]))

        cart = cls(currency, bool(data["prices_include_tax"]))
        cart.order_discount = discount(data.get("order_discount"))
        for raw in data["lines"]:
            item = CartItem(
                variant_id=int(raw["variant_id"]),
                sku=str(raw["sku"]),
                name=str(raw["name"]),
                unit_price=Money.of(raw["shelf_price"], currency),
                tax_rate=Decimal(raw["tax_rate"]),
                sold_by_weight=bool(raw["sold_by_weight"]),
                options=str(raw.get("options", "")),
            )
            line = CartLine(
                cart._next_id,
                item,
                Decimal(raw["quantity"]),
                Money.of(raw["unit_price"], currency),
                discount(raw.get("discount")),
            )
            cart._next_id += 1
            cart.lines.append(line)
        return cart
