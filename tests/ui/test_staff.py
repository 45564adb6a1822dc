"""The staff screen at the till: a manager unlocks a locked cashier and gives a new PIN, with
the keyboard; a cashier never reaches it; a manager cannot touch the owner."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.errors import AuthenticationFailed
from ui.staff.screen import PinDialog, StaffDialog
from ui.window import TillWindow


def lock_cashier(shop: Any) -> None:
    for _ in range(shop.pin_policy.max_failures):
        with pytest.raises(AuthenticationFailed):
            shop.auth.login("cashier", "0000")


def open_staff(person: Any, window: TillWindow) -> StaffDialog:
    person.key(Qt.Key.Key_F2)
    person.qtbot.waitUntil(lambda: window.staff is not None)
    dialog = window.staff
    assert dialog is not None
    person.qtbot.waitUntil(lambda: dialog.list.count() == 3 and not dialog.busy)
    return dialog


def test_a_manager_unlocks_a_locked_cashier(
    qtbot: Any, window: TillWindow, sign_in: Any, sqlite_shop: Any
) -> None:
    lock_cashier(sqlite_shop)
    manager = sign_in("manager", "4321")
    assert window.staff_button.isVisible()
    assert window.staff_button.text() == "Staff  F2"
    dialog = open_staff(manager, window)
    chosen = dialog.chosen()
    assert chosen is not None and chosen.username == "cashier" and chosen.locked
    assert "LOCKED" in dialog.list.currentItem().text()

    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.status.text() == "Casey Cashier is unlocked")
    qtbot.waitUntil(lambda: not dialog.busy and "active" in dialog.list.currentItem().text())
    assert sqlite_shop.auth.login("cashier", "1234").username == "cashier"

    qtbot.keyClick(dialog.list, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.staff is None)
    qtbot.waitUntil(window.till.scan_field.hasFocus)


def test_a_manager_gives_a_cashier_a_new_pin(
    qtbot: Any, window: TillWindow, sign_in: Any, sqlite_shop: Any
) -> None:
    manager = sign_in("manager", "4321")
    dialog = open_staff(manager, window)
    assert dialog.chosen().username == "cashier"  # listed first
    qtbot.keyClick(dialog.list, Qt.Key.Key_F4)
    qtbot.waitUntil(lambda: isinstance(dialog.pin_dialog, PinDialog))
    pins = dialog.pin_dialog
    assert pins is not None
    qtbot.keyClicks(pins.first, "1111")
    qtbot.keyClick(pins.first, Qt.Key.Key_Return)
    qtbot.keyClicks(pins.second, "1111")
    qtbot.keyClick(pins.second, Qt.Key.Key_Return)
    assert "one digit repeated" in pins.error_label.text()
    assert pins.focusWidget() is pins.first
    qtbot.keyClicks(pins.first, "2580")
    qtbot.keyClick(pins.first, Qt.Key.Key_Return)
    qtbot.keyClicks(pins.second, "2580")
    qtbot.keyClick(pins.second, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.status.text() == "Casey Cashier has a new PIN")
    qtbot.waitUntil(lambda: not dialog.busy)
    assert sqlite_shop.auth.login("cashier", "2580").username == "cashier"
    with pytest.raises(AuthenticationFailed):
        sqlite_shop.auth.login("cashier", "1234")


def test_a_manager_cannot_change_the_owners_pin(
    qtbot: Any, window: TillWindow, sign_in: Any
) -> None:
    manager = sign_in("manager", "4321")
    dialog = open_staff(manager, window)
    dialog.list.setCurrentRow(2)
    assert dialog.chosen().username == "owner"
    qtbot.keyClick(dialog.list, Qt.Key.Key_F4)
    qtbot.waitUntil(lambda: dialog.pin_dialog is not None)
    pins = dialog.pin_dialog
    for field in (pins.first, pins.second):
        qtbot.keyClicks(field, "583920")
        qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.error_label.isVisible())
    assert "needs the owner" in dialog.error_label.text()


def test_a_cashier_has_no_staff_screen(qtbot: Any, window: TillWindow, cashier: Any) -> None:
    assert not window.staff_button.isVisible()
    cashier.key(Qt.Key.Key_F2)
    qtbot.wait(50)
    assert window.staff is None


def test_the_lockout_message_at_sign_in_says_who_can_unlock(
    qtbot: Any, window: TillWindow, sqlite_shop: Any
) -> None:
    lock_cashier(sqlite_shop)
    login = window.login
    qtbot.keyClicks(login.username_field, "cashier")
    qtbot.keyClick(login.username_field, Qt.Key.Key_Return)
    qtbot.keyClicks(login.pin_field, "1234")
    qtbot.keyClick(login.pin_field, Qt.Key.Key_Return)
    qtbot.waitUntil(login.error_label.isVisible)
    text = login.error_label.text()
    assert text.startswith("cashier is locked after too many wrong PINs")
    assert "A manager or the owner can unlock it now: Staff (F2) at the till" in text
