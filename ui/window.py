"""The till's main window: a dark header bar over the sign-in screen or the till screen.

The window starts with the sign-in screen only, which is cheap to build, and opens the shop
on the database worker (:meth:`TillWindow.open_backend`). The till screen, with the heavy
imports behind it (dialogs, payment, search, Babel), is built once the shop is open
(:meth:`TillWindow.attach`). Nothing here may import them at module level: this module is on
the path to the first paint.

An empty database (outside demo mode) gets the first-run screen instead of sign-in
(ui.setup); once the shop is created it is opened afresh and its owner signs in. A manager or
owner at the till reaches the staff screen (ui.staff) with the header's Staff button or F2.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, QTimer, QTranslator, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.backend import BackendHolder, Session, TillBackend
from ui.common.failures import describe_failure
from ui.common.i18n import install_translator, tr
from ui.common.widgets import make_button
from ui.signin.screen import LoginScreen
from ui.tasks.broadcast import ChangeBroadcast
from ui.tasks.runner import TaskRunner
from ui.till.scanner import DEFAULT_GAP_MS, DEFAULT_MIN_LENGTH

if TYPE_CHECKING:
    from app.dto.shop import ShopSettings
    from ui.setup.screen import SetupScreen
    from ui.staff.screen import StaffDialog
    from ui.till.screen import TillScreen

log = logging.getLogger(__name__)

APP_NAME = "Tillwright"
OPEN_FAILED = "Could not open the shop — see the log"


class TillWindow(QMainWindow):
    """Owns the background task runner; closing the window waits for writes in flight.

    Pass an already-open ``backend`` to attach it straight away (its settings are still
    read on the worker), or leave it out and call :meth:`open_backend` once the window is on
    screen. ``backend_ready`` / ``backend_failed(message)`` tell how opening went.
    """

    backend_ready = Signal()
    backend_failed = Signal(str)
    setup_needed = Signal()
    """The database is empty: the first-run screen is showing."""

    def __init__(
        self,
        backend: TillBackend | None = None,
        *,
        wedge_gap_ms: float = DEFAULT_GAP_MS,
        wedge_min_length: int = DEFAULT_MIN_LENGTH,
    ) -> None:
        super().__init__()
        self.setObjectName("tillWindow")
        self.setWindowTitle(APP_NAME)
        self.backend: TillBackend | None = None
        self.broadcast: ChangeBroadcast | None = None
        self.till: TillScreen | None = None
        self.setup_screen: SetupScreen | None = None
        self.staff: StaffDialog | None = None
        self.session: Session | None = None
        self._opener: Callable[[], TillBackend] | None = None
        self.runner = TaskRunner(self)
        self._holder = BackendHolder()
        self._opening = False
        self._wedge = (wedge_gap_ms, wedge_min_length)
        self._translator: QTranslator | None = None
        self._closed = False

        self.shop_label = QLabel(APP_NAME)
        self.shop_label.setObjectName("shopName")
        self.register_label = QLabel()
        self.register_label.setObjectName("headerInfo")
        self.cashier_label = QLabel()
        self.cashier_label.setObjectName("cashierName")
        self.sign_out_button = make_button("", "signOutButton")
        self.sign_out_button.setMinimumWidth(120)
        self.sign_out_button.clicked.connect(self.sign_out)
        self.sign_out_button.hide()
        self.staff_button = make_button("", "signOutButton")
        self.staff_button.setMinimumWidth(120)
        self.staff_button.hide()
        self.staff_action = QAction(self)
        self.staff_action.setShortcut(QKeySequence(Qt.Key.Key_F2))
        self.staff_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.staff_action.triggered.connect(self.open_staff)
        self.addAction(self.staff_action)
        self.staff_button.clicked.connect(self.open_staff)
        sign_out = QAction(self)
        sign_out.setShortcut(QKeySequence(Qt.Key.Key_F11))
        sign_out.triggered.connect(self.sign_out)
        self.addAction(sign_out)

        header = QFrame()
        header.setObjectName("header")
        header_row = QHBoxLayout(header)
        header_row.setContentsMargins(20, 8, 12, 8)
        header_row.setSpacing(20)
        header_row.addWidget(self.shop_label)
        header_row.addStretch(1)
        header_row.addWidget(self.register_label)
        header_row.addWidget(self.cashier_label)
        header_row.addWidget(self.staff_button)
        header_row.addWidget(self.sign_out_button)

        self.login = LoginScreen(self._holder, self.runner)
        self.login.signed_in.connect(self.start_session)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.login)

        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(header)
        column.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.resize(1280, 800)
        self.retranslate()
        self.login.reset()
        if backend is not None:
            self.open_backend(lambda: backend)

    # Opening the shop --------------------------------------------------------------
    def open_backend(self, opener: Callable[[], TillBackend]) -> None:
        """Open the shop on the database worker; must be the runner's first job, so that
        sign-ins queued meanwhile run after it."""
        if self._opening or self.backend is not None:
            raise RuntimeError("the till's backend is already open or opening")
        self._opener = opener
        self.login.set_opening(True)
        self._open(opener)

    def _open(self, opener: Callable[[], TillBackend]) -> None:
        self._opening = True
        holder = self._holder

        def open_shop() -> tuple[TillBackend, ShopSettings, bool]:
            from app.services.shop import ShopState

            try:
                backend = opener()
                # The shop's state, name and locale: database reads, so here, not on the UI.
                empty = backend.shop.state() is ShopState.EMPTY
                settings = backend.shop.settings()
            except Exception as error:
                holder.fail(error)
                raise
            holder.set(backend)
            return backend, settings, empty

        self.runner.submit(open_shop, self._opened, self._open_failed)

    def _opened(self, opened: tuple[TillBackend, ShopSettings, bool]) -> None:
        backend, settings, empty = opened
        self._opening = False
        try:
            if empty:
                self._show_setup(backend)
                self.setup_needed.emit()
                return
            self.attach(backend, settings)
        except Exception as error:  # a bug building the till: say so rather than hang
            self._open_failed(error)
            return
        self.backend_ready.emit()

    def _open_failed(self, error: Exception) -> None:
        self._opening = False
        message = describe_failure(error, OPEN_FAILED)
        if self.setup_screen is not None and self.pages.currentWidget() is self.setup_screen:
            self.setup_screen.show_error(message)
        self.login.set_unavailable(message)
        self.backend_failed.emit(message)

    # The first run ---------------------------------------------------------------------
    def _show_setup(self, backend: TillBackend) -> None:
        # Imported here: only a first run needs it (and Babel's data behind its checks).
        from ui.setup.screen import SetupScreen

        self.login.set_opening(False)
        screen = SetupScreen(self.runner)
        screen.created.connect(self._shop_created)
        self.pages.addWidget(screen)
        self.pages.setCurrentWidget(screen)
        self.setup_screen = screen
        self.shop_label.setText(tr("New shop"))
        screen.begin(backend)

    def _shop_created(self, owner: str) -> None:
        """The shop is written: open it afresh (its currency is wired into the adapters),
        then its owner signs in."""
        opener = self._opener
        assert opener is not None

        def welcome() -> None:
            self.backend_ready.disconnect(welcome)
            screen = self.setup_screen
            self.setup_screen = None
            self.pages.setCurrentWidget(self.login)
            if screen is not None:
                self.pages.removeWidget(screen)
                screen.deleteLater()
            name = self.shop_label.text()
            self.login.welcome(
                owner, tr("{shop} is ready. Sign in as {owner}.").format(shop=name, owner=owner)
            )

        self.backend_ready.connect(welcome)
        self._open(opener)

    def attach(self, backend: TillBackend, settings: ShopSettings) -> None:
        """Put the open shop behind the window: translation, header, the till screen."""
        self._install_translation(settings.locale)
        # Imported here, not at the top: the till screen and everything it pulls in (Babel,
        # dialogs, payment, search) is most of the UI's import and build time.
        from ui.till.screen import TillScreen

        gap_ms, min_length = self._wedge
        till = TillScreen(backend, self.runner, wedge_gap_ms=gap_ms, wedge_min_length=min_length)
        self.pages.addWidget(till)
        self.till = till
        self.backend = backend
        self.broadcast = ChangeBroadcast(backend.changes, self)
        self.register_label.setText(tr("Register {code}").format(code=backend.register_code))
        self._show_shop(settings)
        self.login.set_opening(False)

    def _install_translation(self, locale: str) -> None:
        if not locale or self._translator is not None:
            return
        app = QCoreApplication.instance()
        if app is None:
            return
        try:
            self._translator = install_translator(app, locale)
        except Exception:  # the locale only picks a translation: never stop the till for it
            log.warning("could not load the translation for %s", locale, exc_info=True)
            return
        if self._translator is not None:
            self.retranslate()

    def retranslate(self) -> None:
        """(Re)apply the fixed texts, e.g. after the shop's translation was installed."""
        self.sign_out_button.setText(tr("Sign out  F11"))
        self.staff_button.setText(tr("Staff  F2"))
        if self.backend is not None:
            code = self.backend.register_code
            self.register_label.setText(tr("Register {code}").format(code=code))
        self.login.retranslate()

    def _show_shop(self, settings: ShopSettings) -> None:
        self.shop_label.setText(settings.name)
        self.setWindowTitle(f"{settings.name} — {APP_NAME}")

    # Sessions ----------------------------------------------------------------------
    def start_session(self, session: Session) -> None:
        till = self.till
        if till is None:  # cannot happen: sign-in jobs run after the shop is attached
            log.error("signed in before the till screen was built")
            return
        self.session = session
        self._show_shop(session.settings)
        self.cashier_label.setText(session.operator.display_name)
        self.sign_out_button.show()
        self.staff_button.setVisible(self._may_open_staff())
        self.pages.setCurrentWidget(till)
        till.begin(session)

    def _may_open_staff(self) -> bool:
        from app.domain.users import Permission

        session = self.session
        return session is not None and session.operator.can(Permission.MANAGE_CASHIERS)

    def open_staff(self) -> None:
        """The staff screen, for a signed-in manager or owner (the service checks again)."""
        till, backend = self.till, self.backend
        if not self._may_open_staff() or till is None or backend is None:
            return
        if self.staff is not None or till.dialog is not None:
            return
        from ui.staff.screen import StaffDialog

        assert self.session is not None
        dialog = StaffDialog(self, self.runner, backend.users, self.session.operator)
        self.staff = dialog

        def closed(_result: int) -> None:
            self.staff = None
            dialog.deleteLater()
            self._back_to_till()
            # As the till does for its own dialogs: not every window manager hands the
            # activation back, and the F-keys need it.
            QTimer.singleShot(0, self, self._back_to_till)

        dialog.finished.connect(closed)
        dialog.open()

    def _back_to_till(self) -> None:
        if self.staff is None and self.till is not None and self.till.isVisible():
            self.activateWindow()
            self.till.focus_scan_field()

    def sign_out(self) -> None:
        """Sign out (F11); a sale in progress is parked or voided first, when asked."""
        till = self.till
        if till is None or till.session is None:
            return
        till.leave(self._signed_out)

    def _signed_out(self) -> None:
        till = self.till
        assert till is not None
        till.end()
        self.session = None
        self.cashier_label.clear()
        self.sign_out_button.hide()
        self.staff_button.hide()
        self.pages.setCurrentWidget(self.login)
        self.login.reset()

    def shutdown(self) -> None:
        """Stop the keyboard filter and wait for any write in flight (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self.broadcast is not None:
            self.broadcast.close()
        if self.till is not None:
            self.till.shutdown()
        self.runner.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        till = self.till
        if not self._closed and till is not None and till.sale_in_progress:
            # Asked first; closing goes on once the sale is parked or voided. (shutdown()
            # called first, as when the process is told to stop, keeps the sale instead.)
            event.ignore()
            till.leave(self._close_again)
            return
        self.shutdown()
        super().closeEvent(event)

    def _close_again(self) -> None:
        self.close()
