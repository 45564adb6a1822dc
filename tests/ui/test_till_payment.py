"""Paying: cash with change, what the customer hands over in large type, card plus cash,
sane amounts, a deliberate exact cash, backing out (a reason when tenders were taken),
double Enter, failures and retry."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.domain.money import Money
from app.domain.pricing import round_cash
from app.domain.tender import Payment, TenderKind
from app.errors import EnvironmentProblem
from tests.conftest import sales_journaled
from ui.common.dialogs import ConfirmDialog, TextDialog
from ui.till.screen import SALE_NOT_COMPLETED, LeftPage, Mode


def expected_change(till: Any, total: Money, card: str | None, cash: str) -> str:
    """What the change label must say, worked out with the domain's own Payment."""
    payment = Payment(total, till.session.settings.cash_increment)
    if card is not None:
        payment.take_card(Money.of(card, total.currency), "")
    payment.take_cash(Money.of(cash, total.currency))
    assert payment.is_settled
    return till.formats.money(payment.change)


def test_cash_with_change_shown_large(
    qtbot: Any, cashier: Any, codes: Any, sqlite_shop: Any
) -> None:
    till = cashier.till
    item = codes.packaged[0]
    cashier.scan(item.sku)
    total = till.cart.totals().total
    cashier.pay()
    assert till.mode is Mode.PAYMENT
    assert cashier.amount_field.hasFocus()
    increment = till.session.settings.cash_increment
    assert till.payment_panel.to_pay_value.text() == till.formats.money(
        round_cash(total, increment)
    )
    cashier.type("100", cashier.amount_field)
    with qtbot.waitSignal(till.sale_completed) as completed:
        cashier.key(Qt.Key.Key_Return, cashier.amount_field)
    receipt = completed.args[0]
    change = expected_change(till, total, None, "100")
    assert till.receipt_view.change_label.text() == change
    assert till.left_stack.currentIndex() == LeftPage.RECEIPT
    assert "Thank you!" in till.receipt_view.text.toPlainText()
    assert receipt.total == total
    assert till.cart.is_empty
    assert till.scan_field.hasFocus()
    assert sales_journaled(sqlite_shop) == 1


def test_the_large_figure_is_what_the_customer_hands_over_in_cash(cashier: Any, codes: Any) -> None:
    till = cashier.till
    increment = till.session.settings.cash_increment
    assert increment == Decimal("0.05")  # the demo shop rounds cash to 5 cent
    item = next(i for i in codes.packaged if round_cash(i.unit_price, increment) != i.unit_price)
    cashier.scan(item.sku)
    cashier.pay()
    panel = till.payment_panel
    rounded = round_cash(item.unit_price, increment)
    assert panel.to_pay_value.text() == till.formats.money(rounded)
    assert panel.to_pay_value.text() != till.formats.money(item.unit_price)
    assert till.formats.money(item.unit_price) in panel.to_pay_note.text()
    assert panel.to_pay_note.isVisible()
    big = panel.to_pay_value.font().pixelSize()
    assert big >= 2 * panel.total_value.font().pixelSize()


def test_quick_cash_button_and_exact_cash(
    qtbot: Any, cashier: Any, codes: Any, sqlite_shop: Any
) -> None:
    till = cashier.till
    cashier.scan(codes.packaged[0].sku)
    cashier.pay()
    first_note = till.payment_panel.quick_buttons[0]
    assert first_note.isEnabled()
    handed = first_note.property("amount")
    total = till.cart.totals().total
    with qtbot.waitSignal(till.sale_completed):
        qtbot.mouseClick(first_note, Qt.MouseButton.LeftButton)
    assert till.receipt_view.change_label.text() == expected_change(till, total, None, handed)
    # Then a second sale paid with Enter alone, once the due has been read: exact cash.
    cashier.scan(codes.packaged[1].sku)
    cashier.pay()
    cashier.read_the_due()
    with qtbot.waitSignal(till.sale_completed) as completed:
        cashier.key(Qt.Key.Key_F12, cashier.amount_field)
    assert completed.args[0].change.is_zero()
    assert sales_journaled(sqlite_shop) == 2


def test_a_reflex_enter_after_f12_is_not_exact_cash(
    qtbot: Any, cashier: Any, codes: Any, sqlite_shop: Any
) -> None:
    till = cashier.till
    panel = till.payment_panel
    panel.exact_cash_delay_ms = 5000  # however slow this machine is, the keys come sooner
    cashier.scan(codes.packaged[0].sku)
    cashier.key(Qt.Key.Key_F12)
    cashier.key(Qt.Key.Key_Return, cashier.amount_field)  # the same breath as F12
    cashier.key(Qt.Key.Key_F12, cashier.amount_field)
    assert panel.payment.tenders == []
    assert "Check the amount to pay" in panel.status_label.text()
    assert sales_journaled(sqlite_shop) == 0
    panel.exact_cash_delay_ms = 300
    cashier.read_the_due()
    with qtbot.waitSignal(till.sale_completed) as completed:
        cashier.key(Qt.Key.Key_Return, cashier.amount_field)
    assert completed.args[0].change.is_zero()


