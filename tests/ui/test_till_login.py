"""Signing in with the on-screen PIN pad and the keyboard."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from ui.common.widgets import BACKSPACE, ENTER
from ui.window import TillWindow


def tap_pin(qtbot: Any, window: TillWindow, pin: str) -> None:
    for digit in pin:
        qtbot.mouseClick(window.login.keypad.button(digit), Qt.MouseButton.LeftButton)


def test_wrong_pin_then_right_pin_on_the_keypad(qtbot: Any, window: TillWindow) -> None:
    login = window.login
    assert login.pin_field.echoMode() is QLineEdit.EchoMode.Password
    qtbot.keyClicks(login.username_field, "cashier")
    qtbot.keyClick(login.username_field, Qt.Key.Key_Return)
    assert login.pin_field.hasFocus()

    tap_pin(qtbot, window, "9999")
    assert login.pin_field.text() == "9999"
    qtbot.mouseClick(login.keypad.button(ENTER), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: login.error_label.isVisible())
    assert login.error_label.text() == "Unknown user or wrong PIN"
    assert login.pin_field.text() == ""
    assert window.pages.currentWidget() is login

    tap_pin(qtbot, window, "12345")
    qtbot.mouseClick(login.keypad.button(BACKSPACE), Qt.MouseButton.LeftButton)
    assert login.pin_field.text() == "1234"
    qtbot.mouseClick(login.keypad.button(ENTER), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.till)
    assert window.cashier_label.text() == "Casey Cashier"
    assert window.shop_label.text() == "Corner Grocer & Goods"
    assert window.till.scan_field.hasFocus()


def test_keyboard_digits_backspace_and_enter(qtbot: Any, window: TillWindow) -> None:
    login = window.login
    qtbot.keyClicks(login.username_field, "manager")
    qtbot.keyClick(login.username_field, Qt.Key.Key_Return)
    qtbot.keyClicks(login.pin_field, "43219")
    qtbot.keyClick(login.pin_field, Qt.Key.Key_Backspace)
    qtbot.keyClick(login.pin_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.till.session is not None)
    assert window.till.session is not None
    assert window.till.session.operator.username == "manager"


def test_sign_out_returns_to_the_login_screen(qtbot: Any, window: TillWindow) -> None:
    login = window.login
    qtbot.keyClicks(login.username_field, "cashier")
    qtbot.keyClicks(login.pin_field, "1234")
    qtbot.keyClick(login.pin_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.till.session is not None)
    qtbot.mouseClick(window.sign_out_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is login
    assert window.till.session is None
    assert login.username_field.text() == ""
