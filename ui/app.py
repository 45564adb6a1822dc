"""Starting the till: the QApplication, the style sheet and the window.

``main.cmd_run`` calls :func:`run_till` with a callable that opens the shop (imports
SQLAlchemy, migrates, may seed a demo shop: seconds on a first run). The sign-in screen is
put on screen first; the shop is opened afterwards on the database worker while the cashier
is already typing, and the till screen is built once it is open.

With ``exit_when_ready`` (the benchmark's cold start) ``READY`` is printed once the sign-in
window has been shown and painted, ``BACKEND`` once the shop is open and the till screen
built (``SETUP`` instead when the database is empty and the first-run screen is shown); then
the window is closed and 0 returned (1, with ``BACKEND FAILED: <why>`` on stderr, if the shop
could not be opened). With a :class:`Rehearsal` as well, the cashier's first moments are
played with key presses right after ``READY``: user name, Enter, PIN, Enter (the real sign-in,
scrypt and all), ``SIGNED_IN`` when the till screen is up, then a code and Enter, ``SCANNED``
once its line is in the cart; the window closes after that instead.

Every module imported on the way to ``READY`` is kept light: no SQLAlchemy, no Babel, none of
the till screen's modules (see :mod:`ui.window`).
"""

from __future__ import annotations

import gc
import importlib.resources as package_files
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from PySide6.QtWidgets import QApplication

from ui.common.imports import check_sources_by_bytes

check_sources_by_bytes()  # before the window's modules and the database layer load

from ui.backend import TillBackend  # noqa: E402
from ui.window import APP_NAME, TillWindow  # noqa: E402

log = logging.getLogger(__name__)

STYLE_PACKAGE = "resources.styles"
STYLE_FILE = "till.qss"
REHEARSAL_SCAN_S = 10.0
"""How long the bench's rehearsed scan may take before it counts as failed."""


def load_stylesheet() -> str:
    """The till's QSS, or "" (Qt's default look) if the file is missing."""
    try:
        return package_files.files(STYLE_PACKAGE).joinpath(STYLE_FILE).read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as error:
        log.warning("till style sheet not found: %s", error)
        return ""


def application() -> QApplication:
    """The running QApplication, created (and styled) if there is none yet."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        app = QApplication(sys.argv[:1])
        app.setApplicationName(APP_NAME)
    app.setStyleSheet(load_stylesheet())
    return app


def _say(stream: TextIO, line: str) -> None:
    # Flushed at once: the benchmark times these lines as they arrive.
    stream.write(line + "\n")
    stream.flush()


@dataclass(frozen=True)
class Rehearsal:
    """What the benchmark's cold start types: a cashier signing in and scanning one code."""

    username: str
    pin: str
    code: str


def _rehearse(window: TillWindow, rehearsal: Rehearsal, done: Callable[[int], None]) -> None:
    """Type the sign-in now (it queues behind the shop opening, as a quick cashier's would)
    and the scan once the till screen is up."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest

    def signed_in() -> None:
        _say(sys.stdout, "SIGNED_IN")
        till = window.till
        assert till is not None
        QTest.keyClicks(till.scan_field, rehearsal.code)
        QTest.keyClick(till.scan_field, Qt.Key.Key_Return)
        # The scan waits (a few ms) while the till looks for a sale left open on this
        # register: watch for the line rather than expect it at once.
        deadline = time.monotonic() + REHEARSAL_SCAN_S
        watch = QTimer(window)

        def check() -> None:
            if till.cart is not None and not till.cart.is_empty:
                watch.stop()
                QApplication.processEvents()  # the line painted
                _say(sys.stdout, "SCANNED")
                done(0)
            elif time.monotonic() > deadline:
                watch.stop()
                _say(sys.stderr, f"REHEARSAL FAILED: {rehearsal.code} did not scan")
                done(1)

        watch.timeout.connect(check)
        watch.start(1)
        check()

    def refused(message: str) -> None:
        _say(sys.stderr, f"REHEARSAL FAILED: {message}")
        done(1)

    window.login.signed_in.connect(signed_in)
    window.login.refused.connect(refused)
    window.backend_failed.connect(lambda _message: done(1))
    QTest.keyClicks(window.login.username_field, rehearsal.username)
    QTest.keyClick(window.login.username_field, Qt.Key.Key_Return)
    QTest.keyClicks(window.login.pin_field, rehearsal.pin)
    QTest.keyClick(window.login.pin_field, Qt.Key.Key_Return)


def _collect_from_now_on(*_: object) -> None:
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def show_on_whole_screen(window: TillWindow) -> None:
    """Show the till over the whole screen, with the keyboard focus. A till PC often runs no
    window manager: there "maximized" means nothing, so the window takes the screen's size
    itself (PAY stays on screen at 1024×768), and nobody gives it the focus, while Qt's
    shortcuts (the F-keys) act only in the active window, so it takes that too."""
    screen = window.screen()
    if screen is not None:
        window.setGeometry(screen.availableGeometry())
    window.showMaximized()
    window.raise_()
    window.activateWindow()


def run_till(
    open_backend: Callable[[], TillBackend],
    exit_when_ready: bool = False,
    rehearsal: Rehearsal | None = None,
) -> int:
    """Show the sign-in screen, open the shop behind it, then the till; returns the process
    exit code."""
    # Starting up allocates much and frees little: the cyclic collector would walk the new
    # modules and classes again and again. It is off until the shop is open; what is alive
    # then is frozen, so later collections (mid-sale) skip it.
    gc.disable()
    app = application()
    window = TillWindow()
    if exit_when_ready:
        window.show()
    else:
        show_on_whole_screen(window)
    window.backend_ready.connect(_collect_from_now_on)
    window.backend_failed.connect(_collect_from_now_on)
    # Paint the sign-in screen before any database work starts competing for the CPU.
    app.processEvents()
    if not exit_when_ready:
        window.open_backend(open_backend)
        return app.exec()

    _say(sys.stdout, "READY")
    outcome: list[int] = []

    def finish(code: int) -> None:
        if not outcome:
            outcome.append(code)
            app.exit(code)

    def ready() -> None:
        _say(sys.stdout, "BACKEND")
        if rehearsal is None:
            finish(0)

    def setup_needed() -> None:
        _say(sys.stdout, "SETUP")
        outcome.append(0)
        app.exit(0)

    def failed(message: str) -> None:
        _say(sys.stderr, f"BACKEND FAILED: {message}")
        finish(1)

    window.backend_ready.connect(ready)
    window.setup_needed.connect(setup_needed)
    window.backend_failed.connect(failed)
    window.open_backend(open_backend)
    if rehearsal is not None:
        _rehearse(window, rehearsal, finish)
    app.exec()
    window.close()  # waits for the worker, so the caller may close the backend after us
    return outcome[0] if outcome else 1
