"""Start-up: the sign-in screen comes first, the shop opens behind it on the worker.

The window is usable for typing while the database is still opening; a sign-in asked for
meanwhile waits for it; a shop that cannot be opened says why and refuses sign-ins. The
subprocess tests check what the cold start imports and the real ``main.py run`` entry point.
"""

from __future__ import annotations

import gc
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

import ui.window
from app.errors import EnvironmentProblem
from ui.app import run_till
from ui.backend import TillBackend
from ui.common.widgets import ENTER
from ui.window import OPEN_FAILED, TillWindow

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE = "The database server is not reachable — check the network cable"
# What the first paint must not wait for: the database layer, Babel and the till screen.
HEAVY_MODULES = (
    "sqlalchemy",
    "alembic",
    "babel",
    "app.documents.receipt",
    "ui.till.screen",
    "ui.till.payment",
    "ui.till.dialogs",
    "ui.till.search_popup",
    "app.documents.formatter",
)


class GatedOpener:
    """An ``open_backend`` that waits (on the worker) until the test lets it finish."""

    def __init__(self, open_backend: Callable[[], TillBackend]) -> None:
        self.gate = threading.Event()
        self.started = threading.Event()
        self.ui_thread = threading.main_thread()
        self.ran_on_ui_thread: bool | None = None
        self._open = open_backend

    def __call__(self) -> TillBackend:
        self.ran_on_ui_thread = threading.current_thread() is self.ui_thread
        self.started.set()
        assert self.gate.wait(30), "the test never let the shop open"
        return self._open()


@pytest.fixture
def starting(
    qtbot: Any, styled_app: QApplication
) -> Iterator[Callable[[Callable[[], TillBackend]], tuple[TillWindow, GatedOpener]]]:
    """A window on screen with its shop opening through a gated opener, as run_till does."""
    made: list[tuple[TillWindow, GatedOpener]] = []

    def start(open_backend: Callable[[], TillBackend]) -> tuple[TillWindow, GatedOpener]:
        opener = GatedOpener(open_backend)
        win = TillWindow()
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        win.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
        win.open_backend(opener)
        made.append((win, opener))
        return win, opener

    yield start
    for win, opener in made:
        opener.gate.set()  # never leave the worker waiting: shutdown would wait for it
        win.shutdown()
        win.close()


def test_sign_in_screen_is_typeable_before_the_shop_is_open(
    qtbot: Any, starting: Any, sqlite_shop: Any
) -> None:
    window, opener = starting(lambda: sqlite_shop)
    login = window.login
    qtbot.waitUntil(opener.started.is_set)
    assert opener.ran_on_ui_thread is False
    assert window.till is None  # the till screen is built once the shop is open
    assert window.pages.currentWidget() is login
    assert login.status_label.isVisible()
    assert login.status_label.text() == "Opening the shop…"

    assert login.username_field.hasFocus()
    qtbot.keyClicks(login.username_field, "cashier")
    qtbot.keyClick(login.username_field, Qt.Key.Key_Return)
    assert login.pin_field.hasFocus()
    for digit in "1234":
        qtbot.mouseClick(login.keypad.button(digit), Qt.MouseButton.LeftButton)
    assert login.username_field.text() == "cashier"
    assert login.pin_field.text() == "1234"

    # Enter queues the sign-in behind the opening job; nothing happens until the shop is open.
    qtbot.keyClick(login.pin_field, Qt.Key.Key_Return)
    assert not login.keypad.isEnabled()
    qtbot.wait(100)
    assert window.till is None
    assert window.pages.currentWidget() is login
    assert not login.error_label.isVisible()

    opener.gate.set()
    qtbot.waitUntil(lambda: window.till is not None and window.till.session is not None)
    till = window.till
    assert till is not None and till.session is not None
    assert till.session.operator.username == "cashier"
    assert window.pages.currentWidget() is till
    assert window.shop_label.text() == "Corner Grocer & Goods"
    assert window.register_label.text() == f"Register {sqlite_shop.register_code}"
    assert window.cashier_label.text() == "Casey Cashier"
    assert not login.status_label.isVisible()
    qtbot.waitUntil(till.scan_field.hasFocus)


