"""Stock at the till: an item the shop is short of is flagged at its scan, and never refused
after payment without the till saying exactly what to do: by default a manager approves
selling it below zero (recorded in the sale and the journal); a shop may refuse instead."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from sqlalchemy import text

from tests.conftest import user_id
from ui.till.dialogs import ApprovalDialog
from ui.till.view import Mode


def set_stock(shop: Any, variant_id: int, quantity: int) -> None:
    with shop.engines.write.begin() as connection:
        connection.execute(
            text("UPDATE stock_balance SET quantity = :q WHERE variant_id = :v"),
            {"q": quantity * 1000, "v": variant_id},  # QUANTITY is stored scaled by 10^3
        )


def approve(cashier: Any, pin: str = "4321") -> ApprovalDialog:
    dialog = cashier.dialog(ApprovalDialog)
    cashier.type(pin, dialog.pin)
    cashier.key(Qt.Key.Key_Return, dialog.pin)
    return dialog


def test_pay_for_an_item_out_of_stock_asks_a_manager_first(
    qtbot: Any, cashier: Any, codes: Any, sqlite_shop: Any
) -> None:
    till = cashier.till
    item = codes.packaged[4]
    set_stock(sqlite_shop, item.variant_id, 0)
    cashier.scan(item.sku)
    cashier.key(Qt.Key.Key_F12)
    dialog = cashier.dialog(ApprovalDialog)
    reason = dialog.prompt.text()
    assert f"Not enough {item.name} in stock: 0 left, 1 wanted" in reason
    assert till.mode is Mode.SALE  # no tender can be taken before this is settled
    approve(cashier)
    qtbot.waitUntil(lambda: till.mode is Mode.PAYMENT)
    cashier.type("50", cashier.amount_field)
    with qtbot.waitSignal(till.sale_completed):
        cashier.key(Qt.Key.Key_Return, cashier.amount_field)
    assert sqlite_shop.catalog.stock_level(item.variant_id) == Decimal(-1)
    [sale] = [e for e in cashier.journal() if e["kind"] == "sale"]
    assert sale["data"]["approved_by"] is not None
    assert sale["data"]["below_zero"] == [{"name": item.name, "left": "-1"}]


def test_a_shop_that_refuses_says_remove_it_before_any_payment(
    qtbot: Any, window: Any, sign_in: Any, codes: Any, sqlite_shop: Any
) -> None:
    sqlite_shop.shop.update(user_id(sqlite_shop, "owner"), {"sales.below_zero": "refuse"})
    cashier = sign_in("cashier", "1234")
    till = cashier.till
    item = codes.packaged[4]
    set_stock(sqlite_shop, item.variant_id, 1)
    cashier.scan(f"3*{item.sku}")
    assert "only 1 in stock" in till.cart_model.index(0, 0).data()
    cashier.key(Qt.Key.Key_F12)
    assert till.mode is Mode.SALE
    assert till.dialog is None
    assert "1 left, 3 wanted" in till.banner.text()
    assert "Remove it or lower the quantity" in till.banner.text()


def test_stock_gone_after_a_tender_says_what_to_do_and_a_manager_can_approve(
    qtbot: Any, cashier: Any, codes: Any, sqlite_shop: Any
) -> None:
    till = cashier.till
    item = codes.packaged[4]
    set_stock(sqlite_shop, item.variant_id, 5)
    cashier.scan(f"2*{item.sku}")
    cashier.pay()
    cashier.type("1", cashier.amount_field)
    cashier.key(Qt.Key.Key_F5, cashier.amount_field)  # the card terminal approved €1
    set_stock(sqlite_shop, item.variant_id, 1)  # another till sold the rest meanwhile
    cashier.type("50", cashier.amount_field)
    with qtbot.waitSignal(till.sale_failed) as failed:
        cashier.key(Qt.Key.Key_Return, cashier.amount_field)
    message = failed.args[0]
    assert f"Not enough {item.name} in stock: 1 left, 2 wanted" in message
    assert "A manager can approve selling it below zero; or remove it" in message
    advice = till.payment_panel.status_label.text()
    assert "Enter: a manager approves it" in advice
    assert "reverse the card payment of €1.00 on the card terminal" in advice
    assert "hand back the €50.00 cash" in advice
    assert "the payment taken stays on this sale" in advice
    assert till.mode is Mode.PAYMENT

    cashier.key(Qt.Key.Key_Return, cashier.amount_field)  # ask the manager
    with qtbot.waitSignal(till.sale_completed) as completed:
        approve(cashier)
    receipt = completed.args[0]
    assert [line.quantity for line in receipt.lines] == [Decimal(2)]
    assert [p.kind.value for p in receipt.payments] == ["card", "cash"]
    assert sqlite_shop.catalog.stock_level(item.variant_id) == Decimal(-1)


def test_when_refused_after_a_tender_esc_voids_it_and_says_how(
    qtbot: Any, window: Any, sign_in: Any, codes: Any, sqlite_shop: Any
) -> None:
    sqlite_shop.shop.update(user_id(sqlite_shop, "owner"), {"sales.below_zero": "refuse"})
    cashier = sign_in("cashier", "1234")
    till = cashier.till
    item = codes.packaged[4]
    set_stock(sqlite_shop, item.variant_id, 5)
    cashier.scan(f"2*{item.sku}")
    cashier.pay()
    cashier.type("1", cashier.amount_field)
    cashier.key(Qt.Key.Key_F5, cashier.amount_field)
    set_stock(sqlite_shop, item.variant_id, 0)
    cashier.type("50", cashier.amount_field)
    with qtbot.waitSignal(till.sale_failed) as failed:
        cashier.key(Qt.Key.Key_Return, cashier.amount_field)
    assert "0 left, 2 wanted" in failed.args[0]
    assert "Remove it or lower the quantity" in failed.args[0]
    advice = till.payment_panel.status_label.text()
    assert "manager" not in advice
    assert "Esc: void the payment (hand back the €50.00 cash and reverse the card" in advice
