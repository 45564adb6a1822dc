"""Unit and property tests for app.domain.money: Decimal-only money, rounding, allocation."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.money import KG_PLACES, Currency, Money, allocate, quantize, to_decimal
from app.errors import ParseError

EUR = Currency.of("EUR")
USD = Currency.of("USD")
JPY = Currency.of("JPY")
KWD = Currency.of("KWD")

PROPERTY = settings(deadline=None, max_examples=200)


def eur(text: str) -> Money:
    return Money.of(text, EUR)


# Currency -----------------------------------------------------------------------------


def test_currency_of_normalises_the_code_and_knows_minor_units() -> None:
    assert Currency.of(" eur ") == Currency("EUR", 2)
    assert JPY.minor_units == 0
    assert KWD.minor_units == 3
    assert Currency.of("CHF").minor_units == 2


@pytest.mark.parametrize("code", ["", "EU", "EURO", "E1R", "€€€"])
def test_currency_of_rejects_codes_that_are_not_three_letters(code: str) -> None:
    with pytest.raises(ParseError):
        Currency.of(code)


# to_decimal ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.50", Decimal("12.50")),
        (" 1 234.5 ", Decimal("1234.5")),
        (7, Decimal(7)),
        (Decimal("0.001"), Decimal("0.001")),
        ("-3", Decimal(-3)),
    ],
)
def test_to_decimal_reads_text_ints_and_decimals(value: object, expected: Decimal) -> None:
    assert to_decimal(value) == expected


@pytest.mark.parametrize("value", [1.5, 0.0, True, None, [1]])
def test_to_decimal_refuses_floats_booleans_and_other_types(value: object) -> None:
    with pytest.raises(TypeError):
        to_decimal(value)


@pytest.mark.parametrize("value", ["abc", "", "1,50", "NaN", "Infinity", "-inf", Decimal("NaN")])
def test_to_decimal_rejects_unreadable_or_non_finite_text_naming_what(value: object) -> None:
    with pytest.raises(ParseError, match="price"):
        to_decimal(value, "price")


# quantize -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        ("0.125", 2, "0.13"),
        ("2.5", 0, "3"),
        ("3.5", 0, "4"),
        ("0.135", 2, "0.14"),
        ("-0.125", 2, "-0.13"),
        ("1.0005", 3, "1.001"),
    ],
)
def test_quantize_half_up_rounds_ties_away_from_zero_not_to_even(
    value: str, places: int, expected: str
) -> None:
    result = quantize(Decimal(value), places, ROUND_HALF_UP)
    assert result == Decimal(expected)
    assert result.as_tuple().exponent == -places


def test_quantize_honours_the_rounding_mode_it_is_given() -> None:
    assert quantize(Decimal("2.5"), 0, ROUND_HALF_EVEN) == Decimal(2)
    assert quantize(Decimal("0.129"), 2, ROUND_DOWN) == Decimal("0.12")


def test_weighed_goods_use_three_decimal_places() -> None:
    assert KG_PLACES == 3


# Construction -------------------------------------------------------------------------


def test_money_of_reads_exact_amounts_and_normalises_the_exponent() -> None:
    five = Money.of("5", EUR)
    assert five.amount == Decimal("5.00")
    assert str(five.amount) == "5.00"
    assert five == Money.of("5.00", EUR)
    assert hash(five) == hash(Money.of(Decimal("5.0"), EUR))
    assert str(five) == "5.00 EUR"


def test_money_of_refuses_more_decimals_than_the_currency_has() -> None:
    with pytest.raises(ParseError, match="more than 2 decimals"):
        Money.of("1.005", EUR)


def test_jpy_has_no_minor_units() -> None:
    yen = Money.of("1500", JPY)
    assert yen.amount == Decimal(1500)
    assert yen.minor == 1500
    with pytest.raises(ParseError):
        Money.of("1.5", JPY)


def test_three_decimal_currencies_keep_three_places() -> None:
    assert Money.of("1.005", KWD).minor == 1005


@pytest.mark.parametrize("value", [1.5, 0.0, 10.0])
def test_money_refuses_float_on_construction(value: float) -> None:
    with pytest.raises(TypeError):
        Money(value, EUR)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money.of(value, EUR)


def test_money_constructor_refuses_non_finite_and_over_precise_amounts() -> None:
    with pytest.raises(ValueError, match="NaN or infinite"):
        Money(Decimal("NaN"), EUR)
    with pytest.raises(ValueError, match="more decimals"):
        Money(Decimal("1.234"), EUR)


def test_rounded_uses_the_given_mode() -> None:
    assert Money.rounded(Decimal("1.005"), EUR) == eur("1.01")
    assert Money.rounded(Decimal("1.009"), EUR, ROUND_DOWN) == eur("1.00")


def test_zero_and_minor_units_round_trip() -> None:
    assert Money.zero(EUR).is_zero()
    assert Money.from_minor(1234, EUR) == eur("12.34")
    assert eur("-0.07").minor == -7


# Arithmetic ---------------------------------------------------------------------------


def test_addition_subtraction_and_negation() -> None:
    assert eur("1.10") + eur("2.25") == eur("3.35")
    assert eur("1.10") - eur("2.25") == eur("-1.15")
    assert -eur("1.10") == eur("-1.10")
    assert eur("-1.15").is_negative()


def test_arithmetic_refuses_floats() -> None:
    money = eur("1.00")
    with pytest.raises(TypeError):
        money + 1.5  # type: ignore[operator]
    with pytest.raises(TypeError):
        1.5 + money  # type: ignore[operator]
    with pytest.raises(TypeError):
        0.0 + money  # type: ignore[operator]
    with pytest.raises(TypeError):
        money - 0.5  # type: ignore[operator]
    with pytest.raises(TypeError):
        money.times(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        money < 2.0  # type: ignore[operator]  # noqa: B015


def test_adding_different_currencies_raises() -> None:
    with pytest.raises(ValueError, match="cannot mix EUR and USD"):
        eur("1.00") + Money.of("1.00", USD)
    with pytest.raises(ValueError, match="cannot mix"):
        eur("1.00") - Money.of("1.00", USD)
    with pytest.raises(ValueError, match="cannot mix"):
        eur("1.00") < Money.of("1.00", USD)  # noqa: B015


def test_sum_of_moneys_works_from_the_default_start() -> None:
    assert sum([eur("1.25"), eur("2.50")]) == eur("3.75")
    assert sum([eur("1.25")]) == eur("1.25")
    assert sum([eur("1.25"), eur("2.50")], Money.zero(EUR)) == eur("3.75")


def test_times_and_percent_round_as_documented() -> None:
    assert eur("0.99").times(3) == eur("2.97")
    assert eur("1.99").times(Decimal("0.375")) == eur("0.75")  # 0.74625 -> HALF_UP
    assert eur("0.10").times(Decimal("0.25")) == eur("0.03")  # 0.025 -> 0.03, not 0.02
    assert eur("9.99").percent(Decimal(15)) == eur("1.49")  # 1.4985 -> down
    assert eur("9.99").percent(Decimal(15), ROUND_HALF_UP) == eur("1.50")


def test_comparisons() -> None:
    assert eur("1.00") < eur("1.01") <= eur("1.01")
    assert eur("2.00") > eur("1.99") >= eur("1.99")
    assert max(eur("3.00"), eur("4.00")) == eur("4.00")


# Properties of Money ------------------------------------------------------------------

minor_amounts = st.integers(min_value=-(10**9), max_value=10**9)


@PROPERTY
@given(minor=minor_amounts)
def test_text_and_minor_units_round_trip(minor: int) -> None:
    money = Money.from_minor(minor, EUR)
    assert money.minor == minor
    assert Money.of(str(money.amount), EUR) == money


@PROPERTY
@given(a=minor_amounts, b=minor_amounts, c=minor_amounts)
def test_addition_is_exact_commutative_and_associative(a: int, b: int, c: int) -> None:
    x, y, z = (Money.from_minor(v, EUR) for v in (a, b, c))
    assert (x + y).minor == a + b
    assert x + y == y + x
    assert (x + y) + z == x + (y + z)
    assert x - y == x + (-y)


@PROPERTY
@given(
    minor=st.integers(min_value=0, max_value=10**9),
    percent=st.integers(min_value=0, max_value=10_000).map(lambda v: Decimal(v).scaleb(-2)),
)
def test_a_percent_of_a_non_negative_amount_never_exceeds_it(minor: int, percent: Decimal) -> None:
    money = Money.from_minor(minor, EUR)
    part = money.percent(percent)
    assert Money.zero(EUR) <= part <= money


# allocate -----------------------------------------------------------------------------


def test_allocate_splits_proportionally_by_largest_remainder() -> None:
    parts = allocate(eur("1.00"), [eur("1.00"), eur("1.00"), eur("1.00")])
    assert parts == [eur("0.34"), eur("0.33"), eur("0.33")]
    parts = allocate(eur("10.00"), [eur("30.00"), eur("10.00")])
    assert parts == [eur("7.50"), eur("2.50")]


def test_allocate_gives_everything_to_the_first_line_when_all_weights_are_zero() -> None:
    assert allocate(eur("0.05"), [Money.zero(EUR), Money.zero(EUR)]) == [
        eur("0.05"),
        Money.zero(EUR),
    ]


def test_allocate_over_no_weights_is_empty() -> None:
    assert allocate(eur("5.00"), []) == []


def test_allocate_a_negative_total_still_sums_exactly() -> None:
    parts = allocate(eur("-1.00"), [eur("1.00"), eur("1.00"), eur("1.00")])
    assert sum(parts, Money.zero(EUR)) == eur("-1.00")
    assert parts == [eur("-0.33"), eur("-0.33"), eur("-0.34")]


weight_lists = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=20)


@PROPERTY
@given(weights=weight_lists, total=st.integers(min_value=-(10**7), max_value=10**7))
def test_allocated_parts_always_sum_exactly_to_the_total(weights: list[int], total: int) -> None:
    parts = allocate(Money.from_minor(total, EUR), [Money.from_minor(w, EUR) for w in weights])
    assert len(parts) == len(weights)
    assert sum(p.minor for p in parts) == total
    assert all(p.currency == EUR for p in parts)


@PROPERTY
@given(data=st.data(), weights=weight_lists)
def test_allocated_parts_never_exceed_their_weight_when_the_total_fits(
    data: st.DataObject, weights: list[int]
) -> None:
    total = data.draw(st.integers(min_value=0, max_value=sum(weights)), label="total")
    parts = allocate(Money.from_minor(total, EUR), [Money.from_minor(w, EUR) for w in weights])
    assert sum(p.minor for p in parts) == total
    for part, weight in zip(parts, weights, strict=True):
        assert 0 <= part.minor <= weight


@PROPERTY
@given(weights=weight_lists, total=st.integers(min_value=0, max_value=10**7))
def test_allocate_is_deterministic(weights: list[int], total: int) -> None:
    moneys = [Money.from_minor(w, EUR) for w in weights]
    first = allocate(Money.from_minor(total, EUR), moneys)
    second = allocate(Money.from_minor(total, EUR), list(moneys))
    assert first == second


@PROPERTY
@given(weights=weight_lists, total=st.integers(min_value=0, max_value=10**7))
def test_each_allocated_part_is_within_one_cent_of_its_exact_share(
    weights: list[int], total: int
) -> None:
    parts = allocate(Money.from_minor(total, EUR), [Money.from_minor(w, EUR) for w in weights])
    weight_sum = sum(weights)
    if weight_sum == 0:
        return
    for part, weight in zip(parts, weights, strict=True):
        exact = Decimal(total) * weight / weight_sum
        assert abs(Decimal(part.minor) - exact) < 1
