"""The till's rules where they live, in the sale and auth services, on real databases: one call
per Enter, stock below zero by the shop's setting, the draft of the sale in progress, voids,
approvals by PIN alone and their throttle, and the journal entries all of these leave."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from app.domain.money import Money
from app.domain.pricing import Discount
from app.domain.tender import Payment
from app.domain.users import Permission
from app.dto.sales import (
    Added,
    ConfirmQuantity,
    EntryRefused,
    ItemWanted,
    SearchWanted,
    WeightWanted,
)
from app.errors import AuthenticationFailed, InsufficientStock, PermissionDenied, UserError
from app.services.sale_records import draft_of
from tests.conftest import user_id
from tests.integration.helpers import cash_sale, packaged

# What the shop's set-up journals before anyone sells (its owner, users, settings, prices).
SET_UP = {"user.added", "settings.changed", "tax_class.saved", "register.added", "price.changed"}


def journal(shop: Any) -> list[dict[str, Any]]:
    """The journal entries the tests' sales made, after the set-up's own."""
    with shop.uow_factory() as uow:
        entries = [json.loads(record.body) for record in uow.journal.records()]
    return [entry for entry in entries if entry["kind"] not in SET_UP]


def set_stock(shop: Any, variant_id: int, quantity: int) -> None:
    with shop.engines.write.begin() as connection:
        connection.execute(
            text("UPDATE stock_balance SET quantity = :q WHERE variant_id = :v"),
            {"q": quantity * 1000, "v": variant_id},  # QUANTITY is stored scaled by 10^3
        )


class CountingReader:
    """The real catalog reader, counting lookups."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self.lookups = 0

    def item_by_code(self, code: str) -> Any:
        self.lookups += 1
        return self._reader.item_by_code(code)

    def search(self, terms: Any, limit: int) -> Any:
        return self._reader.search(terms, limit)


def counted(shop: Any) -> tuple[Any, CountingReader]:
    from app.services.sales import SaleService

    reader = CountingReader(shop.reader)
    return SaleService(shop.uow_factory, reader, shop.clock, shop.shop.settings()), reader


# One call per Enter ---------------------------------------------------------------------


def test_enter_decides_what_the_text_is_with_one_lookup(shop: Any) -> None:
    sales, reader = counted(shop)
    cart = sales.new_cart()
    code = packaged(sales, 1)
    reader.lookups = 0

    added = sales.enter(cart, f"3*{code}")
    assert isinstance(added, Added)
    assert added.new_line
    assert (added.line.item.sku, added.line.quantity) == (code, Decimal(3))
    assert reader.lookups == 1
    again = sales.enter(cart, code)
    assert isinstance(again, Added)
    assert not again.new_line
    assert again.line.quantity == Decimal(4)
    assert reader.lookups == 2

    assert sales.enter(cart, "3*") == ItemWanted(Decimal(3))
    assert isinstance(sales.enter(cart, "juice"), SearchWanted)
    assert sales.enter(cart, "juice", search=False) == EntryRefused(
        "No product has the barcode or SKU juice"
    )
    assert reader.lookups == 4  # a name costs its one lookup, then the search


def test_bad_quantities_are_refused_before_any_lookup(shop: Any) -> None:
    sales, reader = counted(shop)
    cart = sales.new_cart()
    code = packaged(sales, 1)
    reader.lookups = 0
    for typed, message in (
        (f"-1*{code}", "returns are not possible"),
        (f"0*{code}", "0 sells nothing"),
        (f"abc*{code}", "“abc” is not a quantity"),
        (f"99999*{code}", "99999 is more than the till takes"),
    ):
        outcome = sales.enter(cart, typed)
        assert isinstance(outcome, EntryRefused), typed
        assert message in outcome.message
        assert "No product has the barcode" not in outcome.message
    assert reader.lookups == 0
    assert cart.is_empty


def test_a_large_quantity_asks_first_and_a_weighed_item_asks_its_weight(shop: Any) -> None:
    sales = shop.sales()
    cart = sales.new_cart()
    code = packaged(sales, 1)
    asked = sales.enter(cart, f"150*{code}")
    assert isinstance(asked, ConfirmQuantity)
    assert (asked.quantity, asked.limit) == (Decimal(150), Decimal(99))
    assert cart.is_empty
    confirmed = sales.add(cart, asked.item, asked.quantity, confirmed=True)
    assert isinstance(confirmed, Added)
    assert confirmed.line.quantity == Decimal(150)
    weighed = next(
        item
        for n in range(1, 61)
        if (item := _maybe(sales, f"W{n:06d}")) is not None and item.sold_by_weight
    )
    assert sales.enter(cart, weighed.sku) == WeightWanted(weighed)
    added = sales.enter(cart, f"0.250*{weighed.sku}")
    assert isinstance(added, Added)
    assert added.line.quantity == Decimal("0.250")


