"""Line and order pricing: discounts, tax per line, totals and cash rounding.

The rules (also in docs/money-and-tax.md):

* A line's extended amount is ``unit price × quantity`` rounded ROUND_HALF_UP to the minor unit.
* A line discount (percent or amount) is rounded down and never exceeds the line.
* An order discount is rounded down, capped at what is left, and spread over the lines in
  proportion to their discounted amounts by largest remainder, so the shares sum exactly.
* Tax is computed per line, ROUND_HALF_UP to the minor unit. When shelf prices include tax the
  line amount is gross and ``tax = gross × rate / (100 + rate)``; otherwise the line amount is net
  and ``tax = net × rate / 100``.
* The total is exactly ``Σ line net + Σ line tax``.
* Cash rounding is not a price: it happens at the tender step (see :mod:`app.domain.tender`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Protocol

from app.domain.money import Currency, Money, allocate_minor, to_decimal
from app.errors import UserError

HUNDRED = Decimal(100)


class DiscountKind(StrEnum):
    PERCENT = "percent"
    AMOUNT = "amount"


@dataclass(frozen=True, slots=True)
class Discount:
    """A percent (0–100) or a fixed amount taken off a line or the whole order."""

    kind: DiscountKind
    value: Decimal

    def __post_init__(self) -> None:
        value = to_decimal(self.value, "discount")
        if value < 0:
            raise UserError("A discount cannot be negative")
        if self.kind is DiscountKind.PERCENT and value > HUNDRED:
            raise UserError("A percent discount cannot exceed 100 %")
        object.__setattr__(self, "value", value)

    @classmethod
    def percent(cls, value: Decimal | str | int) -> Discount:
        return cls(DiscountKind.PERCENT, to_decimal(value, "discount"))

    @classmethod
    def amount(cls, value: Decimal | str | int) -> Discount:
        return cls(DiscountKind.AMOUNT, to_decimal(value, "discount"))

    def amount_off(self, base: Money) -> Money:
        """What this discount takes off ``base``: rounded down, never more than ``base``."""
        if base.is_negative() or base.is_zero():
            return Money.zero(base.currency)
        if self.kind is DiscountKind.PERCENT:
            off = base.percent(self.value, ROUND_DOWN)
        else:
            off = Money.rounded(self.value, base.currency, ROUND_DOWN)
        return min(off, base)

    def describe(self) -> str:
        return (
            f"-{self.value.normalize():f} %"
            if self.kind is DiscountKind.PERCENT
            else (f"-{self.value}")
        )


@dataclass(frozen=True, slots=True)
class LineInput:
    """What pricing needs to know about one cart line."""

    unit_price: Money
    quantity: Decimal
    tax_rate: Decimal
    discount: Discount | None = None


class _InMinorUnits(Protocol):
    @property
    def currency(self) -> Currency: ...


class MinorAsMoney:
    """Reads the instance's ``<name>_minor`` integer as Money in its ``currency``: priced lines
    and totals keep integers (pricing runs on every scan) and build Money only when read."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._field = f"{name}_minor"

    def __get__(self, instance: _InMinorUnits, owner: type | None = None) -> Money:
        return Money.from_minor(getattr(instance, self._field), instance.currency)


@dataclass(frozen=True, slots=True)
class LineAmounts:
    """The priced result of one line, in integer minor units; ``net + tax == gross`` always.

    Amounts are kept as integers because pricing runs on every scan over the whole cart; the
    Money views below are built only when someone reads them.
    """

    currency: Currency
    tax_rate: Decimal
    extended_minor: int
    line_discount_minor: int
    order_discount_minor: int
    net_minor: int
    tax_minor: int

    @property
    def gross_minor(self) -> int:
        return self.net_minor + self.tax_minor

    extended = MinorAsMoney()
    line_discount = MinorAsMoney()
    order_discount = MinorAsMoney()
    net = MinorAsMoney()
    tax = MinorAsMoney()
    gross = MinorAsMoney()


@dataclass(frozen=True, slots=True)
class TaxBand:
    """Totals for one tax rate, as printed under a receipt."""

    rate: Decimal
    net: Money
    tax: Money
    gross: Money


