"""The till fits a 1366×768 and a 1024×768 screen with no window manager: every button on
screen is inside the window, whatever banner, receipt or payment panel is shown, and a long
message never moves PAY or the line buttons."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from ui.till.view import LeftPage

SIZES = [(1366, 768), (1024, 768)]
LONG_ERROR = (
    "Not enough Wholegrain Basmati Rice 1 kg in stock: 0 left, 3 wanted. A manager can "
    "approve selling it below zero; or remove it. The card payment of €25.40 stays taken "
    "until you complete the sale or void it, and then reverse it on the card terminal."
)
SHOTS = os.environ.get("TILLWRIGHT_SHOTS_DIR")


def shown_buttons(window: QWidget) -> list[QPushButton]:
    return [b for b in window.findChildren(QPushButton) if b.isVisibleTo(window)]


def check_fits(window: Any, tmp_path: Path, name: str) -> dict[str, QRect]:
    """Grab the window to a PNG, then check every button it shows: inside the window, not
    squeezed below a touch target, and not under the banner. Returns their places."""
    QApplication.processEvents()
    picture = window.grab()
    path = tmp_path / f"{name}.png"
    assert picture.save(str(path))
    if SHOTS:
        picture.save(str(Path(SHOTS) / f"{name}.png"))
    image = QImage(str(path))
    assert (image.width(), image.height()) == (window.width(), window.height())
    frame = window.rect()
    banner = window.till.banner
    banner_rect = (
        QRect(banner.mapTo(window, QPoint(0, 0)), banner.size()) if banner.isVisible() else None
    )
    places = {}
    for button in shown_buttons(window):
        rect = QRect(button.mapTo(window, QPoint(0, 0)), button.size())
        label = button.text() or button.objectName()
        assert frame.contains(rect), f"{name}: {label!r} at {rect} is outside {frame}"
        assert rect.height() >= 40, f"{name}: {label!r} squeezed to {rect.height()} px"
        if banner_rect is not None:
            assert not banner_rect.intersects(rect), f"{name}: the banner covers {label!r}"
        places[label] = rect
    return places


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_every_button_stays_on_screen_in_every_state(
    qtbot: Any, cashier: Any, codes: Any, tmp_path: Path, width: int, height: int
) -> None:
    window, till = cashier.window, cashier.till
    window.resize(width, height)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (width, height))
    for item in codes.packaged[:8]:
        cashier.scan(item.sku)
    cashier.scan(f"0.350*{codes.weighed[0].sku}")
    quiet = check_fits(window, tmp_path, f"{width}-sale")
    pay = quiet["PAY   F12"]
    assert pay.height() >= 80 and pay.width() >= 260  # the largest touch target

    till.banner.show_error(LONG_ERROR)
    with_error = check_fits(window, tmp_path, f"{width}-long-error")
    assert with_error == quiet  # the message moved nothing

    cashier.pay()
    cashier.type("2", cashier.amount_field)
    cashier.key(Qt.Key.Key_F5, cashier.amount_field)  # a card part, shown as a tender
    cashier.type("99999", cashier.amount_field)  # refused, with a message in the panel
    cashier.key(Qt.Key.Key_Return, cashier.amount_field)
    assert "is more than the" in till.payment_panel.status_label.text()
    till.banner.show_error(LONG_ERROR)
    paying = check_fits(window, tmp_path, f"{width}-payment")
    assert paying["CASH   F12"] == pay
    for key in ("Card  F5", "Back  Esc", "Exact", "0", "9", "⌫"):
        assert key in paying, key

    cashier.amount_field.clear()
    cashier.type("200", cashier.amount_field)
    with qtbot.waitSignal(till.sale_completed):
        cashier.key(Qt.Key.Key_Return, cashier.amount_field)
    assert till.left_stack.currentIndex() == LeftPage.RECEIPT
    till.banner.show_error(LONG_ERROR)
    receipt = check_fits(window, tmp_path, f"{width}-receipt")
    assert receipt["PAY   F12"] == pay
    for label in ("Qty  F4", "Remove  Del", "Park  F9", "Void  F3"):
        assert receipt[label] == quiet[label]
