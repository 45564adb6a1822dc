"""The till screen: the view (:mod:`ui.till.view`) and what its keys do (the controller in
:mod:`ui.till.controller` and the parts beside it), as the window sees them.

Keys: Enter adds what was scanned or typed (``3*code`` for three, ``0.250*code`` for 250 g);
a name shows search results (arrows move, Enter adds, Esc closes). With the scan field empty,
``+``/``-`` change the selected line's quantity, Delete removes it and the arrows select a
line. F3 void, F4 quantity, F6 price, F7 line discount, F8 order discount (``10%`` or
``2.50`` typed before F7/F8 gives it at once), F9 park, F10 recall, F12 pay (in the payment
panel: F12/Enter cash, F5 card, Esc back).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QWidget

from app.documents.formatter import Formatter
from app.domain.cart import Cart
from app.domain.users import Operator
from ui.backend import Session, TillBackend
from ui.tasks.runner import TaskRunner
from ui.till.controller import TillController
from ui.till.payment_flow import SALE_NOT_COMPLETED
from ui.till.scan_filter import WedgeScanFilter
from ui.till.scanner import DEFAULT_GAP_MS, DEFAULT_MIN_LENGTH, WedgeDetector
from ui.till.view import LeftPage, Mode, TillView

__all__ = ["SALE_NOT_COMPLETED", "LeftPage", "Mode", "TillScreen"]


class TillScreen(TillView):
    """One cashier's sale at a time; :meth:`begin` starts a session, :meth:`end` ends it."""

    cart_changed = Signal()
    sale_completed = Signal(object)  # SaleReceipt
    sale_failed = Signal(str)
    draft_saved = Signal()  # the sale in progress was written to the database

    def __init__(
        self,
        backend: TillBackend,
        runner: TaskRunner,
        *,
        wedge_gap_ms: float = DEFAULT_GAP_MS,
        wedge_min_length: int = DEFAULT_MIN_LENGTH,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = TillController(self, backend, runner)
        self.wedge = WedgeScanFilter(
            self, self.scan_field, WedgeDetector(wedge_gap_ms, wedge_min_length)
        )
        self.wedge.scanned.connect(self.controller.wedge_scanned)
        self.wedge.enabled = False
        self.wedge.install()
        self.controller.update_actions()

    # What the window and the tests read ------------------------------------------
    @property
    def session(self) -> Session | None:
        return self.controller.session

    @property
    def formats(self) -> Formatter | None:
        return self.controller.formats

    @property
    def cart(self) -> Cart | None:
        return self.controller.cart

    @property
    def mode(self) -> Mode:
        return self.controller.mode

    @property
    def dialog(self) -> QDialog | None:
        return self.controller.dialog

    @property
    def approver(self) -> Operator | None:
        return self.controller.approver

    @property
    def sale_in_progress(self) -> bool:
        return self.controller.session is not None and self.controller.sale_in_progress

    # Session -----------------------------------------------------------------------
    def begin(self, session: Session) -> None:
        self.controller.begin(session)
        self.wedge.enabled = True

    def end(self) -> None:
        self.wedge.enabled = False
        self.controller.end()

    def leave(self, then: Callable[[], None]) -> None:
        """Sign-out or closing: run ``then`` once no sale is in progress, after asking the
        cashier to park or void one (a sale with payments taken: void it with a reason)."""
        self.controller.parking.leave(then)

    def shutdown(self) -> None:
        """The window is closing: keep the sale in progress, stop listening to the keyboard
        of the whole application."""
        self.wedge.uninstall()
        self.controller.shutdown()

    def focus_scan_field(self) -> None:
        self.controller.focus_scan_field()