def _maybe(sales: Any, code: str) -> Any:
    outcome = sales.enter(sales.new_cart(), code, search=False)
    if isinstance(outcome, WeightWanted):
        return outcome.item
    return None


def test_the_quantity_limit_is_a_shop_setting(shop: Any) -> None:
    shop.shop.update(user_id(shop, "owner"), {"sales.confirm_quantity_above": "500"})
    sales = shop.sales()
    assert isinstance(sales.enter(sales.new_cart(), f"150*{packaged(sales, 1)}"), Added)
    with pytest.raises(UserError, match="between 1 and 9999"):
        shop.shop.update(user_id(shop, "owner"), {"sales.confirm_quantity_above": "0"})


# Stock below zero -----------------------------------------------------------------------


def short_cart(shop: Any, sales: Any) -> tuple[Any, Any]:
    item = sales.lookup(packaged(sales, 7))
    set_stock(shop, item.variant_id, 1)
    cart = sales.new_cart()
    outcome = sales.enter(cart, f"2*{item.sku}")
    assert isinstance(outcome, Added)
    assert outcome.stock is not None
    assert (outcome.stock.left, outcome.stock.wanted) == (Decimal(1), Decimal(2))
    return cart, item


def test_by_default_selling_below_zero_takes_a_managers_approval(shop: Any) -> None:
    sales = shop.sales()
    cashier = shop.auth.login("cashier", "1234")
    manager = shop.auth.login("manager", "4321")
    cart, item = short_cart(shop, sales)
    refusal = sales.stock_refusal(cart, cashier, None)
    assert refusal is not None
    assert "1 left, 2 wanted" in refusal
    assert "A manager can approve" in refusal
    assert sales.stock_refusal(cart, cashier, manager) is None
    assert sales.stock_refusal(cart, manager, None) is None

    with pytest.raises(InsufficientStock, match="1 left, 2 wanted") as refused:
        sales.complete(cash_sale(sales, cart), cashier)
    assert refused.value.approvable
    assert "A manager can approve selling it below zero" in refused.value.message

    # A manager approving the sale for something else is not approving this.
    with pytest.raises(InsufficientStock, match="1 left, 2 wanted"):
        sales.complete(cash_sale(sales, cart), cashier, manager)
    approved = replace(cash_sale(sales, cart), sell_below_zero=True)
    receipt = sales.complete(approved, cashier, manager)
    assert shop.catalog.stock_level(item.variant_id) == Decimal(-1)
    [entry] = [e for e in journal(shop) if e["kind"] == "sale"]
    assert entry["data"]["approved_by"] == manager.user_id
    assert entry["data"]["below_zero"] == [{"name": item.name, "left": "-1"}]
    with shop.engines.write.connect() as connection:
        approved_by = connection.execute(
            text("SELECT approved_by FROM sale WHERE id = :id"), {"id": receipt.sale_id}
        ).scalar_one()
    assert approved_by == manager.user_id


def test_a_shop_may_refuse_or_allow_selling_below_zero(shop: Any) -> None:
    shop.shop.update(user_id(shop, "owner"), {"sales.below_zero": "refuse"})
    sales = shop.sales()
    cashier = shop.auth.login("cashier", "1234")
    manager = shop.auth.login("manager", "4321")
    cart, item = short_cart(shop, sales)
    assert "Remove it or lower the quantity" in (sales.stock_refusal(cart, manager, None) or "")
    with pytest.raises(InsufficientStock, match="Remove it") as refused:
        sales.complete(replace(cash_sale(sales, cart), sell_below_zero=True), cashier, manager)
    assert not refused.value.approvable
    assert shop.catalog.stock_level(item.variant_id) == Decimal(1)

    shop.shop.update(user_id(shop, "owner"), {"sales.below_zero": "allow"})
    sales = shop.sales()
    assert sales.stock_refusal(cart, cashier, None) is None
    sales.complete(cash_sale(sales, cart), cashier)
    assert shop.catalog.stock_level(item.variant_id) == Decimal(-1)
    with pytest.raises(UserError, match="allow, manager, refuse"):
        shop.shop.update(user_id(shop, "owner"), {"sales.below_zero": "sometimes"})


# The draft of the sale in progress -------------------------------------------------------


