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

from app.domain.money import Currency, Money, allocate, quantize, to_decimal
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


@dataclass(frozen=True, slots=True)
class LineAmounts:
    """The priced result of one line; ``net + tax == gross`` always."""

    extended: Money
    line_discount: Money
    order_discount: Money
    net: Money
    tax: Money
    gross: Money
    tax_rate: Decimal


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
    subtotal: Money
    discount: Money
    net: Money
    tax: Money
    total: Money
    bands: tuple[TaxBand, ...]


def line_tax(amount: Money, rate: Decimal, prices_include_tax: bool) -> tuple[Money, Money]:
    """Split a discounted line amount into (net, tax), rounding tax HALF_UP per line."""
    if prices_include_tax:
        tax = Money.rounded(amount.amount * rate / (HUNDRED + rate), amount.currency)
        return amount - tax, tax
    tax = Money.rounded(amount.amount * rate / HUNDRED, amount.currency)
    return amount, tax


def price(
    lines: Sequence[LineInput],
    currency: Currency,
    *,
    prices_include_tax: bool,
    order_discount: Discount | None = None,
) -> Totals:
    """Price a whole cart according to the rules in this module's docstring."""
    zero = Money.zero(currency)
    extended = [Money.rounded(ln.unit_price.amount * ln.quantity, currency) for ln in lines]
    line_off = [
        ln.discount.amount_off(ext) if ln.discount else zero
        for ln, ext in zip(lines, extended, strict=True)
    ]
    after_line = [ext - off for ext, off in zip(extended, line_off, strict=True)]
    after_line_sum = sum(after_line, zero)
    order_off = order_discount.amount_off(after_line_sum) if order_discount else zero
    shares = allocate(order_off, after_line) if lines else []

    priced: list[LineAmounts] = []
    for ln, ext, off, base, share in zip(
        lines, extended, line_off, after_line, shares, strict=True
    ):
        amount = base - share
        net, tax = line_tax(amount, ln.tax_rate, prices_include_tax)
        priced.append(LineAmounts(ext, off, share, net, tax, net + tax, ln.tax_rate))

    bands: dict[Decimal, tuple[Money, Money]] = {}
    for p in priced:
        net, tax = bands.get(p.tax_rate, (zero, zero))
        bands[p.tax_rate] = (net + p.net, tax + p.tax)
    net_sum = sum((p.net for p in priced), zero)
    tax_sum = sum((p.tax for p in priced), zero)
    return Totals(
        currency=currency,
        lines=tuple(priced),
        subtotal=sum(extended, zero),
        discount=sum(line_off, zero) + order_off,
        net=net_sum,
        tax=tax_sum,
        total=net_sum + tax_sum,
        bands=tuple(
            TaxBand(rate, net, tax, net + tax) for rate, (net, tax) in sorted(bands.items())
        ),
    )


def round_cash(amount: Money, increment: Decimal) -> Money:
    """Round an amount due in cash to the smallest coin in circulation (HALF_UP)."""
    if increment <= 0:
        return amount
    steps = (amount.amount / increment).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return Money.rounded(steps * increment, amount.currency)


def quantity_for_display(quantity: Decimal, sold_by_weight: bool) -> Decimal:
    """Weighed quantities keep three decimals; counted ones print as whole numbers."""
    return quantize(quantity, 3 if sold_by_weight else 0, ROUND_HALF_UP)
