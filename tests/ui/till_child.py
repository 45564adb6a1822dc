"""A till in a process of its own, driven by key presses, for the test that kills it.

``python tests/ui/till_child.py SQLITE_URL`` opens the till offscreen on that shop, signs the
demo cashier in, scans three items, takes a card part payment and, once the till says it has
written the sale in progress, prints ``ready`` and a JSON line of what it rang up; then it
keeps the event loop running until it is killed. It reads the database itself to know when
the sale with its card payment has been written.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

import main
from tests.conftest import FAST_PINS
from ui.app import load_stylesheet
from ui.window import TillWindow


def wait_until(app: QApplication, condition: object, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit("the till did not get there in time")
        app.processEvents()
        time.sleep(0.005)


def main_child(url: str) -> None:
    app = QApplication([])
    app.setStyleSheet(load_stylesheet())
    context = main.build_context(url, pin_policy=FAST_PINS, migrate=False)
    window = TillWindow(context)
    window.resize(1366, 768)
    window.show()
    wait_until(app, lambda: window.till is not None)
    login = window.login
    QTest.keyClicks(login.username_field, "cashier")
    QTest.keyClick(login.username_field, Qt.Key.Key_Return)
    QTest.keyClicks(login.pin_field, "1234")
    QTest.keyClick(login.pin_field, Qt.Key.Key_Return)
    till = window.till
    assert till is not None
    wait_until(app, lambda: till.session is not None and not till.controller.drafts.restoring)
    codes = ["G000001", "G000002", "G000003", "G000004", "G000005", "G000006", "G000007"]
    skus = []
    for code in codes:
        if len(skus) == 3:
            break
        QTest.keyClicks(till.scan_field, f"2*{code}")
        QTest.keyClick(till.scan_field, Qt.Key.Key_Return)
        app.processEvents()
        if till.cart is not None and len(till.cart.lines) > len(skus):
            skus.append(till.cart.lines[-1].item.sku)
    QTest.keyClick(till.scan_field, Qt.Key.Key_F12)
    wait_until(app, lambda: till.payment_panel.payment is not None)
    panel = till.payment_panel
    QTest.keyClicks(panel.amount_field, "2")
    QTest.keyClicks(panel.reference_field, "AUTH77")
    QTest.keyClick(panel.amount_field, Qt.Key.Key_F5)
    assert panel.payment is not None and panel.payment.tenders
    # Ready once the database holds the sale with its card payment, as the till wrote it.
    sales = context.sales()
    wait_until(app, lambda: bool(getattr(sales.open_draft("T1"), "tenders", ())))
    sys.stdout.write("ready\n")
    sys.stdout.write(json.dumps({"skus": skus, "sale_id": till.controller.payment.sale_id}) + "\n")
    sys.stdout.flush()
    while True:  # selling goes on until the process is killed
        app.processEvents()
        time.sleep(0.01)


if __name__ == "__main__":
    main_child(sys.argv[1])