def test_the_status_line_goes_once_the_shop_is_open(
    qtbot: Any, starting: Any, sqlite_shop: Any
) -> None:
    window, opener = starting(lambda: sqlite_shop)
    with qtbot.waitSignal(window.backend_ready):
        opener.gate.set()
    login = window.login
    assert window.backend is sqlite_shop
    assert not login.status_label.isVisible()
    assert login.can_sign_in
    assert login.keypad.isEnabled()
    assert window.pages.currentWidget() is login


def test_a_shop_that_cannot_be_opened_says_why_and_refuses_sign_in(
    qtbot: Any, starting: Any
) -> None:
    def unreachable() -> TillBackend:
        raise EnvironmentProblem(UNREACHABLE)

    window, opener = starting(unreachable)
    login = window.login
    qtbot.keyClicks(login.username_field, "cashier")
    qtbot.keyClicks(login.pin_field, "1234")
    qtbot.keyClick(login.pin_field, Qt.Key.Key_Return)  # queued behind the opening job

    with qtbot.waitSignal(window.backend_failed) as failed:
        opener.gate.set()
    assert failed.args == [UNREACHABLE]
    qtbot.waitUntil(lambda: not window.runner.busy)  # the queued sign-in came back too
    assert login.error_label.isVisible()
    assert login.error_label.text() == UNREACHABLE
    assert not login.status_label.isVisible()
    assert not login.can_sign_in
    assert not login.keypad.isEnabled()
    assert not login.keypad.button(ENTER).isEnabled()
    assert not login.pin_field.isEnabled()
    assert window.till is None
    assert window.backend is None

    login.submit()  # Enter or the keypad: nothing is queued any more
    assert not window.runner.busy
    assert login.error_label.text() == UNREACHABLE