@dataclass(frozen=True, slots=True)
class Totals:
    """The priced cart: every line plus the sums a receipt shows."""

    currency: Currency
    lines: tuple[LineAmounts, ...]
    subtotal_minor: int
    discount_minor: int
    net_minor: int
    tax_minor: int

    @property
    def total_minor(self) -> int:
        return self.net_minor + self.tax_minor

    subtotal = MinorAsMoney()
    discount = MinorAsMoney()
    net = MinorAsMoney()
    tax = MinorAsMoney()
    total = MinorAsMoney()

    @property
    def bands(self) -> tuple[TaxBand, ...]:
        sums: dict[Decimal, list[int]] = {}
        for line in self.lines:
            band = sums.setdefault(line.tax_rate, [0, 0])
            band[0] += line.net_minor
            band[1] += line.tax_minor
        money = self.currency
        return tuple(
            TaxBand(
                rate,
                Money.from_minor(net, money),
                Money.from_minor(tax, money),
                Money.from_minor(net + tax, money),
            )
            for rate, (net, tax) in sorted(sums.items())
        )


def _half_up(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def _tax_split(amount: int, rate: Decimal, prices_include_tax: bool) -> tuple[int, int]:
    """(net, tax) of a discounted line amount in minor units, tax rounded HALF_UP."""
    if not rate:
        return amount, 0
    if prices_include_tax:
        tax = _half_up(amount * rate / (HUNDRED + rate))
        return amount - tax, tax
    return amount, _half_up(amount * rate / HUNDRED)


def price_line(line: LineInput, prices_include_tax: bool) -> LineAmounts:
    """One line priced on its own, before any order discount."""
    currency = line.unit_price.currency
    unit = line.unit_price.minor
    quantity = line.quantity
    if quantity == quantity.to_integral_value():
        extended = unit * int(quantity)
    else:
        extended = _half_up(unit * quantity)
    off = 0
    if line.discount is not None:
        off = line.discount.amount_off(Money.from_minor(extended, currency)).minor
    net, tax = _tax_split(extended - off, line.tax_rate, prices_include_tax)
    return LineAmounts(currency, line.tax_rate, extended, off, 0, net, tax)


def total_up(
    priced: Sequence[LineAmounts],
    currency: Currency,
    *,
    prices_include_tax: bool,
    order_discount: Discount | None = None,
) -> Totals:
    """Apply the order discount to lines priced by :func:`price_line` and sum them up."""
    order_off = 0
    if order_discount is not None and priced:
        after_line = [p.extended_minor - p.line_discount_minor for p in priced]
        order_off = order_discount.amount_off(Money.from_minor(sum(after_line), currency)).minor
        shares = allocate_minor(order_off, after_line)
        priced = [
            LineAmounts(
                currency,
                p.tax_rate,
                p.extended_minor,
                p.line_discount_minor,
                share,
                *_tax_split(amount - share, p.tax_rate, prices_include_tax),
            )
            for p, amount, share in zip(priced, after_line, shares, strict=True)
        ]
    subtotal = discount = net = tax = 0
    for p in priced:
        subtotal += p.extended_minor
        discount += p.line_discount_minor
        net += p.net_minor
        tax += p.tax_minor
    return Totals(currency, tuple(priced), subtotal, discount + order_off, net, tax)


def price(
    lines: Sequence[LineInput],
    currency: Currency,
    *,
    prices_include_tax: bool,
    order_discount: Discount | None = None,
) -> Totals:
    """Price a whole cart according to the rules in this module's docstring."""
    return total_up(
        [price_line(line, prices_include_tax) for line in lines],
        currency,
        prices_include_tax=prices_include_tax,
        order_discount=order_discount,
    )


def round_cash(amount: Money, increment: Decimal) -> Money:
    """Round an amount due in cash to the smallest coin in circulation (HALF_UP)."""
    if increment <= 0:
        return amount
    steps = (amount.amount / increment).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return Money.rounded(steps * increment, amount.currency)
