"""A manager's approval for price changes and discounts; parking and recalling sales."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt

from app.domain.money import Money
from app.domain.pricing import Discount
from tests.conftest import sales_journaled
from ui.common.dialogs import NumberDialog, TextDialog
from ui.till.dialogs import ApprovalDialog, DiscountDialog, ParkedDialog


def approve(cashier: Any, username: str, pin: str) -> ApprovalDialog:
    dialog = cashier.dialog(ApprovalDialog)
    cashier.type(username, dialog.username)
    cashier.key(Qt.Key.Key_Return, dialog.username)
    cashier.type(pin, dialog.pin)
    cashier.key(Qt.Key.Key_Return, dialog.pin)
    return dialog


def test_cashier_price_override_needs_a_manager(
    qtbot: Any, cashier: Any, codes: Any, sqlite_shop: Any
) -> None:
    till = cashier.till
    item = codes.packaged[0]
    cashier.scan(item.sku)
    cashier.key(Qt.Key.Key_F6)

    refused = approve(cashier, "manager", "0000")
    qtbot.waitUntil(refused.error_label.isVisible)
    assert refused.error_label.text() == "Unknown user or wrong PIN"
    assert till.dialog is refused  # still asking
    cashier.type("4321", refused.pin)
    cashier.key(Qt.Key.Key_Return, refused.pin)

    price = cashier.dialog(NumberDialog)
    assert till.approver is not None
    assert till.approver.username == "manager"
    price.field.selectAll()
    cashier.type("9.99", price.field)
    cashier.key(Qt.Key.Key_Return, price.field)
    line = till.cart.lines[0]
    assert line.unit_price == Money.of("9.99", line.unit_price.currency)
    assert "price changed" in till.cart_model.index(0, 0).data()

    cashier.pay()
    with qtbot.waitSignal(till.sale_completed) as completed:
        cashier.key(Qt.Key.Key_Return, cashier.amount_field)
    assert completed.args[0].lines[0].unit_price.amount == Decimal("9.99")
    assert sales_journaled(sqlite_shop) == 1
    assert till.approver is None  # the approval was for that sale only


def test_a_cashier_cannot_be_their_own_approver(cashier: Any, codes: Any) -> None:
    cashier.scan(codes.packaged[0].sku)
    cashier.key(Qt.Key.Key_F7)
    dialog = approve(cashier, "cashier", "1234")
    cashier.qtbot.waitUntil(dialog.error_label.isVisible)
    assert "may not approve" in dialog.error_label.text()
    cashier.key(Qt.Key.Key_Escape, dialog)
    assert cashier.till.dialog is None
    assert cashier.till.cart.lines[0].discount is None


def test_manager_gives_discounts_without_asking(qtbot: Any, sign_in: Any, codes: Any) -> None:
    manager = sign_in("manager", "4321")
    till = manager.till
    manager.scan(f"2*{codes.packaged[0].sku}")
    manager.key(Qt.Key.Key_F7)
    dialog = manager.dialog(DiscountDialog)
    manager.type("10%", dialog.field)
    manager.key(Qt.Key.Key_Return, dialog.field)
    assert till.cart.lines[0].discount == Discount.percent(10)
    manager.key(Qt.Key.Key_F8)
    dialog = manager.dialog(DiscountDialog)
    qtbot.mouseClick(dialog.amount_button, Qt.MouseButton.LeftButton)
    manager.type("1", dialog.field)
    manager.key(Qt.Key.Key_Return, dialog.field)
    assert till.cart.order_discount == Discount.amount(1)
    totals = till.cart.totals()
    assert till.totals_panel.total_label.text() == till.formats.money(totals.total)
    manager.pay()
    with qtbot.waitSignal(till.sale_completed):
        manager.key(Qt.Key.Key_Return, manager.amount_field)


def test_park_and_recall(qtbot: Any, cashier: Any, codes: Any) -> None:
    till = cashier.till
    first, second = codes.packaged[0], codes.packaged[1]
    cashier.scan(first.sku)
    cashier.scan(f"2*{second.sku}")
    cashier.key(Qt.Key.Key_F9)
    label = cashier.dialog(TextDialog)
    cashier.type("Mrs Byrne", label.field)
    cashier.key(Qt.Key.Key_Return, label.field)
    qtbot.waitUntil(lambda: till.cart.is_empty)
    assert till.banner.kind == "success"

    cashier.scan(codes.packaged[2].sku)  # serve someone else meanwhile
    cashier.pay()
    with qtbot.waitSignal(till.sale_completed):
        cashier.key(Qt.Key.Key_Return, cashier.amount_field)

    cashier.key(Qt.Key.Key_F10)
    parked = cashier.dialog(ParkedDialog)
    assert parked.list.count() == 1
    assert "Mrs Byrne" in parked.list.item(0).text()
    cashier.key(Qt.Key.Key_Return, parked.list)
    qtbot.waitUntil(lambda: not till.cart.is_empty)
    assert cashier.lines() == [(first.sku, "1"), (second.sku, "2")]

    cashier.key(Qt.Key.Key_F10)  # the cart is not empty: finish this one first
    assert till.dialog is None
    assert till.banner.text() == "Finish, park or void this sale before recalling another"


def test_recall_with_nothing_parked(qtbot: Any, cashier: Any) -> None:
    cashier.key(Qt.Key.Key_F10)
    cashier.wait_idle()
    assert cashier.till.banner.text() == "No sales are parked on this register"