def test_an_unexpected_failure_is_logged_and_named_vaguely(
    qtbot: Any, starting: Any, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> TillBackend:
        raise RuntimeError("no such table: shop_setting")

    window, opener = starting(broken)
    with caplog.at_level(logging.ERROR), qtbot.waitSignal(window.backend_failed) as failed:
        opener.gate.set()
    assert failed.args == [OPEN_FAILED]
    assert window.login.error_label.text() == OPEN_FAILED
    record = next(r for r in caplog.records if r.exc_info)
    assert "no such table" in str(record.exc_info[1])


def test_the_shops_locale_picks_the_translation(
    qtbot: Any, starting: Any, sqlite_shop: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def install(app: Any, locale: str) -> None:
        asked.append(locale)  # no .qm files ship yet: nothing to install

    monkeypatch.setattr(ui.window, "install_translator", install)
    window, opener = starting(lambda: sqlite_shop)
    with qtbot.waitSignal(window.backend_ready):
        opener.gate.set()
    assert asked == [sqlite_shop.shop.settings().locale]


def test_run_till_reports_a_shop_that_cannot_be_opened(
    qapp: QApplication, capsys: pytest.CaptureFixture[str]
) -> None:
    def unreachable() -> TillBackend:
        raise EnvironmentProblem(UNREACHABLE)

    assert run_till(unreachable, exit_when_ready=True) == 1
    printed = capsys.readouterr()
    assert printed.out == "READY\n"
    assert printed.err == f"BACKEND FAILED: {UNREACHABLE}\n"


def test_run_till_paints_before_it_opens_the_shop(
    qapp: QApplication, sqlite_shop: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[str] = []

    def open_backend() -> TillBackend:
        seen.append(capsys.readouterr().out)  # READY has been printed by now
        return sqlite_shop

    assert run_till(open_backend, exit_when_ready=True) == 0
    assert seen == ["READY\n"]
    assert capsys.readouterr().out == "BACKEND\n"


def _child_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["TILLWRIGHT_HOME"] = str(home)
    env.pop("TILLWRIGHT_DB", None)
    env.pop("TILLWRIGHT_REGISTER", None)
    return env


# Runs in a fresh interpreter: the opener starts after READY and lists what was imported by
# then, then refuses to open so no database is needed.
LIGHT_START = f"""
import sys
from app.errors import EnvironmentProblem
from ui.app import run_till

HEAVY = {HEAVY_MODULES!r}

def open_backend():
    loaded = sorted(
        name for name in list(sys.modules)
        if any(name == heavy or name.startswith(heavy + ".") for heavy in HEAVY)
    )
    raise EnvironmentProblem("loaded before READY: " + ",".join(loaded))

sys.exit(run_till(open_backend, exit_when_ready=True))
"""


def test_nothing_heavy_is_imported_before_the_window_is_ready(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", LIGHT_START],
        cwd=ROOT,
        env=_child_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout == "READY\n"
    assert "BACKEND FAILED: loaded before READY: \n" in done.stderr
    assert done.returncode == 1


def test_main_run_says_ready_then_backend(sqlite_url: str, sqlite_shop: Any, home: Path) -> None:
    done = subprocess.run(
        [sys.executable, "main.py", "--db", sqlite_url, "run", "--exit-when-ready"],
        cwd=ROOT,
        env=_child_env(home),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["READY", "BACKEND"]


def _rehearse(sqlite_url: str, home: Path, pin: str, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", "--db", sqlite_url, "run", "--rehearse", "cashier", code],
        cwd=ROOT,
        env=_child_env(home),
        input=pin + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_rehearsed_cashier_signs_in_by_key_presses_and_scans(
    sqlite_url: str, sqlite_shop: Any, home: Path, codes: Any
) -> None:
    done = _rehearse(sqlite_url, home, "1234", codes.packaged[0].sku)

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["READY", "BACKEND", "SIGNED_IN", "SCANNED"]
    assert "1234" not in done.stdout + done.stderr  # the PIN came on stdin and stays there


def test_a_rehearsal_with_a_wrong_pin_or_code_says_so_and_fails(
    sqlite_url: str, sqlite_shop: Any, home: Path, codes: Any
) -> None:
    wrong_pin = _rehearse(sqlite_url, home, "0000", codes.packaged[0].sku)
    unknown = _rehearse(sqlite_url, home, "1234", "NO-SUCH-CODE")

    assert wrong_pin.returncode == 1
    assert "SIGNED_IN" not in wrong_pin.stdout
    assert "REHEARSAL FAILED:" in wrong_pin.stderr
    assert unknown.returncode == 1
    assert "SCANNED" not in unknown.stdout
    assert "REHEARSAL FAILED: NO-SUCH-CODE did not scan" in unknown.stderr


def test_the_collector_is_off_while_starting_and_on_once_the_shop_is_open(
    qapp: QApplication, sqlite_shop: Any
) -> None:
    enabled_while_opening: list[bool] = []

    def open_backend() -> TillBackend:
        enabled_while_opening.append(gc.isenabled())
        return sqlite_shop

    assert run_till(open_backend, exit_when_ready=True) == 0
    assert enabled_while_opening == [False]
    assert gc.isenabled()


# Runs in a fresh interpreter: a module imported after the till's UI must not leave its
# source in linecache (PySide6's import hook read it whole before; see ui/common/imports.py).
NO_SOURCE_KEPT = """
import linecache, sys
import ui.app  # PySide6 and the till's window modules
sys.path.insert(0, sys.argv[1])
import freshly_imported
import shibokensupport.feature as feature
print(freshly_imported.__file__ in linecache.cache, feature.pyside_feature_dict["freshly_imported"])
"""


def test_modules_imported_after_pyside_are_not_read_into_linecache(tmp_path: Path) -> None:
    (tmp_path / "freshly_imported.py").write_text('"""A module."""\nVALUE = 1\n', "utf-8")

    done = subprocess.run(
        [sys.executable, "-c", NO_SOURCE_KEPT, str(tmp_path)],
        cwd=ROOT,
        env=_child_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    # Not kept, and still classified as PySide6 classified it: a module without PySide6.
    assert done.stdout.split() == ["False", "-1"]