def test_a_draft_keeps_the_cart_its_tenders_and_journals_what_was_done(shop: Any) -> None:
    sales = shop.sales()
    cashier = shop.auth.login("cashier", "1234")
    manager = shop.auth.login("manager", "4321")
    cart = sales.new_cart()
    cart.actor = cashier.user_id
    first = sales.enter(cart, f"3*{packaged(sales, 1)}")
    second = sales.enter(cart, packaged(sales, 5))
    assert isinstance(first, Added)
    assert isinstance(second, Added)
    cart.set_quantity(first.line.line_id, Decimal(2))
    cart.approved_by = manager.user_id
    cart.set_line_discount(second.line.line_id, Discount.percent(10))
    payment = Payment(cart.totals().total, sales.settings.cash_increment)
    payment.take_card(Money.of("1.00", cart.currency), "AUTH7")

    sales.save_draft(draft_of(cart, "T1", payment.tenders, payment.rounding, "sale-1"), cashier)
    assert cart.events == []
    kinds = [(e["kind"], e["user"], e["data"].get("approver")) for e in journal(shop)]
    assert kinds == [
        ("quantity.decreased", cashier.user_id, None),
        ("discount.given", cashier.user_id, manager.user_id),
    ]

    found = sales.open_draft("T1")
    assert found is not None
    assert found.cart.totals() == cart.totals()
    assert [ln.quantity for ln in found.cart.lines] == [Decimal(2), Decimal(1)]
    assert found.tenders == tuple(payment.tenders)
    assert found.sale_id == "sale-1"
    assert found.approver == manager
    assert found.saved_by == cashier.display_name
    assert sales.open_draft("T2") is None

    # The sale completes: its draft goes in the same transaction.
    command = cash_sale(sales, found.cart, sale_id="sale-1")
    sales.complete(command, cashier, manager)
    assert sales.open_draft("T1") is None


def test_an_empty_draft_is_dropped_and_a_park_takes_the_draft_with_it(shop: Any) -> None:
    sales = shop.sales()
    cashier = shop.auth.login("cashier", "1234")
    cart = sales.new_cart()
    sales.enter(cart, packaged(sales, 3))
    sales.save_draft(draft_of(cart, "T1"), cashier)
    assert sales.open_draft("T1") is not None
    sales.save_draft(draft_of(sales.new_cart(), "T1"), cashier)
    assert sales.open_draft("T1") is None

    sales.save_draft(draft_of(cart, "T1"), cashier)
    sales.park(draft_of(cart, "T1"), cashier, "Mrs Byrne")
    assert sales.open_draft("T1") is None
    [summary] = sales.parked("T1")
    assert summary.label == "Mrs Byrne"


def test_an_approval_survives_park_and_recall_while_the_manager_still_may(shop: Any) -> None:
    sales = shop.sales()
    cashier = shop.auth.login("cashier", "1234")
    manager = shop.auth.login("manager", "4321")
    cart = sales.new_cart()
    outcome = sales.enter(cart, packaged(sales, 3))
    assert isinstance(outcome, Added)
    cart.approved_by = manager.user_id
    cart.override_price(outcome.line.line_id, Money.of("0.10", cart.currency))
    first = sales.park(draft_of(cart, "T1"), cashier, "kept")
    second = sales.park(draft_of(cart, "T1"), cashier, "lapsed")

    recalled = sales.recall(first, cashier)
    assert recalled.approver == manager
    assert not recalled.approval_lapsed
    assert recalled.cart.approved_by == manager.user_id
    assert recalled.cart.needs_price_authority

    with shop.engines.write.begin() as connection:
        connection.execute(
            text("UPDATE app_user SET active = :no WHERE id = :id"),
            {"no": False, "id": manager.user_id},
        )
    lapsed = sales.recall(second, cashier)
    assert lapsed.approver is None
    assert lapsed.approval_lapsed
    assert lapsed.cart.approved_by is None


def test_voids_are_journaled_and_with_tenders_need_a_reason(shop: Any) -> None:
    sales = shop.sales()
    cashier = shop.auth.login("cashier", "1234")
    cart = sales.new_cart()
    cart.actor = cashier.user_id
    sales.enter(cart, f"2*{packaged(sales, 3)}")
    payment = Payment(cart.totals().total, sales.settings.cash_increment)
    card = payment.take_card(Money.of("1.00", cart.currency), "AUTH9")

    with pytest.raises(UserError, match="Give a reason"):
        sales.void_payments(draft_of(cart, "T1", sale_id="s"), cashier, [card], "  ")
    sales.void_payments(draft_of(cart, "T1", sale_id="s"), cashier, [card], "wrong card")
    draft = sales.open_draft("T1")
    assert draft is not None
    assert draft.tenders == ()

    with pytest.raises(UserError, match="Give a reason"):
        sales.void(draft_of(cart, "T1", payment.tenders), cashier, "")
    line = cart.lines[0]
    cart.remove(line.line_id)
    cart.add(line.item, line.quantity)
    sales.void(draft_of(cart, "T1", payment.tenders), cashier, "customer left")
    assert sales.open_draft("T1") is None
    entries = journal(shop)
    assert [e["kind"] for e in entries] == ["payment.voided", "line.removed", "sale.voided"]
    voided_payment, _, voided = entries
    assert voided_payment["data"]["reason"] == "wrong card"
    assert voided_payment["data"]["payments"][0]["reference"] == "AUTH9"
    assert voided["data"]["reason"] == "customer left"
    assert voided["data"]["lines"][0]["qty"] == "2"
    assert voided["data"]["payments"][0]["amount"] == "1.00"
    assert shop.journal.verify().ok


