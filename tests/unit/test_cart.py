"""Unit and property tests for app.domain.cart: lines, quantities, overrides and parking."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.cart import MAX_QUANTITY, Cart, CartItem, check_quantity
from app.domain.money import Currency, Money
from app.domain.pricing import Discount
from app.errors import UserError

EUR = Currency.of("EUR")

PROPERTY = settings(deadline=None, max_examples=200)


def eur(text: str) -> Money:
    return Money.of(text, EUR)


COFFEE = CartItem(1, "COF-250", "Coffee beans 250 g", eur("6.49"), Decimal(10), False)
MILK = CartItem(2, "MLK-1L", "Milk 1 l", eur("1.19"), Decimal("5.5"), False)
APPLES = CartItem(3, "APL-KG", "Apples", eur("2.99"), Decimal(10), True)
SOAP = CartItem(4, "SOAP", "Savon de Marseille", eur("3.50"), Decimal(20), False)

CATALOG = [COFFEE, MILK, APPLES, SOAP]


def new_cart(include_tax: bool = True) -> Cart:
    return Cart(EUR, include_tax)


# check_quantity -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "by_weight"),
    [
        (Decimal(1), False),
        (Decimal(9999), False),
        (Decimal("0.001"), True),
        (Decimal("1.25"), True),
        (Decimal("20.000"), True),
        ("3", False),
    ],
)
def test_check_quantity_accepts_valid_quantities(quantity: object, by_weight: bool) -> None:
    assert check_quantity(quantity, by_weight) == Decimal(str(quantity))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("quantity", "by_weight", "message"),
    [
        (Decimal(0), False, "more than zero"),
        (Decimal(-1), False, "more than zero"),
        (Decimal("-0.5"), True, "more than zero"),
        (Decimal("1.5"), False, "whole quantity"),
        (Decimal("1.2345"), True, "three decimals"),
        (Decimal("0.0001"), True, "three decimals"),
        (Decimal(10000), False, "more than the till accepts"),
    ],
)
def test_check_quantity_rejects_what_a_cashier_typed_wrong(
    quantity: Decimal, by_weight: bool, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        check_quantity(quantity, by_weight)


def test_check_quantity_refuses_floats() -> None:
    with pytest.raises(TypeError):
        check_quantity(1.0, False)  # type: ignore[arg-type]


# Adding lines -------------------------------------------------------------------------


def test_a_repeat_scan_of_a_counted_item_merges_into_one_line() -> None:
    cart = new_cart()
    first = cart.add(COFFEE)
    second = cart.add(COFFEE)
    assert len(cart.lines) == 1
    assert second.line_id == first.line_id
    assert cart.lines[0].quantity == Decimal(2)
    assert cart.totals().total == eur("12.98")


def test_different_items_get_their_own_lines_with_increasing_ids() -> None:
    cart = new_cart()
    a = cart.add(COFFEE)
    b = cart.add(MILK, Decimal(3))
    assert [ln.line_id for ln in cart.lines] == [a.line_id, b.line_id]
    assert b.line_id > a.line_id
    assert cart.line(b.line_id).quantity == Decimal(3)


def test_each_weighing_of_a_weighed_item_adds_a_separate_line() -> None:
    cart = new_cart()
    cart.add(APPLES, Decimal("0.750"))
    cart.add(APPLES, Decimal("1.200"))
    assert [ln.quantity for ln in cart.lines] == [Decimal("0.750"), Decimal("1.200")]
    # 2.99 × 0.75 = 2.2425 -> 2.24; 2.99 × 1.2 = 3.588 -> 3.59
    assert cart.totals().total == eur("5.83")


@pytest.mark.parametrize(
    ("item", "quantity"),
    [
        (COFFEE, Decimal(0)),
        (COFFEE, Decimal(-2)),
        (COFFEE, Decimal("0.5")),
        (APPLES, Decimal("1.2345")),
        (APPLES, Decimal(0)),
    ],
)
def test_adding_an_invalid_quantity_is_a_user_error_and_changes_nothing(
    item: CartItem, quantity: Decimal
) -> None:
    cart = new_cart()
    with pytest.raises(UserError):
        cart.add(item, quantity)
    assert cart.is_empty


def test_merging_cannot_push_a_line_over_the_maximum_quantity() -> None:
    cart = new_cart()
    cart.add(MILK, MAX_QUANTITY)
    with pytest.raises(UserError, match="more than the till accepts"):
        cart.add(MILK)
    assert cart.lines[0].quantity == MAX_QUANTITY


def test_a_repeat_scan_does_not_merge_into_an_overridden_or_discounted_line() -> None:
    cart = new_cart()
    overridden = cart.add(COFFEE)
    cart.override_price(overridden.line_id, eur("5.00"))
    discounted = cart.add(MILK)
    cart.set_line_discount(discounted.line_id, Discount.percent(10))
    cart.add(COFFEE)
    cart.add(MILK)
    assert [(ln.item.sku, ln.quantity) for ln in cart.lines] == [
        ("COF-250", Decimal(1)),
        ("MLK-1L", Decimal(1)),
        ("COF-250", Decimal(1)),
        ("MLK-1L", Decimal(1)),
    ]


def test_a_repeat_scan_at_a_new_shelf_price_starts_a_new_line() -> None:
    cart = new_cart()
    cart.add(COFFEE)
    repriced = CartItem(1, "COF-250", "Coffee beans 250 g", eur("6.99"), Decimal(10), False)
    cart.add(repriced)
    assert len(cart.lines) == 2
    assert cart.totals().total == eur("13.48")


# Editing lines ------------------------------------------------------------------------


def test_set_quantity_validates_against_the_item() -> None:
    cart = new_cart()
    counted = cart.add(COFFEE)
    weighed = cart.add(APPLES, Decimal("0.5"))
    assert cart.set_quantity(counted.line_id, Decimal(4)).quantity == Decimal(4)
    assert cart.set_quantity(weighed.line_id, Decimal("0.125")).quantity == Decimal("0.125")
    with pytest.raises(UserError):
        cart.set_quantity(counted.line_id, Decimal("1.5"))
    with pytest.raises(UserError):
        cart.set_quantity(weighed.line_id, Decimal("0.1255"))
    with pytest.raises(UserError):
        cart.set_quantity(counted.line_id, Decimal(0))
    assert cart.line(counted.line_id).quantity == Decimal(4)


def test_an_unknown_line_id_is_a_user_error() -> None:
    cart = new_cart()
    cart.add(COFFEE)
    with pytest.raises(UserError, match="no line 99"):
        cart.line(99)
    with pytest.raises(UserError):
        cart.set_quantity(99, Decimal(1))
    with pytest.raises(UserError):
        cart.remove(99)


def test_remove_deletes_only_that_line() -> None:
    cart = new_cart()
    a = cart.add(COFFEE)
    b = cart.add(MILK)
    cart.remove(a.line_id)
    assert [ln.line_id for ln in cart.lines] == [b.line_id]


def test_overriding_a_price_needs_price_authority() -> None:
    cart = new_cart()
    ln = cart.add(COFFEE)
    assert not cart.needs_price_authority
    updated = cart.override_price(ln.line_id, eur("5.99"))
    assert updated.price_overridden
    assert cart.needs_price_authority
    assert not cart.needs_discount_authority
    assert cart.totals().total == eur("5.99")


def test_overriding_back_to_the_shelf_price_is_not_an_override() -> None:
    cart = new_cart()
    ln = cart.add(COFFEE)
    cart.override_price(ln.line_id, eur("5.99"))
    cart.override_price(ln.line_id, eur("6.49"))
    assert not cart.needs_price_authority


def test_a_negative_price_override_is_refused() -> None:
    cart = new_cart()
    ln = cart.add(COFFEE)
    with pytest.raises(UserError, match="negative"):
        cart.override_price(ln.line_id, eur("-1.00"))
    assert not cart.needs_price_authority


def test_a_line_discount_needs_discount_authority() -> None:
    cart = new_cart()
    ln = cart.add(COFFEE)
    assert not cart.needs_discount_authority
    cart.set_line_discount(ln.line_id, Discount.amount("0.49"))
    assert cart.needs_discount_authority
    assert not cart.needs_price_authority
    assert cart.totals().total == eur("6.00")
    cart.set_line_discount(ln.line_id, None)
    assert not cart.needs_discount_authority


def test_an_order_discount_needs_discount_authority() -> None:
    cart = new_cart()
    cart.add(COFFEE)
    cart.set_order_discount(Discount.percent(10))
    assert cart.needs_discount_authority
    assert cart.totals().total == eur("5.85")  # 6.49 - 0.649 rounded down to 0.64
    cart.set_order_discount(None)
    assert not cart.needs_discount_authority


def test_clear_empties_the_cart_and_restarts_line_ids() -> None:
    cart = new_cart()
    cart.add(COFFEE)
    cart.add(MILK)
    cart.set_order_discount(Discount.percent(5))
    cart.clear()
    assert cart.is_empty
    assert cart.order_discount is None
    assert cart.add(SOAP).line_id == 1


def test_totals_follow_the_cart_tax_mode() -> None:
    inclusive = new_cart(include_tax=True)
    exclusive = new_cart(include_tax=False)
    for cart in (inclusive, exclusive):
        cart.add(SOAP, Decimal(2))
    assert inclusive.totals().total == eur("7.00")
    assert inclusive.totals().tax == eur("1.17")  # 7.00 × 20/120 = 1.1667
    assert exclusive.totals().total == eur("8.40")


# Snapshots ----------------------------------------------------------------------------


def test_a_snapshot_round_trips_through_json_with_totals_and_flags() -> None:
    cart = new_cart(include_tax=False)
    coffee = cart.add(COFFEE, Decimal(2))
    cart.add(APPLES, Decimal("0.875"))
    milk = cart.add(MILK)
    cart.override_price(coffee.line_id, eur("5.99"))
    cart.set_line_discount(milk.line_id, Discount.percent("12.5"))
    cart.set_order_discount(Discount.amount("1.50"))

    snapshot = json.loads(json.dumps(cart.to_snapshot()))
    restored = Cart.from_snapshot(snapshot)

    assert restored.currency == EUR
    assert restored.prices_include_tax is False
    assert restored.totals() == cart.totals()
    assert restored.to_snapshot() == cart.to_snapshot()
    assert restored.needs_price_authority
    assert restored.needs_discount_authority
    assert [ln.item for ln in restored.lines] == [ln.item for ln in cart.lines]


def test_a_restored_cart_keeps_merging_repeat_scans_and_numbering_lines() -> None:
    cart = new_cart()
    cart.add(COFFEE)
    cart.add(MILK)
    restored = Cart.from_snapshot(cart.to_snapshot())
    restored.add(COFFEE)
    assert restored.lines[0].quantity == Decimal(2)
    new_line = restored.add(SOAP)
    assert new_line.line_id not in {ln.line_id for ln in restored.lines[:-1]}


def test_an_empty_cart_snapshot_round_trips() -> None:
    cart = new_cart()
    restored = Cart.from_snapshot(cart.to_snapshot())
    assert restored.is_empty
    assert restored.totals() == cart.totals()


prices = st.integers(min_value=0, max_value=99_999).map(lambda c: Money.from_minor(c, EUR))
discounts = (
    st.none()
    | st.integers(min_value=0, max_value=10_000).map(
        lambda v: Discount.percent(Decimal(v).scaleb(-2))
    )
    | st.integers(min_value=0, max_value=200_000).map(
        lambda v: Discount.amount(Decimal(v).scaleb(-2))
    )
)


@st.composite
def items(draw: st.DrawFn) -> CartItem:
    # A variant is either weighed or counted, whatever its price when scanned.
    variant_id = draw(st.integers(min_value=1, max_value=6))
    return CartItem(
        variant_id=variant_id,
        sku=f"SKU-{variant_id}",
        name=draw(st.sampled_from(["Coffee", "Crème brûlée", 'Łódź "special"', ""])),
        unit_price=draw(st.sampled_from(["0.00", "0.99", "6.49"]).map(eur) | prices),
        tax_rate=draw(st.sampled_from([Decimal(0), Decimal("5.5"), Decimal(10), Decimal(20)])),
        sold_by_weight=variant_id % 3 == 0,
    )


@st.composite
def carts(draw: st.DrawFn) -> Cart:
    cart = Cart(EUR, draw(st.booleans()))
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        item = draw(items())
        if item.sold_by_weight:
            quantity = Decimal(draw(st.integers(min_value=1, max_value=20_000))).scaleb(-3)
        else:
            quantity = Decimal(draw(st.integers(min_value=1, max_value=50)))
        ln = cart.add(item, quantity)
        if draw(st.booleans()):
            cart.override_price(ln.line_id, draw(prices))
        cart.set_line_discount(ln.line_id, draw(discounts))
    if cart.lines and draw(st.booleans()):
        cart.remove(draw(st.sampled_from(cart.lines)).line_id)
    cart.set_order_discount(draw(discounts))
    return cart


@PROPERTY
@given(cart=carts())
def test_any_cart_survives_a_json_snapshot_round_trip(cart: Cart) -> None:
    snapshot = cart.to_snapshot()
    restored = Cart.from_snapshot(json.loads(json.dumps(snapshot)))
    assert restored.totals() == cart.totals()
    assert restored.to_snapshot() == snapshot
    assert restored.needs_price_authority == cart.needs_price_authority
    assert restored.needs_discount_authority == cart.needs_discount_authority
    assert [ln.quantity for ln in restored.lines] == [ln.quantity for ln in cart.lines]


# Stock on hand ------------------------------------------------------------------------

TRACKED = CartItem(5, "TEA", "Earl Grey", eur("3.20"), Decimal(10), False, on_hand=Decimal(2))
SOLD_OUT = CartItem(6, "JAM", "Jam", eur("2.10"), Decimal(10), False, on_hand=Decimal(0))


def test_a_line_is_flagged_when_the_shop_holds_less_than_it_sells() -> None:
    cart = new_cart()
    tea = cart.add(TRACKED)
    assert cart.stock_note(tea) is None
    tea = cart.add(TRACKED, Decimal(2))  # three wanted, two on hand
    note = cart.stock_note(tea)
    assert note is not None
    assert (note.on_hand, note.wanted, note.left) == (Decimal(2), Decimal(3), Decimal(2))
    assert cart.short_lines() == [(tea, note)]


def test_an_item_out_of_stock_is_flagged_at_once_and_untracked_never() -> None:
    cart = new_cart()
    jam = cart.add(SOLD_OUT)
    coffee = cart.add(COFFEE)  # on_hand None: stock not tracked
    note = cart.stock_note(jam)
    assert note is not None
    assert note.left == 0
    assert cart.stock_note(coffee) is None
    minus = CartItem(7, "OIL", "Oil", eur("5.00"), Decimal(10), False, on_hand=Decimal(-3))
    below = cart.add(minus)
    assert cart.stock_note(below).left == 0  # type: ignore[union-attr]


def test_stock_on_hand_survives_a_snapshot() -> None:
    cart = new_cart()
    cart.add(TRACKED)
    restored = Cart.from_snapshot(json.loads(json.dumps(cart.to_snapshot())))
    assert restored.lines[0].item.on_hand == Decimal(2)


# Journal events -----------------------------------------------------------------------


def test_what_the_journal_must_show_is_recorded_with_who_and_who_approved() -> None:
    cart = new_cart()
    cart.actor = 7
    coffee = cart.add(COFFEE, Decimal(3))
    milk = cart.add(MILK)
    cart.set_quantity(coffee.line_id, Decimal(5))  # an increase is not an event
    assert cart.events == []
    cart.set_quantity(coffee.line_id, Decimal(2))
    cart.approved_by = 9
    cart.override_price(milk.line_id, eur("0.99"))
    cart.set_line_discount(coffee.line_id, Discount.percent(10))
    cart.set_order_discount(Discount.amount("1.00"))
    cart.set_order_discount(None)
    cart.remove(milk.line_id)
    events = cart.take_events()
    assert [(e.kind, e.user_id, e.approver_id) for e in events] == [
        ("quantity.decreased", 7, None),
        ("price.overridden", 7, 9),
        ("discount.given", 7, 9),
        ("discount.given", 7, 9),
        ("discount.removed", 7, 9),
        ("line.removed", 7, 9),
    ]
    decreased, overridden, line_discount, order_discount, _, removed = events
    assert decreased.data == {
        "sku": "COF-250",
        "name": "Coffee beans 250 g",
        "unit_price": "6.49",
        "from": "5",
        "to": "2",
        "amount": "19.47",
    }
    assert overridden.data["shelf_price"] == "1.19"
    assert (overridden.data["from"], overridden.data["to"]) == ("1.19", "0.99")
    assert (line_discount.data["discount_kind"], line_discount.data["discount"]) == (
        "percent",
        "10",
    )
    assert order_discount.data["scope"] == "order"
    assert removed.data["amount"] == "0.99"
    assert cart.take_events() == []


def test_events_whose_write_failed_come_back_first() -> None:
    cart = new_cart()
    line = cart.add(COFFEE, Decimal(2))
    cart.set_quantity(line.line_id, Decimal(1))
    failed = cart.take_events()
    cart.remove(line.line_id)
    cart.give_back_events(failed)
    assert [e.kind for e in cart.events] == ["quantity.decreased", "line.removed"]


def test_the_approval_survives_a_snapshot_and_clear_forgets_it() -> None:
    cart = new_cart()
    cart.add(COFFEE)
    cart.approved_by = 3
    restored = Cart.from_snapshot(json.loads(json.dumps(cart.to_snapshot())))
    assert restored.approved_by == 3
    restored.clear()
    assert restored.approved_by is None