def test_cash_far_above_the_due_is_refused(cashier: Any, codes: Any) -> None:
    till = cashier.till
    cashier.scan(codes.packaged[0].sku)
    cashier.pay()
    panel = till.payment_panel
    due = panel.payment.cash_due().amount
    typo = str(int(due * 100) + 20_000)  # "12.50" typed without its point, and more
    cashier.type(typo, cashier.amount_field)
    cashier.key(Qt.Key.Key_Return, cashier.amount_field)
    assert panel.payment.tenders == []
    assert "is more than the" in panel.status_label.text()
    assert "plus 200" in panel.status_label.text()  # the largest euro note in issue
    assert till.mode is Mode.PAYMENT


def test_a_zero_total_sale_asks_before_it_completes(
    qtbot: Any, sign_in: Any, codes: Any, sqlite_shop: Any
) -> None:
    manager = sign_in("manager", "4321")
    till = manager.till
    manager.scan(codes.packaged[0].sku)
    manager.type("100%")
    manager.key(Qt.Key.Key_F8)  # the whole sale free
    assert till.cart.totals().total.is_zero()
    manager.key(Qt.Key.Key_F12)
    dialog = manager.dialog(ConfirmDialog)
    assert "costs nothing" in dialog.windowTitle()
    assert sales_journaled(sqlite_shop) == 0
    with qtbot.waitSignal(till.sale_completed) as completed:
        manager.key(Qt.Key.Key_Return, dialog)
    assert completed.args[0].payments == ()


def test_split_card_then_cash(qtbot: Any, cashier: Any, codes: Any) -> None:
    till = cashier.till
    item = max(codes.packaged, key=lambda i: i.unit_price.amount)
    cashier.scan(f"3*{item.sku}")  # enough to need more than one 10 note
    total = till.cart.totals().total
    assert total.amount > 10
    cashier.pay()
    panel = till.payment_panel
    cashier.type("10", cashier.amount_field)
    panel.reference_field.setFocus()
    cashier.type("AUTH42", panel.reference_field)
    cashier.key(Qt.Key.Key_F5, cashier.amount_field)
    assert [t.kind for t in panel.payment.tenders] == [TenderKind.CARD]
    rest = total - Money.of("10", total.currency)
    assert panel.to_pay_value.text() == till.formats.money(
        round_cash(rest, till.session.settings.cash_increment)
    )
    assert panel.paid_value.text() == till.formats.money(Money.of("10", total.currency))
    cash = str(int(total.amount) + 1)
    cashier.type(cash, cashier.amount_field)
    with qtbot.waitSignal(till.sale_completed) as completed:
        cashier.key(Qt.Key.Key_Return, cashier.amount_field)
    receipt = completed.args[0]
    assert [(p.kind, p.reference) for p in receipt.payments] == [
        (TenderKind.CARD, "AUTH42"),
        (TenderKind.CASH, ""),
    ]
    assert till.receipt_view.change_label.text() == expected_change(till, total, "10", cash)


def test_card_refuses_a_card_number(cashier: Any, codes: Any) -> None:
    till = cashier.till
    cashier.scan(codes.packaged[0].sku)
    cashier.pay()
    panel = till.payment_panel
    cashier.type("4111 1111 1111 1111", panel.reference_field)
    cashier.key(Qt.Key.Key_Return, panel.reference_field)
    assert panel.payment.tenders == []
    assert "card number" in panel.status_label.text()


def test_esc_backs_out_of_payment(cashier: Any, codes: Any, sqlite_shop: Any) -> None:
    till = cashier.till
    cashier.scan(codes.packaged[0].sku)
    cashier.pay()
    cashier.key(Qt.Key.Key_Escape, cashier.amount_field)
    assert till.mode is Mode.SALE
    assert till.left_stack.currentIndex() == LeftPage.CART
    assert len(till.cart.lines) == 1
    assert till.scan_field.isEnabled()
    assert till.scan_field.hasFocus()
    assert sales_journaled(sqlite_shop) == 0


def test_esc_after_a_tender_voids_it_with_a_reason_journaled(
    qtbot: Any, cashier: Any, codes: Any
) -> None:
    till = cashier.till
    cashier.scan(codes.packaged[0].sku)
    cashier.pay()
    cashier.type("0.20", cashier.amount_field)  # less than any demo price
    cashier.key(Qt.Key.Key_F5, cashier.amount_field)  # a card part, then second thoughts
    cashier.key(Qt.Key.Key_Escape, cashier.amount_field)
    dialog = cashier.dialog(TextDialog)
    assert "reverse the card payment of" in dialog.prompt.text()
    cashier.key(Qt.Key.Key_Return, dialog.field)  # no reason: refused, still asking
    assert dialog.error_label.isVisible()
    assert till.dialog is dialog
    cashier.type("customer changed their mind", dialog.field)
    cashier.key(Qt.Key.Key_Return, dialog.field)
    qtbot.waitUntil(lambda: till.mode is Mode.SALE)
    assert till.payment_panel.payment is None
    assert len(till.cart.lines) == 1
    [voided] = [e for e in cashier.journal() if e["kind"] == "payment.voided"]
    assert voided["data"]["reason"] == "customer changed their mind"
    assert voided["data"]["payments"][0]["amount"] == "0.20"
    assert voided["user"] == till.session.operator.user_id


