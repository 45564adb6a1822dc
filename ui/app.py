"""Starting the till: the QApplication, the style sheet and the window.

``main.cmd_run`` calls :func:`run_till`; with ``exit_when_ready`` the window is built and
shown, events are processed once, ``READY`` is printed and the function returns 0 (the
benchmark measures cold start with it).
"""

from __future__ import annotations

import importlib.resources as package_files
import logging
import sys

from PySide6.QtWidgets import QApplication

from ui.backend import TillBackend
from ui.i18n import install_translator
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


def run_till(context: TillBackend, exit_when_ready: bool = False) -> int:
    """Show the sign-in screen, then the till; returns the process exit code."""
    app = application()
    try:
        locale = context.shop.settings().locale
    except Exception:  # the locale only picks a translation: never stop the till for it
        log.warning("could not read the shop's locale", exc_info=True)
        locale = ""
    if locale:
        install_translator(app, locale)
    window = TillWindow(context)
    if exit_when_ready:
        window.show()
        app.processEvents()
        sys.stdout.write("READY\n")
        sys.stdout.flush()
        window.close()
        return 0
    window.showMaximized()
    return app.exec()
