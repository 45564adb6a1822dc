"""The till's look: a screenshot of a sale in progress, and the cold-start entry point."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage

from ui.app import load_stylesheet, run_till

DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "img" / "till.png"


def test_screenshot_of_a_sale_in_progress(
    qtbot: Any, cashier: Any, codes: Any, tmp_path: Path
) -> None:
    cashier.scan(f"2*{codes.packaged[0].sku}")
    cashier.scan(codes.packaged[1].sku)
    cashier.scan(f"0.350*{codes.weighed[0].sku}")
    assert len(cashier.lines()) == 3
    qtbot.wait(50)  # let the layout settle before painting
    picture = cashier.window.grab()
    path = tmp_path / "till.png"
    assert picture.save(str(path))
    image = QImage(str(path))
    assert (image.width(), image.height()) == (1280, 800)
    # The style sheet is in force: the big TOTAL is painted in green.
    total = cashier.till.totals_panel.total_label.grab().toImage()
    colours = {
        total.pixelColor(x, y).getRgb()[:3]
        for x in range(0, total.width(), 3)
        for y in range(0, total.height(), 3)
    }
    assert any(g > r + 60 and g > b + 30 for r, g, b in colours)
    if os.environ.get("TILLWRIGHT_UPDATE_SCREENSHOTS"):
        DOCS_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        assert picture.save(str(DOCS_SCREENSHOT))


def test_style_sheet_ships_with_the_package() -> None:
    style = load_stylesheet()
    assert "#totalAmount" in style
    assert "#payButton" in style


def test_run_till_exit_when_ready(
    qapp: Any, sqlite_shop: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_till(lambda: sqlite_shop, exit_when_ready=True) == 0
    assert capsys.readouterr().out == "READY\nBACKEND\n"


def test_the_till_takes_the_whole_screen_and_the_keyboard(qtbot: Any, styled_app: Any) -> None:
    """No window manager on a till PC: the window sizes itself to the screen and takes the
    focus the F-keys need (what `main.py run` does)."""
    from ui.app import show_on_whole_screen
    from ui.window import TillWindow

    window = TillWindow()
    qtbot.addWidget(window)
    show_on_whole_screen(window)
    qtbot.waitExposed(window)
    screen = window.screen()
    assert screen is not None
    assert window.size() == screen.availableGeometry().size()
    qtbot.waitUntil(window.isActiveWindow)
    window.shutdown()
