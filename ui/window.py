"""The till's main window: a dark header bar over the sign-in screen or the till screen."""

from __future__ import annotations

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.dto import ShopSettings
from ui.backend import Session, TillBackend
from ui.dialogs import describe_failure
from ui.i18n import tr
from ui.login import LoginScreen
from ui.scanner import DEFAULT_GAP_MS, DEFAULT_MIN_LENGTH
from ui.tasks import TaskRunner
from ui.till import TillScreen
from ui.widgets import make_button

APP_NAME = "Tillwright"


class TillWindow(QMainWindow):
    """Owns the background task runner; closing the window waits for writes in flight."""

    def __init__(
        self,
        backend: TillBackend,
        *,
        wedge_gap_ms: float = DEFAULT_GAP_MS,
        wedge_min_length: int = DEFAULT_MIN_LENGTH,
    ) -> None:
        super().__init__()
        self.setObjectName("tillWindow")
        self.setWindowTitle(APP_NAME)
        self.backend = backend
        self.runner = TaskRunner(self)
        self._closed = False

        self.shop_label = QLabel(APP_NAME)
        self.shop_label.setObjectName("shopName")
        self.register_label = QLabel(tr("Register {code}").format(code=backend.register_code))
        self.register_label.setObjectName("headerInfo")
        self.cashier_label = QLabel()
        self.cashier_label.setObjectName("cashierName")
        self.sign_out_button = make_button(tr("Sign out"), "signOutButton")
        self.sign_out_button.setMinimumWidth(120)
        self.sign_out_button.clicked.connect(self.sign_out)
        self.sign_out_button.hide()

        header = QFrame()
        header.setObjectName("header")
        header_row = QHBoxLayout(header)
        header_row.setContentsMargins(20, 8, 12, 8)
        header_row.setSpacing(20)
        header_row.addWidget(self.shop_label)
        header_row.addStretch(1)
        header_row.addWidget(self.register_label)
        header_row.addWidget(self.cashier_label)
        header_row.addWidget(self.sign_out_button)

        self.login = LoginScreen(backend, self.runner)
        self.login.signed_in.connect(self.start_session)
        self.till = TillScreen(
            backend, self.runner, wedge_gap_ms=wedge_gap_ms, wedge_min_length=wedge_min_length
        )
        self.pages = QStackedWidget()
        self.pages.addWidget(self.login)
        self.pages.addWidget(self.till)

        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(header)
        column.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.resize(1280, 800)

        # The shop's name for the header: a database read, so not on the UI thread.
        shop = backend.shop
        self.runner.submit(shop.settings, self._show_shop, self._settings_failed)
        self.login.reset()

    def _show_shop(self, settings: ShopSettings) -> None:
        self.shop_label.setText(settings.name)
        self.setWindowTitle(f"{settings.name} — {APP_NAME}")

    def _settings_failed(self, error: Exception) -> None:
        self.login.show_error(describe_failure(error))

    def start_session(self, session: Session) -> None:
        self._show_shop(session.settings)
        self.cashier_label.setText(session.operator.display_name)
        self.sign_out_button.show()
        self.pages.setCurrentWidget(self.till)
        self.till.begin(session)

    def sign_out(self) -> None:
        reason = self.till.why_not_sign_out()
        if reason is not None:
            self.till.banner.show_error(reason)
            return
        self.till.end()
        self.cashier_label.clear()
        self.sign_out_button.hide()
        self.pages.setCurrentWidget(self.login)
        self.login.reset()

    def shutdown(self) -> None:
        """Stop the keyboard filter and wait for any write in flight (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self.till.shutdown()
        self.runner.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
