"""Fixtures for the till's UI tests: a styled window over a real SQLite demo shop, signed in,
and a ``Cashier`` that drives it with the keyboard the way a person (or a scanner) would."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.domain.cart import CartItem
from app.errors import NotFound
from ui.app import load_stylesheet
from ui.till.screen import TillScreen
from ui.window import TillWindow


@pytest.fixture(scope="session")
def styled_app(qapp: QApplication) -> QApplication:
    qapp.setStyleSheet(load_stylesheet())
    return qapp


@dataclass
class DemoCodes:
    """Codes of the seeded demo shop, discovered through the service, not hard-coded."""

    packaged: list[CartItem]
    weighed: list[CartItem]


@pytest.fixture
def codes(sqlite_shop: Any) -> DemoCodes:
    sales = sqlite_shop.sales()
    packaged, weighed = [], []
    for n in range(1, 61):
        for code, bucket in ((f"G{n:06d}", packaged), (f"W{n:06d}", weighed)):
            with contextlib.suppress(NotFound):
                bucket.append(sales.lookup(code))
    assert len(packaged) >= 5
    assert weighed
    return DemoCodes(packaged, weighed)


@pytest.fixture
def window(qtbot: Any, styled_app: QApplication, sqlite_shop: Any) -> Iterator[TillWindow]:
    win = TillWindow(sqlite_shop)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    # The shop is attached (settings read on the worker, till screen built).
    qtbot.waitUntil(lambda: win.till is not None)
    yield win
    # Wait for any write in flight before the database is closed under it.
    win.shutdown()
    win.close()


class Cashier:
    """Key presses on the till, as a person types them."""

    def __init__(self, qtbot: Any, window: TillWindow) -> None:
        self.qtbot = qtbot
        self.window = window
        assert window.till is not None, "the shop is not open yet"
        self.till: TillScreen = window.till
        # The shop's set-up journals its own entries; what the cashier does comes after.
        self.journal_start = len(self._entries())

    def sign_in(self, username: str = "cashier", pin: str = "1234") -> None:
        login = self.window.login
        self.qtbot.keyClicks(login.username_field, username)
        self.qtbot.keyClick(login.username_field, Qt.Key.Key_Return)
        self.qtbot.keyClicks(login.pin_field, pin)
        self.qtbot.keyClick(login.pin_field, Qt.Key.Key_Return)
        self.qtbot.waitUntil(lambda: self.till.session is not None)
        # The till looks for a sale left open on this register (a few milliseconds).
        self.qtbot.waitUntil(lambda: not self.till.controller.drafts.restoring)

    def type(self, text: str, widget: QWidget | None = None) -> None:
        self.qtbot.keyClicks(widget or self.till.scan_field, text)

    def key(self, key: Qt.Key, widget: QWidget | None = None) -> None:
        if widget is None or widget.window() is self.window:
            # Shortcuts need the till's window active again after a dialog (a person
            # is never faster than the window system).
            self.qtbot.waitUntil(lambda: QApplication.activeWindow() is self.window)
        self.qtbot.keyClick(widget or self.till.scan_field, key)

    def keypad(self, key: Qt.Key) -> None:
        """A key of the numeric keypad (its + and - act on the selected line)."""
        self.qtbot.keyClick(self.till.scan_field, key, Qt.KeyboardModifier.KeypadModifier)

    def scan(self, code: str) -> None:
        """Typed into the scan field and Enter, as a scanner does when the field has focus."""
        self.type(code)
        self.key(Qt.Key.Key_Return)

    def wedge_burst(self, code: str, widget: QWidget) -> None:
        """A scanner burst: every key within microseconds of the last, then Enter."""
        QTest.keyClicks(widget, code)
        QTest.keyClick(widget, Qt.Key.Key_Return)

    def pay(self) -> None:
        self.key(Qt.Key.Key_F12)
        self.qtbot.waitUntil(lambda: self.till.payment_panel.payment is not None)

    def read_the_due(self) -> None:
        """Look at the amount due long enough for Enter to mean exact cash."""
        self.qtbot.wait(self.till.payment_panel.exact_cash_delay_ms + 50)

    def journal_kinds(self) -> list[str]:
        return [str(body["kind"]) for body in self.journal()]

    def journal(self) -> list[dict[str, Any]]:
        """The journal entries made since this cashier came to the till."""
        return self._entries()[self.journal_start :]

    def _entries(self) -> list[dict[str, Any]]:
        backend = self.window.backend
        assert backend is not None
        with backend.uow_factory() as uow:  # type: ignore[attr-defined]
            return [json.loads(record.body) for record in uow.journal.records()]

    @property
    def amount_field(self) -> QWidget:
        return self.till.payment_panel.amount_field

    def wait_idle(self) -> None:
        self.qtbot.waitUntil(lambda: not self.window.runner.busy)

    def dialog(self, kind: type) -> Any:
        self.qtbot.waitUntil(lambda: isinstance(self.till.dialog, kind))
        return self.till.dialog

    def lines(self) -> list[tuple[str, str]]:
        """(SKU, quantity) per cart line."""
        cart = self.till.cart
        assert cart is not None
        return [(line.item.sku, str(line.quantity)) for line in cart.lines]


@pytest.fixture
def sign_in(qtbot: Any, window: TillWindow) -> Callable[[str, str], Cashier]:
    """Sign someone in through the login screen; returns who is now at the till."""

    def signed_in(username: str, pin: str) -> Cashier:
        person = Cashier(qtbot, window)
        person.sign_in(username, pin)
        till = window.till
        # Ready to scan, or to pay for a sale the till had open when it stopped.
        qtbot.waitUntil(
            lambda: till.scan_field.hasFocus() or till.payment_panel.amount_field.hasFocus()
        )
        return person

    return signed_in


@pytest.fixture
def cashier(sign_in: Callable[[str, str], Cashier]) -> Cashier:
    return sign_in("cashier", "1234")
