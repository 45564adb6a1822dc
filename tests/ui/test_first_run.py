"""The first run outside demo mode: an empty database shows the set-up screen, filled with key
presses at 1024×768, then the new owner signs in. ``make run`` (``run --demo``) seeds the demo
into its own folder, and never writes a demo PIN to the log."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QWidget

import main
from app.services.shop import ShopState
from ui.setup.screen import SetupScreen
from ui.window import TillWindow

ROOT = Path(__file__).resolve().parents[2]
PIN = "482916"


@pytest.fixture
def first_run(
    qtbot: Any, styled_app: QApplication, sqlite_url: str, home: Path
) -> Iterator[tuple[TillWindow, main.TillBackendOpener]]:
    """A till window at 1024×768 opening an empty database, as `main.py run` does."""
    opener = main.TillBackendOpener(sqlite_url, None, home=home)
    win = TillWindow()
    qtbot.addWidget(win)
    win.resize(1024, 768)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    with qtbot.waitSignal(win.setup_needed, timeout=30_000):
        win.open_backend(opener)
    yield win, opener
    win.shutdown()
    win.close()
    opener.close()


def type_into(qtbot: Any, field: QWidget, text: str | None) -> None:
    """Replace what a field holds (None: keep it), then Enter to move on."""
    assert field.hasFocus(), f"{field.objectName()} should have the focus"
    if text is not None:
        qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def fill(qtbot: Any, screen: SetupScreen, currency: str = "EUR") -> None:
    for field, text in (
        (screen.name, "Harbour Books"),
        (screen.address1, "3 Quay Street"),
        (screen.address2, "Galway"),
        (screen.tax_id, "IE9876543X"),
        (screen.country, "IE"),
        (screen.currency, currency),
        (screen.timezone, None),
        (screen.locale_field, None),
    ):
        type_into(qtbot, field, text)
    assert screen.cash_rounding.hasFocus()
    qtbot.keyClick(screen.cash_rounding, Qt.Key.Key_Down)  # 0.01 -> 0.05
    qtbot.keyClick(screen.cash_rounding, Qt.Key.Key_Return)
    type_into(qtbot, screen.register, None)
    assert screen.prices_include_tax.hasFocus()
    qtbot.keyClick(screen.prices_include_tax, Qt.Key.Key_Return)
    code, name, rate = screen.tax_rows[0]
    type_into(qtbot, code, None)
    type_into(qtbot, name, None)
    type_into(qtbot, rate, "23")
    for row in screen.tax_rows[1:]:
        for field in row:
            type_into(qtbot, field, None)
    type_into(qtbot, screen.username, "aoife")
    type_into(qtbot, screen.full_name, "Aoife Byrne")
    type_into(qtbot, screen.pin, PIN)
    qtbot.keyClicks(screen.pin_again, PIN)


def test_an_empty_database_shows_the_set_up_screen_not_sign_in(first_run: Any) -> None:
    window, opener = first_run
    assert window.pages.currentWidget() is window.setup_screen
    assert window.till is None
    assert window.setup_screen is not None and window.setup_screen.name.hasFocus()
    assert opener.context is not None
    assert opener.context.shop.state() is ShopState.EMPTY  # nothing seeded


def test_keys_set_up_the_shop_and_the_new_owner_signs_in(qtbot: Any, first_run: Any) -> None:
    window, opener = first_run
    screen = window.setup_screen
    assert screen is not None
    fill(qtbot, screen)
    with qtbot.waitSignal(window.backend_ready, timeout=30_000):
        qtbot.keyClick(screen.pin_again, Qt.Key.Key_Return)

    login = window.login
    assert window.pages.currentWidget() is login
    assert window.setup_screen is None
    assert login.username_field.text() == "aoife"
    assert login.status_label.text() == "Harbour Books is ready. Sign in as aoife."
    assert login.pin_field.hasFocus()
    qtbot.keyClicks(login.pin_field, PIN)
    qtbot.keyClick(login.pin_field, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.till is not None and window.till.session is not None, timeout=30_000
    )
    assert window.cashier_label.text() == "Aoife Byrne"
    assert window.shop_label.text() == "Harbour Books"
    assert window.staff_button.isVisible()  # the owner looks after staff
    settings = opener.context.shop.settings()
    assert (settings.currency.code, str(settings.cash_increment)) == ("EUR", "0.05")
    with opener.context.uow_factory() as uow:
        assert [u.username for u in uow.users.all()] == ["aoife"]


def test_a_bad_answer_is_named_its_field_focused_and_nothing_written(
    qtbot: Any, first_run: Any
) -> None:
    window, opener = first_run
    screen = window.setup_screen
    assert screen is not None
    fill(qtbot, screen, currency="EUX")
    qtbot.keyClick(screen.pin_again, Qt.Key.Key_Return)
    assert screen.error_label.isVisible()
    assert "Currency 'EUX' is not an ISO 4217 code" in screen.error_label.text()
    assert screen.currency.hasFocus()
    assert not window.runner.busy  # nothing was sent to the database
    assert opener.context.shop.state() is ShopState.EMPTY

    type_into(qtbot, screen.currency, "EUR")
    screen.pin_again.setFocus()
    qtbot.keyClick(screen.pin_again, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(screen.pin_again, "482917")
    qtbot.keyClick(screen.pin_again, Qt.Key.Key_Return)
    assert screen.error_label.text() == "The two PINs are not the same"
    assert opener.context.shop.state() is ShopState.EMPTY


def test_a_country_offers_its_currency_time_zone_and_locale(qtbot: Any, first_run: Any) -> None:
    window, _ = first_run
    screen = window.setup_screen
    assert screen is not None
    screen.timezone.setFocus()
    type_into(qtbot, screen.timezone, "Europe/Belfast")  # typed by hand: kept
    screen.country.setFocus()
    type_into(qtbot, screen.country, "GB")
    assert screen.currency.text() == "GBP"
    assert screen.locale_field.text() == "en_GB"
    assert screen.timezone.text() == "Europe/Belfast"


def test_the_set_up_screen_fits_1024_by_768(qtbot: Any, first_run: Any) -> None:
    window, _ = first_run
    screen = window.setup_screen
    assert screen is not None
    # With a message naming three bad answers: the tallest the screen gets.
    screen.show_error("\n".join(["• Currency 'EUX' is not an ISO 4217 code (like EUR)"] * 3))
    qtbot.wait(50)
    assert window.size().width() <= 1024 and window.size().height() <= 768
    inside = QRect(QPoint(0, 0), window.size())
    for widget in screen.findChildren(QWidget):
        if widget.isVisible() and widget.isWindow() is False:
            where = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
            assert inside.contains(where), f"{widget.objectName() or widget} is cut off: {where}"


def _child_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["TILLWRIGHT_HOME"] = str(home)
    env.pop("TILLWRIGHT_DB", None)
    env.pop("TILLWRIGHT_REGISTER", None)
    return env


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=ROOT,
        env=_child_env(home),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_main_run_on_an_empty_database_asks_for_set_up(home: Path) -> None:
    done = _run(home, "run", "--exit-when-ready")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["READY", "SETUP"]
    context = main.build_context(None, home=home, migrate=False)
    try:
        assert context.shop.state() is ShopState.EMPTY
    finally:
        context.close()


def test_run_demo_seeds_its_own_folder_and_logs_no_pin(home: Path) -> None:
    done = _run(home, "run", "--demo", "--exit-when-ready")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["READY", "BACKEND"]
    assert (home / "demo" / "tillwright.db").is_file()
    assert not (home / "tillwright.db").exists()  # a real shop's database is never seeded
    log = (home / "logs" / "tillwright.log").read_text()
    assert "Demo shop ready: 2000 products" in log
    assert "PIN" not in log.replace("PINs are in the README", "")
    demo = main.build_context(None, home=home / "demo", migrate=False)
    try:
        assert demo.auth.login("cashier", "1234").username == "cashier"
    finally:
        demo.close()


def test_the_demo_command_prints_the_pins_but_never_logs_them(home: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    done = _run(home, "--db", url, "demo", "--products", "20")
    assert done.returncode == 0, done.stderr
    assert "cashier (PIN 1234), manager (PIN 4321), owner (PIN 9999)" in done.stdout
    log = (home / "logs" / "tillwright.log").read_text()
    assert "Demo shop ready: 20 products" in log
    for pin in ("1234", "4321", "9999"):
        assert f"PIN {pin}" not in log


def test_the_command_line_loads_no_service_before_the_window(tmp_path: Path) -> None:
    # Every command, `run` included, builds the whole parser first: the set-up and staff
    # commands must not pull the services (or Babel, or the product import) in with it.
    probe = (
        "import sys, main, ui.cli; ui.cli.parser(); "
        "print(','.join(sorted(m for m in sys.modules if m.startswith("
        "('app.services', 'app.formats', 'app.dto.setup', 'babel', 'sqlalchemy')))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=_child_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
