"""The cart a cashier builds: lines, quantities, overrides and discounts.

The cart is plain state the till holds in memory; pricing is recomputed from it on demand, and
the service that completes a sale recomputes it again from the catalog before writing.

What the journal must show of a sale in progress (a line removed after it was scanned, a
quantity lowered, a price changed, a discount given) is recorded here as events
(:class:`CartEvent`), with who did it (:attr:`Cart.actor`) and who approved it
(:attr:`Cart.approved_by`); the sale service journals them when the cart is next written
(its draft, a park, a void or the sale).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
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


class BelowZero(StrEnum):
    """Whether a cashier may sell a stock-tracked item the shop holds too little of."""

    ALLOW = "allow"
    MANAGER = "manager"
    """Allowed with a manager's approval, recorded in the sale and the journal."""
    REFUSE = "refuse"


@dataclass(frozen=True, slots=True)
class StockNote:
    """A line sells more of an item than was on hand when it was scanned."""

    on_hand: Decimal
    wanted: Decimal

    @property
    def left(self) -> Decimal:
        """What the shop holds, never shown below zero."""
        return max(self.on_hand, Decimal(0))


@dataclass(frozen=True, slots=True)
class CartEvent:
    """Something done to a sale in progress that the journal must show."""

    kind: str
    user_id: int | None
    approver_id: int | None
    data: Mapping[str, Any] = field(hash=False)


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
    actor: int | None = field(default=None, compare=False)
    """The user doing what is done to the cart now (the signed-in cashier)."""
    approved_by: int | None = None
    """The manager who approved on the spot what the cashier may not do alone."""
    events: list[CartEvent] = field(default_factory=list, compare=False)
    """Recorded, not yet journaled; the sale service takes them with :meth:`take_events`."""
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
                    # The new scan's item carries the fresher stock figure.
                    merged = replace(
                        line, item=item, quantity=check_quantity(line.quantity + quantity, False)
                    )
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

    def row_of(self, line_id: int) -> int:
        """The line's position, or -1."""
        for row, line in enumerate(self.lines):
            if line.line_id == line_id:
                return row
        return -1

    def set_quantity(self, line_id: int, quantity: Decimal) -> CartLine:
        line = self.line(line_id)
        new = self._replace(
            replace(line, quantity=check_quantity(quantity, line.item.sold_by_weight))
        )
        if new.quantity < line.quantity:
            self._record(
                "quantity.decreased",
                {
                    **_line_facts(line),
                    "from": _text(line.quantity),
                    "to": _text(new.quantity),
                    "amount": _money(line.unit_price.times(line.quantity - new.quantity)),
                },
            )
        return new

    def remove(self, line_id: int) -> CartLine:
        line = self.line(line_id)
        self.lines = [ln for ln in self.lines if ln.line_id != line_id]
        self._record(
            "line.removed",
            {
                **_line_facts(line),
                "quantity": _text(line.quantity),
                "amount": _money(line.unit_price.times(line.quantity)),
            },
        )
        return line

    def override_price(self, line_id: int, unit_price: Money) -> CartLine:
        if unit_price.is_negative():
            raise UserError("A price cannot be negative")
        line = self.line(line_id)
        new = self._replace(replace(line, unit_price=unit_price))
        if new.unit_price != line.unit_price:
            self._record(
                "price.overridden",
                {
                    **_line_facts(line),
                    "shelf_price": _money(line.item.unit_price),
                    "from": _money(line.unit_price),
                    "to": _money(new.unit_price),
                    "quantity": _text(line.quantity),
                },
            )
        return new

    def set_line_discount(self, line_id: int, discount: Discount | None) -> CartLine:
        line = self.line(line_id)
        new = self._replace(replace(line, discount=discount))
        self._discount_changed(line.discount, discount, _line_facts(line))
        return new

    def set_order_discount(self, discount: Discount | None) -> None:
        before, self.order_discount = self.order_discount, discount
        self._discount_changed(before, discount, {"scope": "order"})

    def clear(self) -> None:
        self.lines = []
        self.order_discount = None
        self.approved_by = None
        self._next_id = 1

    # Journal events ---------------------------------------------------------------------
    def _record(self, kind: str, data: dict[str, Any]) -> None:
        self.events.append(CartEvent(kind, self.actor, self.approved_by, data))

    def _discount_changed(
        self, before: Discount | None, after: Discount | None, facts: dict[str, Any]
    ) -> None:
        if after == before:
            return
        if after is None:
            assert before is not None
            self._record("discount.removed", {**facts, **_discount_facts(before)})
        else:
            self._record("discount.given", {**facts, **_discount_facts(after)})

    def take_events(self) -> list[CartEvent]:
        """The events recorded since the last call, for the journal."""
        taken, self.events = self.events, []
        return taken

    def give_back_events(self, events: list[CartEvent]) -> None:
        """Events whose journal write failed: kept, before any recorded since, for the next."""
        self.events = [*events, *self.events]

    # Stock ------------------------------------------------------------------------------
    def quantity_of(self, variant_id: int) -> Decimal:
        return sum(
            (ln.quantity for ln in self.lines if ln.item.variant_id == variant_id), Decimal(0)
        )

    def stock_note(self, line: CartLine) -> StockNote | None:
        """Set when the cart sells more of a tracked item than was on hand at its scan."""
        on_hand = line.item.on_hand
        if on_hand is None:
            return None
        if on_hand <= 0:
            return StockNote(on_hand, self.quantity_of(line.item.variant_id))
        wanted = self.quantity_of(line.item.variant_id)
        return StockNote(on_hand, wanted) if on_hand < wanted else None

    def short_lines(self) -> list[tuple[CartLine, StockNote]]:
        """The first line of each item the shop is short of, in cart order."""
        seen: set[int] = set()
        short = []
        for line in self.lines:
            note = self.stock_note(line)
            if note is not None and line.item.variant_id not in seen:
                seen.add(line.item.variant_id)
                short.append((line, note))
        return short

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
            "approved_by": self.approved_by,
            "lines": [
                {
                    "variant_id": ln.item.variant_id,
                    "sku": ln.item.sku,
                    "name": ln.item.name,
                    "shelf_price": str(ln.item.unit_price.amount),
                    "tax_rate": str(ln.item.tax_rate),
                    "sold_by_weight": ln.item.sold_by_weight,
                    "options": ln.item.options,
                    "on_hand": None if ln.item.on_hand is None else str(ln.item.on_hand),
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
        approved_by = data.get("approved_by")
        cart.approved_by = None if approved_by is None else int(approved_by)
        for raw in data["lines"]:
            on_hand = raw.get("on_hand")
            item = CartItem(
                variant_id=int(raw["variant_id"]),
                sku=str(raw["sku"]),
                name=str(raw["name"]),
                unit_price=Money.of(raw["shelf_price"], currency),
                tax_rate=Decimal(raw["tax_rate"]),
                sold_by_weight=bool(raw["sold_by_weight"]),
                options=str(raw.get("options", "")),
                on_hand=None if on_hand is None else Decimal(on_hand),
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


def _text(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _money(value: Money) -> str:
    return str(value.amount)


def _line_facts(line: CartLine) -> dict[str, Any]:
    return {
        "sku": line.item.sku,
        "name": line.item.name,
        "unit_price": _money(line.unit_price),
    }


def _discount_facts(discount: Discount) -> dict[str, Any]:
    return {"discount_kind": discount.kind.value, "discount": str(discount.value)}
