"""What the scan field reads: quantity prefixes and what is wrong with a bad one; discounts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.entry import BadQuantity, ScanEntry, parse_discount, parse_entry
from app.domain.pricing import Discount
from app.errors import UserError


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-1*5012345678900", "returns are not possible"),
        ("-2x5012345678900", "returns are not possible"),
        ("0*G000001", "0 sells nothing"),
        ("abc*G000001", "“abc” is not a quantity"),
        ("99999*G000001", "99999 is more than the till takes on one line"),
        ("1.2345*PLU00033", "too many decimals"),
        ("*G000001", "Type the quantity before the *"),
    ],
)
def test_a_bad_quantity_says_what_is_wrong_with_it(text: str, message: str) -> None:
    with pytest.raises(BadQuantity, match=message):
        parse_entry(text)


def test_an_x_after_digits_that_may_be_part_of_a_code_keeps_the_whole_text() -> None:
    assert parse_entry("2x4-PLANK") == ScanEntry("4-PLANK", Decimal(2), whole="2x4-PLANK")
    assert parse_entry("3*4-PLANK") == ScanEntry("4-PLANK", Decimal(3))
    assert parse_entry("BOX2x4") == ScanEntry("BOX2x4")


@pytest.mark.parametrize(
    ("text", "discount"),
    [
        ("10%", Discount.percent(10)),
        (" 12.5 % ", Discount.percent("12.5")),
        ("2.50", Discount.amount("2.50")),
        ("2,5", Discount.amount("2.5")),
        ("0", None),
        ("0%", None),
    ],
)
def test_a_discount_is_a_percent_with_percent_sign_else_an_amount(
    text: str, discount: Discount | None
) -> None:
    assert parse_discount(text) == discount


@pytest.mark.parametrize(("text", "message"), [("abc", "not a discount"), ("120%", "100")])
def test_a_bad_discount_is_named(text: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        parse_discount(text)
