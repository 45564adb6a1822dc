"""A new shop's answers (app.dto.setup) and the rules they follow (app.domain.shop)."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from app.domain import shop as rules
from app.dto.setup import SetupRefused, ShopSetup

GOOD: dict[str, Any] = {
    "shop": {
        "name": "Harbour Books",
        "address": ["3 Quay Street", "Galway"],
        "tax_id": "IE9876543X",
        "country": "IE",
        "currency": "EUR",
        "timezone": "Europe/Dublin",
        "locale": "en_IE",
        "prices_include_tax": True,
        "cash_rounding": "0.05",
        "register": "T1",
    },
    "tax_class": [
        {"code": "standard", "name": "Standard", "rate": "23"},
        {"code": "reduced", "name": "Reduced", "rate": "13.5"},
    ],
    "owner": {"username": "Aoife", "name": "Aoife Byrne", "pin": "482916"},
}


def answers(**changes: Any) -> dict[str, Any]:
    """GOOD with ``table__key=value`` changes (value None removes the key)."""
    result = copy.deepcopy(GOOD)
    for path, value in changes.items():
        table, key = path.split("__")
        if value is None:
            result[table].pop(key, None)
        else:
            result[table][key] = value
    return result


def refused(raw: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(SetupRefused) as caught:
        ShopSetup.from_answers(raw)
    return {p.field: p.message for p in caught.value.problems}


def test_good_answers_make_a_set_up() -> None:
    setup = ShopSetup.from_answers(GOOD)
    assert setup.name == "Harbour Books"
    assert setup.address == ("3 Quay Street", "Galway")
    assert setup.cash_rounding == Decimal("0.05")
    assert [(t.code, t.rate) for t in setup.tax_classes] == [
        ("standard", Decimal(23)),
        ("reduced", Decimal("13.5")),
    ]
    assert setup.owner.username == "aoife"
    assert setup.settings()["shop.address"] == "3 Quay Street\nGalway"
    assert setup.settings()["shop.country"] == "IE"
    assert "482916" not in repr(setup)


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("shop__currency", "EUX", "Currency 'EUX' is not an ISO 4217 code"),
        ("shop__country", "XX", "Country 'XX' is not a two-letter ISO 3166 code"),
        ("shop__country", "EU", "Country 'EU' is not"),
        ("shop__timezone", "Europe/Galway", "Time zone 'Europe/Galway' is not known"),
        ("shop__locale", "xx_YY", "Locale 'xx_YY' is not known"),
        ("shop__cash_rounding", "0.03", "Cash rounding 0.03 is not one of"),
        ("shop__register", "T 1", "Register code"),
        ("shop__prices_include_tax", "yes", "answer true or false"),
        ("shop__name", "  ", "missing"),
        ("owner__pin", "123", "4 to 8 digits"),
        ("owner__pin", "7777", "one digit repeated"),
        ("owner__pin", "2345", "counts up or down"),
        ("owner__username", "9lives", "user name"),
    ],
)
def test_each_bad_answer_is_named(field: str, value: Any, says: str) -> None:
    problems = refused(answers(**{field: value}))
    key = field.replace("__", ".")
    assert list(problems) == [key]
    assert says in problems[key]


@pytest.mark.parametrize(
    ("rate", "says"),
    [
        ("100", "between 0 and 100"),
        ("-1", "between"),
        ("twenty", "not a number"),
        ("7.12345", "3 decimals"),
    ],
)
def test_a_tax_rate_out_of_range_is_named_with_its_row(rate: str, says: str) -> None:
    raw = answers()
    raw["tax_class"][1]["rate"] = rate
    problems = refused(raw)
    assert list(problems) == ["tax_class.2.rate"]
    assert says in problems["tax_class.2.rate"]


def test_every_bad_answer_is_named_at_once() -> None:
    problems = refused(answers(shop__currency="EUX", owner__pin="1111", shop__timezone="Mars"))
    assert set(problems) == {"shop.currency", "owner.pin", "shop.timezone"}


def test_missing_answers_are_named() -> None:
    raw = answers(shop__country=None, owner__pin=None)
    raw["tax_class"] = []
    problems = refused(raw)
    assert problems["shop.country"] == "missing"
    assert problems["owner.pin"] == "missing"
    assert "at least one" in problems["tax_class"]


def test_a_tax_code_given_twice_is_named() -> None:
    raw = answers()
    raw["tax_class"][1]["code"] = "Standard"
    assert "given twice" in refused(raw)["tax_class.2.code"]


def test_the_message_lists_each_problem_on_its_own_line() -> None:
    with pytest.raises(SetupRefused) as caught:
        ShopSetup.from_answers(answers(shop__currency="EUX", shop__locale="zz"))
    lines = caught.value.message.splitlines()
    assert lines[0] == "The shop was not created; fix these answers:"
    assert lines[1].startswith("  shop.currency: ")
    assert lines[2].startswith("  shop.locale: ")


def test_a_country_suggests_its_currency_time_zone_and_locale() -> None:
    assert rules.country_defaults("gb") == ("GBP", "Europe/London", "en_GB")
    assert rules.country_defaults("XX") == ("", "", "")
