"""Unit and property tests for app.domain.pricing: discounts, line tax, totals, cash rounding."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.money import Currency, Money, quantize
from app.domain.pricing import (
    Discount,
    DiscountKind,
    LineInput,
    Totals,
    price,
    price_line,
    round_cash,
)
from app.errors import UserError

EUR = Currency.of("EUR")
KWD = Currency.of("KWD")
ZERO = Money.zero(EUR)

PROPERTY = settings(deadline=None, max_examples=200)


def eur(text: str) -> Money:
    return Money.of(text, EUR)


def line(
    unit: str, qty: str = "1", rate: str = "20", discount: Discount | None = None
) -> LineInput:
    return LineInput(eur(unit), Decimal(qty), Decimal(rate), discount)


def total_of(moneys: object) -> Money:
    return sum(moneys, ZERO)  # type: ignore[call-overload, no-any-return]


# Discount -----------------------------------------------------------------------------


def test_discount_constructors_read_text_and_numbers() -> None:
    assert Discount.percent("12.5") == Discount(DiscountKind.PERCENT, Decimal("12.5"))
    assert Discount.amount(3) == Discount(DiscountKind.AMOUNT, Decimal(3))


@pytest.mark.parametrize(
    "make",
    [
        lambda: Discount.percent("-1"),
        lambda: Discount.amount("-0.01"),
        lambda: Discount.percent("100.01"),
    ],
)
def test_discount_refuses_negative_values_and_percentages_over_100(make: object) -> None:
    with pytest.raises(UserError):
        make()  # type: ignore[operator]


def test_discount_refuses_floats() -> None:
    with pytest.raises(TypeError):
        Discount.percent(10.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Discount(DiscountKind.AMOUNT, 1.5)  # type: ignore[arg-type]


def test_a_percent_discount_rounds_down() -> None:
    assert Discount.percent(15).amount_off(eur("9.99")) == eur("1.49")  # 1.4985
    assert Discount.percent("33.33").amount_off(eur("10.00")) == eur("3.33")  # 3.333


def test_an_amount_discount_rounds_down_and_never_exceeds_the_base() -> None:
    assert Discount.amount("2.009").amount_off(eur("10.00")) == eur("2.00")
    assert Discount.amount("50").amount_off(eur("10.00")) == eur("10.00")
    assert Discount.percent(100).amount_off(eur("10.00")) == eur("10.00")


def test_a_discount_takes_nothing_off_a_zero_or_negative_base() -> None:
    assert Discount.amount(5).amount_off(ZERO) == ZERO
    assert Discount.percent(50).amount_off(eur("-4.00")) == ZERO


def test_discount_describe() -> None:
    assert Discount.percent("10.50").describe() == "-10.5 %"
    assert Discount.percent(100).describe() == "-100 %"
    assert Discount.amount("2.50").describe() == "-2.50"


# tax per line -------------------------------------------------------------------------


def line_tax(amount: Money, rate: Decimal, prices_include_tax: bool) -> tuple[Money, Money]:
    """(net, tax) of a one-unit line at ``amount``, as price_line computes it."""
    line = price_line(LineInput(amount, Decimal(1), rate), prices_include_tax)
    return line.net, line.tax


def test_tax_inclusive_prices_split_gross_into_net_and_tax() -> None:
    assert line_tax(eur("12.00"), Decimal(20), True) == (eur("10.00"), eur("2.00"))
    # 1.99 × 5.5 / 105.5 = 0.10374 -> 0.10
    assert line_tax(eur("1.99"), Decimal("5.5"), True) == (eur("1.89"), eur("0.10"))


def test_tax_exclusive_prices_add_tax_to_net() -> None:
    assert line_tax(eur("10.00"), Decimal(20), False) == (eur("10.00"), eur("2.00"))
    # 0.10 × 5.5 % = 0.0055 -> 0.01 (HALF_UP)
    assert line_tax(eur("0.10"), Decimal("5.5"), False) == (eur("0.10"), eur("0.01"))


# price: worked examples ---------------------------------------------------------------


def test_an_empty_cart_prices_to_zero() -> None:
    totals = price([], EUR, prices_include_tax=True, order_discount=Discount.percent(10))
    assert totals.lines == ()
    assert totals.subtotal == totals.discount == totals.net == totals.tax == totals.total == ZERO
    assert totals.bands == ()


def test_extended_amount_is_unit_price_times_quantity_rounded_half_up() -> None:
    totals = price([line("2.99", "0.125", "0")], EUR, prices_include_tax=True)
    # 2.99 × 0.125 = 0.37375 -> 0.37; 1.10 × 0.125 would be 0.1375 -> 0.14
    assert totals.lines[0].extended == eur("0.37")
    totals = price([line("1.10", "0.125", "0")], EUR, prices_include_tax=True)
    assert totals.lines[0].extended == eur("0.14")


def test_tax_inclusive_cart_with_line_and_order_discounts() -> None:
    totals = price(
        [
            line("10.00", "2", "20", Discount.percent(10)),  # 20.00 - 2.00 = 18.00
            line("5.00", "1", "10"),  # 5.00
            line("3.00", "1", "0", Discount.amount("1.00")),  # 3.00 - 1.00 = 2.00
        ],
        EUR,
        prices_include_tax=True,
        order_discount=Discount.amount("5.00"),
    )
    assert totals.subtotal == eur("28.00")
    assert [ln.line_discount for ln in totals.lines] == [eur("2.00"), ZERO, eur("1.00")]
    # 5.00 over 18 : 5 : 2 -> 3.60, 1.00, 0.40
    assert [ln.order_discount for ln in totals.lines] == [eur("3.60"), eur("1.00"), eur("0.40")]
    assert [ln.gross for ln in totals.lines] == [eur("14.40"), eur("4.00"), eur("1.60")]
    # 14.40 × 20/120 = 2.40; 4.00 × 10/110 = 0.3636 -> 0.36
    assert [ln.tax for ln in totals.lines] == [eur("2.40"), eur("0.36"), ZERO]
    assert totals.discount == eur("8.00")
    assert totals.total == eur("20.00")
    assert totals.tax == eur("2.76")
    assert totals.net == eur("17.24")
    assert [(b.rate, b.net, b.tax, b.gross) for b in totals.bands] == [
        (Decimal(0), eur("1.60"), ZERO, eur("1.60")),
        (Decimal(10), eur("3.64"), eur("0.36"), eur("4.00")),
        (Decimal(20), eur("12.00"), eur("2.40"), eur("14.40")),
    ]


def test_tax_exclusive_cart_adds_tax_per_line() -> None:
    totals = price(
        [line("0.99", "3", "20"), line("0.99", "3", "20")],
        EUR,
        prices_include_tax=False,
    )
    # Per line: 2.97 × 20 % = 0.594 -> 0.59; per line rounding gives 1.18, not 1.19
    assert [ln.tax for ln in totals.lines] == [eur("0.59"), eur("0.59")]
    assert totals.net == eur("5.94")
    assert totals.tax == eur("1.18")
    assert totals.total == eur("7.12")
    assert totals.subtotal - totals.discount == totals.net


def test_an_order_percent_discount_is_rounded_down_and_spread_exactly() -> None:
    totals = price(
        [line("1.00", rate="0"), line("1.00", rate="0"), line("1.00", rate="0")],
        EUR,
        prices_include_tax=True,
        order_discount=Discount.percent("33.5"),  # 1.005 -> 1.00
    )
    assert totals.discount == eur("1.00")
    assert [ln.order_discount for ln in totals.lines] == [eur("0.34"), eur("0.33"), eur("0.33")]
    assert totals.total == eur("2.00")


def test_an_order_discount_larger_than_the_cart_is_capped() -> None:
    totals = price(
        [line("4.00", rate="20", discount=Discount.amount(1)), line("2.00", rate="10")],
        EUR,
        prices_include_tax=False,
        order_discount=Discount.amount(100),
    )
    assert totals.discount == eur("6.00")
    assert totals.total == ZERO
    assert all(ln.gross == ZERO for ln in totals.lines)


def test_a_fully_discounted_line_takes_no_order_discount_share() -> None:
    totals = price(
        [line("5.00", discount=Discount.percent(100)), line("5.00")],
        EUR,
        prices_include_tax=True,
        order_discount=Discount.amount("1.00"),
    )
    assert [ln.order_discount for ln in totals.lines] == [ZERO, eur("1.00")]
    assert totals.total == eur("4.00")


# price: properties --------------------------------------------------------------------

TAX_RATES = [Decimal(0), Decimal("5.5"), Decimal(10), Decimal(20)]

unit_prices = st.integers(min_value=0, max_value=99_999).map(lambda c: Money.from_minor(c, EUR))
counted = st.integers(min_value=1, max_value=50).map(Decimal)
weighed = st.integers(min_value=1, max_value=20_000).map(lambda g: Decimal(g).scaleb(-3))
percent_discounts = st.integers(min_value=0, max_value=10_000).map(
    lambda v: Discount.percent(Decimal(v).scaleb(-2))
)
amount_discounts = st.integers(min_value=0, max_value=200_000).map(
    lambda v: Discount.amount(Decimal(v).scaleb(-2))
)
discounts = st.none() | percent_discounts | amount_discounts
lines = st.builds(
    LineInput,
    unit_price=unit_prices,
    quantity=counted | weighed,
    tax_rate=st.sampled_from(TAX_RATES),
    discount=discounts,
)


@dataclass(frozen=True)
class Priced:
    inputs: list[LineInput]
    include_tax: bool
    order_discount: Discount | None
    totals: Totals


@st.composite
def priced_carts(draw: st.DrawFn) -> Priced:
    inputs = draw(st.lists(lines, min_size=1, max_size=20))
    include_tax = draw(st.booleans())
    order_discount = draw(discounts)
    totals = price(inputs, EUR, prices_include_tax=include_tax, order_discount=order_discount)
    return Priced(inputs, include_tax, order_discount, totals)


@PROPERTY
@given(cart=priced_carts())
def test_total_is_exactly_the_sum_of_line_net_plus_line_tax(cart: Priced) -> None:
    t = cart.totals
    assert t.total == total_of(ln.net for ln in t.lines) + total_of(ln.tax for ln in t.lines)
    assert t.net == total_of(ln.net for ln in t.lines)
    assert t.tax == total_of(ln.tax for ln in t.lines)
    assert t.total == t.net + t.tax


@PROPERTY
@given(cart=priced_carts())
def test_every_line_has_net_plus_tax_equal_gross_and_nothing_negative(cart: Priced) -> None:
    for ln in cart.totals.lines:
        assert ln.net + ln.tax == ln.gross
        assert not ln.net.is_negative()
        assert not ln.gross.is_negative()
        assert not ln.tax.is_negative()
        assert ZERO <= ln.line_discount <= ln.extended


@PROPERTY
@given(cart=priced_carts())
def test_lines_follow_the_documented_rounding_rules(cart: Priced) -> None:
    for given_line, ln in zip(cart.inputs, cart.totals.lines, strict=True):
        exact = given_line.unit_price.amount * given_line.quantity
        assert ln.extended.amount == quantize(exact, 2, ROUND_HALF_UP)
        assert ln.tax_rate == given_line.tax_rate
        amount = ln.extended - ln.line_discount - ln.order_discount
        rate = given_line.tax_rate
        if cart.include_tax:
            assert ln.gross == amount
            assert ln.tax.amount == quantize(amount.amount * rate / (100 + rate), 2, ROUND_HALF_UP)
        else:
            assert ln.net == amount
            assert ln.tax.amount == quantize(amount.amount * rate / 100, 2, ROUND_HALF_UP)


@PROPERTY
@given(cart=priced_carts())
def test_order_discount_shares_sum_to_the_order_discount_applied(cart: Priced) -> None:
    t = cart.totals
    after_line = [ln.extended - ln.line_discount for ln in t.lines]
    after_line_sum = total_of(after_line)
    # Independent oracle for "rounded down, capped at what is left".
    d = cart.order_discount
    if d is None or after_line_sum.is_zero():
        expected = ZERO
    elif d.kind is DiscountKind.PERCENT:
        expected = Money(quantize(after_line_sum.amount * d.value / 100, 2, ROUND_DOWN), EUR)
    else:
        expected = min(Money(quantize(d.value, 2, ROUND_DOWN), EUR), after_line_sum)
    shares = total_of(ln.order_discount for ln in t.lines)
    assert shares == expected
    assert t.discount == total_of(ln.line_discount for ln in t.lines) + shares
    for ln, base in zip(t.lines, after_line, strict=True):
        assert ZERO <= ln.order_discount <= base


@PROPERTY
@given(cart=priced_carts())
def test_subtotal_minus_discount_is_the_total_when_prices_include_tax(cart: Priced) -> None:
    t = cart.totals
    assert t.subtotal == total_of(ln.extended for ln in t.lines)
    if cart.include_tax:
        assert t.subtotal - t.discount == t.total
    else:
        assert t.subtotal - t.discount == t.net


@PROPERTY
@given(cart=priced_carts())
def test_tax_bands_sum_to_the_totals(cart: Priced) -> None:
    t = cart.totals
    rates = [b.rate for b in t.bands]
    assert rates == sorted(set(ln.tax_rate for ln in t.lines))
    assert total_of(b.net for b in t.bands) == t.net
    assert total_of(b.tax for b in t.bands) == t.tax
    assert total_of(b.gross for b in t.bands) == t.total
    for band in t.bands:
        in_band = [ln for ln in t.lines if ln.tax_rate == band.rate]
        assert band.net == total_of(ln.net for ln in in_band)
        assert band.tax == total_of(ln.tax for ln in in_band)
        assert band.net + band.tax == band.gross


@PROPERTY
@given(cart=priced_carts())
def test_pricing_is_deterministic(cart: Priced) -> None:
    again = price(
        list(cart.inputs),
        EUR,
        prices_include_tax=cart.include_tax,
        order_discount=cart.order_discount,
    )
    assert again == cart.totals


# round_cash ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "increment", "expected"),
    [
        ("10.02", "0.05", "10.00"),
        ("10.03", "0.05", "10.05"),
        ("10.07", "0.05", "10.05"),
        ("10.08", "0.05", "10.10"),
        ("0.05", "0.10", "0.10"),
        ("0.04", "0.10", "0.00"),
        ("10.03", "0.01", "10.03"),
        ("-10.03", "0.05", "-10.05"),
    ],
)
def test_round_cash_rounds_half_up_to_the_increment(
    amount: str, increment: str, expected: str
) -> None:
    assert round_cash(eur(amount), Decimal(increment)) == eur(expected)


def test_round_cash_rounds_an_exact_half_step_up() -> None:
    # 10.025 needs a three-decimal currency to exist as an amount.
    assert round_cash(Money.of("10.025", KWD), Decimal("0.05")) == Money.of("10.05", KWD)
    assert round_cash(Money.of("10.075", KWD), Decimal("0.05")) == Money.of("10.10", KWD)


def test_round_cash_with_no_increment_leaves_the_amount_alone() -> None:
    assert round_cash(eur("10.03"), Decimal(0)) == eur("10.03")


@PROPERTY
@given(
    minor=st.integers(min_value=0, max_value=10**7),
    increment=st.sampled_from([Decimal("0.01"), Decimal("0.05"), Decimal("0.10"), Decimal(1)]),
)
def test_round_cash_lands_on_the_nearest_multiple_of_the_increment(
    minor: int, increment: Decimal
) -> None:
    amount = Money.from_minor(minor, EUR)
    rounded = round_cash(amount, increment)
    assert rounded.amount % increment == 0
    assert abs(rounded.amount - amount.amount) <= increment / 2
