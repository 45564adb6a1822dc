"""A sale in progress is never lost: signing out or closing the window asks first, a sale
with a tender taken can only be completed or voided with a reason, and a till killed in the
middle of a sale gives it back, tenders and all, at its next sign-in."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from app.domain.tender import TenderKind
from ui.common.dialogs import ChoiceDialog, TextDialog
from ui.till.view import Mode

CHILD = Path(__file__).with_name("till_child.py")


def test_signing_out_with_a_sale_asks_to_park_it_first(
    qtbot: Any, cashier: Any, codes: Any, sqlite_shop: Any
) -> None:
    window, till = cashier.window, cashier.till
    cashier.scan(codes.packaged[0].sku)
    cashier.key(Qt.Key.Key_F11)
    dialog = cashier.dialog(ChoiceDialog)
    cashier.key(Qt.Key.Key_Escape, dialog)  # back to the sale
    assert till.session is not None
    assert len(till.cart.lines) == 1
    qtbot.mouseClick(window.sign_out_button, Qt.MouseButton.LeftButton)
    dialog = cashier.dialog(ChoiceDialog)
    assert set(dialog.buttons) == {"park", "void"}
    cashier.key(Qt.Key.Key_Return, dialog)  # park it, then sign out
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.login)
    assert till.session is None
    [parked] = sqlite_shop.sales().parked(sqlite_shop.register_code)
    assert parked.lines == 1


def test_closing_the_window_with_a_sale_asks_and_a_void_is_journaled(
    qtbot: Any, cashier: Any, codes: Any
) -> None:
    window = cashier.window
    cashier.scan(f"2*{codes.packaged[0].sku}")
    assert window.close() is False  # not yet: asked first
    dialog = cashier.dialog(ChoiceDialog)
    qtbot.mouseClick(dialog.buttons["void"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.isVisible())
    [voided] = [e for e in cashier.journal() if e["kind"] == "sale.voided"]
    assert voided["data"]["lines"][0]["qty"] == "2"
    assert voided["data"]["payments"] == []


def test_a_sale_with_a_card_payment_taken_cannot_be_thrown_away_silently(
    qtbot: Any, cashier: Any, codes: Any
) -> None:
    window, till = cashier.window, cashier.till
    cashier.scan(codes.packaged[0].sku)
    cashier.pay()
    cashier.type("0.50", cashier.amount_field)
    cashier.key(Qt.Key.Key_F5, cashier.amount_field)  # the terminal approved a card part
    assert window.close() is False
    dialog = cashier.dialog(ChoiceDialog)
    assert set(dialog.buttons) == {"void"}  # no parking a sale with a payment taken
    assert "reverse the card payment of" in dialog.prompt.text()
    cashier.key(Qt.Key.Key_Return, dialog)
    reason = cashier.dialog(TextDialog)
    cashier.key(Qt.Key.Key_Return, reason.field)  # a reason is required
    assert reason.error_label.isVisible()
    assert window.isVisible()
    cashier.type("customer walked out", reason.field)
    cashier.key(Qt.Key.Key_Return, reason.field)
    qtbot.waitUntil(lambda: not window.isVisible())
    assert till.payment_panel.payment is None
    [voided] = [e for e in cashier.journal() if e["kind"] == "sale.voided"]
    assert voided["data"]["reason"] == "customer walked out"
    assert [(p["kind"], p["amount"]) for p in voided["data"]["payments"]] == [("card", "0.50")]


def test_a_till_killed_mid_sale_gives_the_sale_back_at_the_next_sign_in(
    qtbot: Any, window: Any, sign_in: Any, sqlite_url: str, home: Path
) -> None:
    root = str(Path(__file__).resolve().parents[2])
    child = subprocess.Popen(
        [sys.executable, str(CHILD), sqlite_url],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "TILLWRIGHT_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"},
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        rung_up = json.loads(child.stdout.readline())
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()
    assert child.returncode == -signal.SIGKILL

    cashier = sign_in("cashier", "1234")  # a fresh till on the same register
    till = cashier.till
    qtbot.waitUntil(lambda: till.mode is Mode.PAYMENT)
    assert cashier.lines() == [(sku, "2") for sku in rung_up["skus"]]
    [card] = till.payment_panel.payment.tenders
    assert (card.kind, str(card.amount.amount), card.reference) == (
        TenderKind.CARD,
        "2.00",
        "AUTH77",
    )
    assert "the till stopped" in till.banner.text()
    assert till.controller.payment.sale_id == rung_up["sale_id"]
    cashier.type("100", cashier.amount_field)
    with qtbot.waitSignal(till.sale_completed) as completed:
        cashier.key(Qt.Key.Key_Return, cashier.amount_field)
    receipt = completed.args[0]
    assert receipt.sale_id == rung_up["sale_id"]
    assert [p.kind for p in receipt.payments] == [TenderKind.CARD, TenderKind.CASH]
    assert till.session.sales.open_draft(till.session.register_code) is None
