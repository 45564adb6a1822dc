"""Starting the till: the QApplication, the style sheet and the window.

``main.cmd_run`` calls :func:`run_till` with a callable that opens the shop (imports
SQLAlchemy, migrates, may seed a demo shop: seconds on a first run). The sign-in screen is
put on screen first; the shop is opened afterwards on the database worker while the cashier
is already typing, and the till screen is built once it is open.

With ``exit_when_ready`` (the benchmark's cold start) ``READY`` is printed once the sign-in
window has been shown and painted, ``BACKEND`` once the shop is open and the till screen
built (``SETUP`` instead when the database is empty and the first-run screen is shown); then
the window is closed and 0 returned (1, with ``BACKEND FAILED: <why>`` on stderr, if the shop
could not be opened).

Every module imported on the way to ``READY`` is kept light: no SQLAlchemy, no Babel, none of
the till screen's modules (see :mod:`ui.window`).
"""

from __future__ import annotations

import importlib.resources as package_files
import logging
import sys
from collections.abc import Callable
from typing import TextIO

from PySide6.QtWidgets import QApplication

from ui.backend import TillBackend
from ui.window import APP_NAME, TillWindow

log = logging.getLogger(__name__)

STYLE_PACKAGE = "resources.styles"
STYLE_FILE = "till.qss"


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


def run_till(open_backend: Callable[[], TillBackend], exit_when_ready: bool = False) -> int:
    """Show the sign-in screen, open the shop behind it, then the till; returns the process
    exit code."""
    app = application()
    window = TillWindow()
    if exit_when_ready:
        window.show()
    else:
        window.showMaximized()
    # Paint the sign-in screen before any database work starts competing for the CPU.
    app.processEvents()
    if not exit_when_ready:
        window.open_backend(open_backend)
        return app.exec()

    _say(sys.stdout, "READY")
    outcome: list[int] = []

    def ready() -> None:
        _say(sys.stdout, "BACKEND")
        outcome.append(0)
        app.exit(0)

    def setup_needed() -> None:
        _say(sys.stdout, "SETUP")
        outcome.append(0)
        app.exit(0)

    def failed(message: str) -> None:
        _say(sys.stderr, f"BACKEND FAILED: {message}")
        outcome.append(1)
        app.exit(1)

    window.backend_ready.connect(ready)
    window.setup_needed.connect(setup_needed)
    window.backend_failed.connect(failed)
    window.open_backend(open_backend)
    app.exec()
    window.close()  # waits for the worker, so the caller may close the backend after us
    return outcome[0] if outcome else 1
