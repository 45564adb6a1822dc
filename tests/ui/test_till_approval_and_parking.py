"""A manager's approval by PIN alone for price changes and discounts (and its throttle);
discounts typed as percent or amount; parking and recalling sales; voids; and the journal
entries each of these leaves."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt

from app.domain.money import Money
from app.domain.pricing import Discount
from tests.conftest import sales_journaled
from ui.common.dialogs import ConfirmDialog, NumberDialog, TextDialog
from ui.till.dialogs import ApprovalDialog, DiscountDialog, ParkedDialog


def approve(cashier: Any, pin: str) -> ApprovalDialog:
    dialog = cashier.dialog(ApprovalDialog)
    cashier.type(pin, dialog.pin)
    cashier.key(Qt.Key.Key_Return, dialog.pin)
    return dialog


def journaled(cashier: Any, kind: str) -> list[dict[str, Any]]:
    """The journal entries of ``kind``, once the till has written what it holds."""
    cashier.wait_idle()
    cashier.till.controller.drafts.now()
    cashier.wait_idle()
    return [entry for entry in cashier.journal() if entry["kind"] == kind]


def test_a_price_change_takes_the_managers_pin_alone(
    qtbot: Any, cashier: Any, codes: Any, sqlite_shop: Any
) -> None:
    till = cashier.till
    item = codes.packaged[0]
    cashier.scan(item.sku)
    cashier.key(Qt.Key.Key_F6)

    dialog = approve(cashier, "0000")
    qtbot.waitUntil(dialog.error_label.isVisible)
    assert dialog.error_label.text() == "Wrong PIN: no manager or owner has it"
    assert till.dialog is dialog  # still asking
    cashier.type("4321", dialog.pin)
    cashier.key(Qt.Key.Key_Return, dialog.pin)

    price = cashier.dialog(NumberDialog)
    assert till.approver is not None
    assert till.approver.username == "manager"
    price.field.selectAll()
    cashier.type("9.99", price.field)
    cashier.key(Qt.Key.Key_Return, price.field)
    line = till.cart.lines[0]
    assert line.unit_price == Money.of("9.99", line.unit_price.currency)
    assert "price changed" in till.cart_model.index(0, 0).data()

    manager_id = till.approver.user_id
    [given] = journaled(cashier, "approval.given")
    assert given["data"] == {"permission": "override_price", "approver": manager_id}
    assert given["user"] == till.session.operator.user_id
    [overridden] = journaled(cashier, "price.overridden")
    assert overridden["data"]["approver"] == manager_id
    assert overridden["data"]["to"] == "9.99"
    assert overridden["data"]["sku"] == item.sku

    cashier.pay()
    cashier.type("50", cashier.amount_field)
    with qtbot.waitSignal(till.sale_completed) as completed:
        cashier.key(Qt.Key.Key_Return, cashier.amount_field)
    assert completed.args[0].lines[0].unit_price.amount == Decimal("9.99")
    assert sales_journaled(sqlite_shop) == 1
    assert till.approver is None  # the approval was for that sale only
    assert sqlite_shop.journal.verify().ok


def test_a_cashiers_own_pin_approves_nothing(cashier: Any, codes: Any) -> None:
    cashier.scan(codes.packaged[0].sku)
    cashier.key(Qt.Key.Key_F7)
    dialog = approve(cashier, "1234")
    cashier.qtbot.waitUntil(dialog.error_label.isVisible)
    assert "no manager or owner has it" in dialog.error_label.text()
    cashier.key(Qt.Key.Key_Escape, dialog)
    assert cashier.till.dialog is None
    assert cashier.till.cart.lines[0].discount is None


def test_five_wrong_approval_pins_pause_approvals_on_the_till(
    qtbot: Any, cashier: Any, codes: Any
) -> None:
    cashier.scan(codes.packaged[0].sku)
    cashier.key(Qt.Key.Key_F7)
    dialog = cashier.dialog(ApprovalDialog)
    for attempt in range(1, 6):
        assert "paused" not in dialog.error_label.text(), attempt
        cashier.type("0000", dialog.pin)
        cashier.key(Qt.Key.Key_Return, dialog.pin)
        qtbot.waitUntil(lambda: dialog.ok_button.isEnabled())
    assert "paused" in dialog.error_label.text()
    cashier.type("4321", dialog.pin)  # even the right PIN waits now
    cashier.key(Qt.Key.Key_Return, dialog.pin)
    qtbot.waitUntil(lambda: dialog.ok_button.isEnabled())
    assert "paused" in dialog.error_label.text()
    assert cashier.till.approver is None
    [paused] = journaled(cashier, "approval.paused")
    assert paused["register"] == cashier.till.session.register_code


def test_discounts_typed_as_percent_or_amount(qtbot: Any, sign_in: Any, codes: Any) -> None:
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
    manager.type("1.50", dialog.field)  # no % sign: an amount off
    manager.key(Qt.Key.Key_Return, dialog.field)
    assert till.cart.order_discount == Discount.amount("1.50")
    totals = till.cart.totals()
    assert till.totals_panel.total_label.text() == till.formats.money(totals.total)
    # The % key of the dialog, for a touch screen.
    manager.key(Qt.Key.Key_F7)
    dialog = manager.dialog(DiscountDialog)
    manager.type("5", dialog.field)
    qtbot.mouseClick(dialog.percent_button, Qt.MouseButton.LeftButton)
    manager.key(Qt.Key.Key_Return, dialog.field)
    assert till.cart.lines[0].discount == Discount.percent(5)
    manager.pay()
    manager.type("50", manager.amount_field)
    with qtbot.waitSignal(till.sale_completed):
        manager.key(Qt.Key.Key_Return, manager.amount_field)


def test_a_discount_typed_in_the_scan_field_before_its_key(cashier: Any, codes: Any) -> None:
    till = cashier.till
    cashier.scan(codes.packaged[0].sku)
    cashier.scan(codes.packaged[1].sku)
    cashier.type("15%")
    cashier.key(Qt.Key.Key_F7)
    approve(cashier, "4321")  # a cashier: the manager's PIN, no dialog for the amount
    cashier.qtbot.waitUntil(lambda: till.cart.lines[1].discount is not None)
    assert till.cart.lines[1].discount == Discount.percent(15)
    assert till.scan_field.text() == ""
    cashier.type("2.50")
    cashier.key(Qt.Key.Key_F8)  # approving one discount is not approving the next
    assert till.cart.order_discount is None
    approve(cashier, "4321")
    cashier.qtbot.waitUntil(lambda: till.cart.order_discount is not None)
    assert till.cart.order_discount == Discount.amount("2.50")
    cashier.type("lots")
    cashier.key(Qt.Key.Key_F8)
    assert "not a discount" in till.banner.text()
    assert till.cart.order_discount == Discount.amount("2.50")
    [line, order] = journaled(cashier, "discount.given")
    assert (line["data"]["discount_kind"], line["data"]["discount"]) == ("percent", "15")
    assert order["data"]["scope"] == "order"
    assert line["data"]["approver"] == order["data"]["approver"] == till.approver.user_id


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
    cashier.type("50", cashier.amount_field)
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


def test_a_managers_approval_survives_park_and_recall(qtbot: Any, cashier: Any, codes: Any) -> None:
    till = cashier.till
    cashier.scan(codes.packaged[0].sku)
    cashier.type("10%")
    cashier.key(Qt.Key.Key_F7)
    approve(cashier, "4321")
    qtbot.waitUntil(lambda: till.cart.lines[0].discount is not None)
    cashier.key(Qt.Key.Key_F9)
    label = cashier.dialog(TextDialog)
    cashier.key(Qt.Key.Key_Return, label.field)
    qtbot.waitUntil(lambda: till.cart.is_empty)
    assert till.approver is None

    cashier.key(Qt.Key.Key_F10)
    parked = cashier.dialog(ParkedDialog)
    cashier.key(Qt.Key.Key_Return, parked.list)
    qtbot.waitUntil(lambda: not till.cart.is_empty)
    assert till.approver is not None
    assert till.approver.username == "manager"
    cashier.pay()  # no second approval asked for the discount
    assert till.dialog is None
    cashier.type("50", cashier.amount_field)
    with qtbot.waitSignal(till.sale_completed):
        cashier.key(Qt.Key.Key_Return, cashier.amount_field)


def test_voids_and_line_removals_are_journaled(qtbot: Any, cashier: Any, codes: Any) -> None:
    till = cashier.till
    first, second = codes.packaged[0], codes.packaged[1]
    cashier.scan(f"3*{first.sku}")
    cashier.scan(second.sku)
    cashier.key(Qt.Key.Key_Up)
    cashier.keypad(Qt.Key.Key_Minus)  # three to two
    cashier.key(Qt.Key.Key_Down)
    cashier.key(Qt.Key.Key_Delete)
    assert cashier.lines() == [(first.sku, "2")]
    cashier.key(Qt.Key.Key_F3)
    dialog = cashier.dialog(ConfirmDialog)
    cashier.key(Qt.Key.Key_Return, dialog)
    qtbot.waitUntil(lambda: till.cart.is_empty and not till.controller.busy)
    assert till.banner.text() == "Sale voided"
    cashier.wait_idle()
    kinds = cashier.journal_kinds()
    assert kinds == ["quantity.decreased", "line.removed", "sale.voided"]
    decreased, removed, voided = cashier.journal()
    user = till.session.operator.user_id
    assert {decreased["user"], removed["user"], voided["user"]} == {user}
    assert (decreased["data"]["from"], decreased["data"]["to"]) == ("3", "2")
    assert removed["data"]["sku"] == second.sku
    assert [line["sku"] for line in voided["data"]["lines"]] == [first.sku]


def test_recall_with_nothing_parked(qtbot: Any, cashier: Any) -> None:
    cashier.key(Qt.Key.Key_F10)
    cashier.wait_idle()
    assert cashier.till.banner.text() == "No sales are parked on this register"
