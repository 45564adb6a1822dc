"""Reading the scan field (quantity prefixes, names versus codes) and quick-cash amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.documents.formatter import Formatter
from app.domain.entry import ScanEntry, looks_like_name, parse_decimal, parse_entry
from app.services.shop import settings_from
from ui.till.payment import round_up_amounts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5012345678900", ScanEntry("5012345678900")),
        ("  G000001 ", ScanEntry("G000001")),
        ("3*5012345678900", ScanEntry("5012345678900", Decimal(3))),
        ("3x G000001", ScanEntry("G000001", Decimal(3), whole="3x G000001")),
        ("12X G000001", ScanEntry("G000001", Decimal(12), whole="12X G000001")),
        ("0.250*PLU00033", ScanEntry("PLU00033", Decimal("0.250"))),
        ("0,5*PLU00033", ScanEntry("PLU00033", Decimal("0.5"))),
        ("3*", ScanEntry("", Decimal(3))),
        ("A000007-M", ScanEntry("A000007-M")),
        ("peanut butter", ScanEntry("peanut butter")),
    ],
)
def test_parse_entry(text: str, expected: ScanEntry) -> None:
    assert parse_entry(text) == expected


@pytest.mark.parametrize(
    ("text", "is_name"),
    [
        ("rice", True),
        ("apple juice", True),
        ("Comté 2", True),
        ("ri", False),
        ("G000001", False),
        ("PLU00033", False),
        ("5012345678900", False),
        ("A000007-M", False),
        ("", False),
    ],
)
def test_looks_like_name(text: str, is_name: bool) -> None:
    assert looks_like_name(text) is is_name


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("20", Decimal(20)),
        ("12.50", Decimal("12.50")),
        ("12,5", Decimal("12.5")),
        (".5", Decimal("0.5")),
        ("", None),
        (".", None),
        ("1.2.3", None),
        ("abc", None),
    ],
)
def test_parse_decimal(text: str, value: Decimal | None) -> None:
    assert parse_decimal(text) == value


@pytest.mark.parametrize(
    ("due", "sums"),
    [
        ("13.45", ["15", "20", "50"]),
        ("4.20", ["5", "10", "20"]),
        ("85.10", ["90", "100", "200"]),
        ("20", ["50", "100", "200"]),
        ("1234", ["1300", "1400", "1500"]),
    ],
)
def test_round_up_amounts(due: str, sums: list[str]) -> None:
    assert round_up_amounts(Decimal(due)) == [Decimal(s) for s in sums]


def test_amounts_follow_the_shop_locale() -> None:
    irish = Formatter(settings_from({"shop.locale": "en_IE", "shop.currency": "EUR"}))
    german = Formatter(settings_from({"shop.locale": "de_DE", "shop.currency": "EUR"}))
    assert irish.amount(Decimal("1234.5")) == "€1,234.50"
    assert german.amount(Decimal("1234.5")) == "1.234,50\xa0€"
    assert irish.whole_amount(Decimal(20)) == "€20"
    assert german.quantity(Decimal("0.25"), sold_by_weight=True) == "0,250 kg"