# Approval by PIN alone -------------------------------------------------------------------


def test_a_managers_pin_alone_approves_and_is_journaled(shop: Any) -> None:
    cashier = shop.auth.login("cashier", "1234")
    approver = shop.auth.approve_by_pin("4321", Permission.GIVE_DISCOUNT, "T1", cashier.user_id)
    assert approver.username == "manager"
    owner = shop.auth.approve_by_pin("9999", Permission.OVERRIDE_PRICE, "T1")
    assert owner.username == "owner"
    with pytest.raises(PermissionDenied, match="may not approve"):
        shop.auth.approve_by_pin("4321", Permission.MANAGE_USERS, "T1")
    with pytest.raises(AuthenticationFailed, match="no manager or owner has it"):
        shop.auth.approve_by_pin("1234", Permission.GIVE_DISCOUNT, "T1")  # a cashier's PIN
    given = [e for e in journal(shop) if e["kind"] == "approval.given"]
    assert [(e["user"], e["data"]["approver"], e["data"]["permission"]) for e in given] == [
        (cashier.user_id, approver.user_id, "give_discount"),
        (None, owner.user_id, "override_price"),
    ]


def test_wrong_approval_pins_pause_approvals_on_that_register(shop: Any) -> None:
    for _ in range(4):
        with pytest.raises(AuthenticationFailed, match="no manager or owner has it"):
            shop.auth.approve_by_pin("0000", Permission.GIVE_DISCOUNT, "T1")
    shop.auth.approve_by_pin("4321", Permission.GIVE_DISCOUNT, "T1")  # a right one resets
    for _ in range(4):
        with pytest.raises(AuthenticationFailed, match="no manager or owner has it"):
            shop.auth.approve_by_pin("0000", Permission.GIVE_DISCOUNT, "T1")
    with pytest.raises(AuthenticationFailed, match="paused"):
        shop.auth.approve_by_pin("0000", Permission.GIVE_DISCOUNT, "T1")
    with pytest.raises(AuthenticationFailed, match=r"paused .* try again in 5 min"):
        shop.auth.approve_by_pin("4321", Permission.GIVE_DISCOUNT, "T1")
    # Another register is not paused, and the manager's own sign-in is not locked.
    assert shop.auth.approve_by_pin("4321", Permission.GIVE_DISCOUNT, "T2").username == "manager"
    assert shop.auth.login("manager", "4321").username == "manager"
    [paused] = [e for e in journal(shop) if e["kind"] == "approval.paused"]
    assert paused["register"] == "T1"
    assert paused["data"]["wrong_pins"] == 5


def test_approvals_resume_after_the_pause(shop: Any) -> None:
    from datetime import UTC, datetime

    from app.services.auth import AuthService
    from tests.conftest import FAST_PINS

    class Clock:
        moment = datetime.now(UTC)

        def now(self) -> datetime:
            return self.moment

    clock = Clock()
    auth = AuthService(shop.uow_factory, clock, FAST_PINS)
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            auth.approve_by_pin("0000", Permission.GIVE_DISCOUNT, "T1")
    clock.moment += timedelta(minutes=4)
    with pytest.raises(AuthenticationFailed, match="try again in 1 min"):
        auth.approve_by_pin("4321", Permission.GIVE_DISCOUNT, "T1")
    clock.moment += timedelta(minutes=2)
    assert auth.approve_by_pin("4321", Permission.GIVE_DISCOUNT, "T1").username == "manager"


def test_two_tills_recalling_one_parked_sale_only_one_gets_it(shop: Any) -> None:
    import threading

    from app.errors import NotFound

    sales = shop.sales()
    cashier = shop.auth.login("cashier", "1234")
    cart = sales.new_cart()
    sales.enter(cart, packaged(sales, 3))
    parked_id = sales.park(draft_of(cart, "T1"), cashier, "once")
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def till() -> None:
        service = shop.sales()
        barrier.wait()
        try:
            service.recall(parked_id, cashier)
            outcomes.append("got it")
        except NotFound:
            outcomes.append("already taken")

    threads = [threading.Thread(target=till) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already taken"] * 3 + ["got it"]