def test_double_enter_on_pay_makes_one_sale(
    qtbot: Any, cashier: Any, codes: Any, sqlite_shop: Any
) -> None:
    till = cashier.till
    cashier.scan(codes.packaged[0].sku)
    cashier.pay()
    cashier.type("100", cashier.amount_field)
    with qtbot.waitSignal(till.sale_completed):
        cashier.key(Qt.Key.Key_Return, cashier.amount_field)
        # The write is in flight: paying again must be impossible.
        assert not till.pay_action.isEnabled()
        cashier.key(Qt.Key.Key_Return, cashier.amount_field)
        cashier.key(Qt.Key.Key_F12, cashier.amount_field)
    cashier.key(Qt.Key.Key_Return)
    cashier.key(Qt.Key.Key_F12)
    cashier.wait_idle()
    assert sales_journaled(sqlite_shop) == 1


def test_failure_keeps_the_sale_and_retry_reuses_the_sale_id(
    qtbot: Any, cashier: Any, codes: Any, sqlite_shop: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    till = cashier.till
    sales = till.session.sales
    real_complete = sales.complete
    sale_ids: list[str] = []

    def flaky_complete(command: Any, operator: Any, approver: Any = None) -> Any:
        sale_ids.append(command.sale_id)
        if len(sale_ids) == 1:
            raise EnvironmentProblem("The database is not reachable: check the network cable")
        return real_complete(command, operator, approver)

    monkeypatch.setattr(sales, "complete", flaky_complete)
    cashier.scan(codes.packaged[0].sku)
    cashier.pay()
    cashier.type("50", cashier.amount_field)
    with qtbot.waitSignal(till.sale_failed) as failed:
        cashier.key(Qt.Key.Key_Return, cashier.amount_field)
    assert failed.args == ["The database is not reachable: check the network cable"]
    assert till.banner.kind == "error"
    assert "Enter: try again" in till.payment_panel.status_label.text()
    assert "the payment taken stays on this sale" in till.payment_panel.status_label.text()
    assert till.mode is Mode.PAYMENT
    assert len(till.cart.lines) == 1
    assert till.pay_action.isEnabled()
    with qtbot.waitSignal(till.sale_completed):
        cashier.key(Qt.Key.Key_Return, cashier.amount_field)
    assert len(sale_ids) == 2
    assert sale_ids[0] == sale_ids[1]
    assert sales_journaled(sqlite_shop) == 1


def test_a_bug_is_logged_and_reported_plainly(
    qtbot: Any,
    cashier: Any,
    codes: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    till = cashier.till

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(till.session.sales, "complete", broken)
    cashier.scan(codes.packaged[0].sku)
    cashier.pay()
    cashier.type("50", cashier.amount_field)
    with caplog.at_level(logging.ERROR), qtbot.waitSignal(till.sale_failed) as failed:
        cashier.key(Qt.Key.Key_Return, cashier.amount_field)
    assert failed.args == [SALE_NOT_COMPLETED]
    assert till.banner.text() == SALE_NOT_COMPLETED
    record = next(r for r in caplog.records if r.exc_info)
    assert "boom" in str(record.exc_info[1])
    assert len(till.cart.lines) == 1


def test_a_scan_during_payment_is_refused(
    qtbot: Any, cashier: Any, codes: Any, sqlite_shop: Any
) -> None:
    till = cashier.till
    cashier.scan(codes.packaged[0].sku)
    cashier.pay()
    cashier.wedge_burst("5012345678900", cashier.amount_field)
    assert till.banner.kind == "error"
    assert cashier.amount_field.text() == ""  # the burst is taken back out of the field
    assert till.payment_panel.payment.tenders == []
    assert len(till.cart.lines) == 1


def test_a_fast_burst_of_digits_in_the_cash_field_is_cash_not_a_scan(
    qtbot: Any, cashier: Any, codes: Any
) -> None:
    till = cashier.till
    cashier.scan(codes.packaged[0].sku)
    cashier.pay()
    with (
        qtbot.assertNotEmitted(till.wedge.scanned),
        qtbot.waitSignal(till.sale_completed) as completed,
    ):
        cashier.wedge_burst("100.00", cashier.amount_field)  # a quick hand on the keypad
    [tender] = completed.args[0].payments
    assert tender.kind is TenderKind.CASH
    assert tender.tendered.amount == Decimal(100)
    assert till.banner.kind == "success"


def test_quantity_typed_before_a_scanner_burst_in_the_scan_field(cashier: Any, codes: Any) -> None:
    item = codes.packaged[0]
    cashier.type("3*")
    cashier.wedge_burst(item.sku, cashier.till.scan_field)
    assert cashier.lines() == [(item.sku, "3")]
    assert Decimal(3) == cashier.till.cart.lines[0].quantity
