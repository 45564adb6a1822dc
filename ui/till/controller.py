"""What the till screen's keys do: the scan field, name search, and the state every part of
the screen shares (the session, the cart, the mode, the open dialog, approvals).

The parts with more to them live beside it, each handed this controller: line actions
(:mod:`ui.till.line_actions`), payment (:mod:`ui.till.payment_flow`), parking, voids and
leaving (:mod:`ui.till.parking`) and the draft kept in the database (:mod:`ui.till.drafts`).

One scan path: Enter hands the text to ``SaleService.enter`` (one lookup) and shows what it
did. Lookups are fast reads done on the UI thread; name searches run on the runner's "io"
queue and a result for text the cashier has typed on from is dropped; every write goes
through the "db" queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog

from app.documents.formatter import Formatter
from app.domain.cart import Cart, CartItem
from app.domain.entry import BadQuantity, looks_like_name, parse_entry
from app.domain.users import Operator, Permission
from app.dto.sales import (
    Added,
    ConfirmQuantity,
    EntryOutcome,
    EntryRefused,
    ItemWanted,
    SearchResult,
    SearchWanted,
    WeightWanted,
)
from ui.backend import Session, TillBackend
from ui.common.dialogs import ConfirmDialog, NumberDialog
from ui.common.failures import describe_failure
from ui.common.formatting import ScreenFormatter
from ui.common.i18n import tr
from ui.tasks.runner import TaskRunner
from ui.till.cart_model import stock_text
from ui.till.dialogs import ApprovalDialog
from ui.till.drafts import DraftKeeper
from ui.till.line_actions import LineActions
from ui.till.parking import Parking
from ui.till.payment_flow import PaymentFlow
from ui.till.view import LeftPage, Mode

if TYPE_CHECKING:
    from ui.till.screen import TillScreen

log = logging.getLogger(__name__)

SEARCH_DEBOUNCE_MS = 150
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class TillController(QObject):
    """One cashier's sale at a time, on the screen it is given."""

    def __init__(self, screen: TillScreen, backend: TillBackend, runner: TaskRunner) -> None:
        super().__init__(screen)
        self.screen = screen
        self.backend = backend
        self.runner = runner
        self.session: Session | None = None
        self.formats: Formatter | None = None
        self.cart: Cart | None = None
        self.approver: Operator | None = None
        self.granted: set[Permission] = set()  # what the approver approved on the spot
        self.mode = Mode.SALE
        self.dialog: QDialog | None = None
        self.busy = False  # a park, recall or void is being written
        self._last_line_id: int | None = None
        self._search_seq = 0

        self.lines = LineActions(self)
        self.payment = PaymentFlow(self)
        self.parking = Parking(self)
        self.drafts = DraftKeeper(self)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.run_search)
        screen.scan_field.installEventFilter(self)
        screen.cart_view.installEventFilter(self)
        screen.scan_field.textEdited.connect(lambda _text: self._search_timer.start())
        screen.search_popup.picked.connect(self._search_result_tapped)

    # Session -----------------------------------------------------------------------
    def begin(self, session: Session) -> None:
        self.session = session
        self.formats = ScreenFormatter(session.settings)
        self.new_sale()
        self.screen.banner.clear_message()
        self.screen.show_page(LeftPage.CART)
        self.drafts.restore()
        self.focus_scan_field()

    def end(self) -> None:
        self.drafts.stop()
        self.screen.search_popup.close_results()
        self.session = None
        self.cart = None
        self.approver = None
        self.screen.cart_model.set_cart(None)
        self.screen.banner.clear_message()
        self.update_actions()

    def shutdown(self) -> None:
        """The window is closing: the sale in progress is written now, then the runner
        drains its queue."""
        self._search_timer.stop()
        self.drafts.flush()

    @property
    def sale_in_progress(self) -> bool:
        return (self.cart is not None and not self.cart.is_empty) or self.payment.has_tenders

    def focus_scan_field(self) -> None:
        if self.mode is Mode.PAYMENT:
            self.screen.payment_panel.amount_field.setFocus()
        else:
            self.screen.scan_field.setFocus()

    # Keys --------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        if watched is self.screen.scan_field:
            return self._scan_field_key(event)
        if watched is self.screen.cart_view:
            return self.lines.key(event)
        return False

    def _scan_field_key(self, event: QKeyEvent) -> bool:
        key, popup, field = event.key(), self.screen.search_popup, self.screen.scan_field
        if key in _ENTER_KEYS:
            self.submit_entry()
            return True
        if key == Qt.Key.Key_Escape:
            if popup.isVisible():
                popup.close_results()
            elif field.text():
                field.clear()
            else:
                self.screen.banner.clear_message()
            return True
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            delta = -1 if key == Qt.Key.Key_Up else 1
            if popup.isVisible():
                popup.move_selection(delta)
            else:
                self.lines.move_selection(delta)
            return True
        if not field.text() and (
            event.key() == Qt.Key.Key_Delete
            or event.modifiers() & Qt.KeyboardModifier.KeypadModifier
        ):
            # The numeric keypad's + and - act on the line; typed on the main keyboard they
            # are text: "-1*code" must reach the field (and be refused), not lower a line.
            return self.lines.key(event)
        return False

    # The scan path -----------------------------------------------------------------
    def submit_entry(self) -> None:
        """Enter in the scan field: a search result shown for this very text, or whatever
        SaleService.enter makes of the text."""
        session, cart = self.session, self.cart
        if session is None or cart is None or self.mode is not Mode.SALE or self.busy:
            return
        if self.drafts.restoring:  # a few milliseconds after sign-in
            self.drafts.after_restore(self.submit_entry)
            return
        text = self.screen.scan_field.text()
        if not text.strip():
            return
        popup = self.screen.search_popup
        if popup.isVisible() and popup.query:
            picked = popup.current_item()
            if picked is not None and popup.query == self._typed_query():
                self.handle(session.sales.add(cart, picked, self._typed_quantity()))
                return
        self._search_timer.stop()
        try:
            outcome = session.sales.enter(cart, text)
        except Exception as error:  # a read failing must not take the till down
            self.reject(describe_failure(error))
            return
        self.handle(outcome)

    def wedge_scanned(self, code: str) -> None:
        """A scanner burst that arrived while the focus was somewhere else."""
        session, cart = self.session, self.cart
        if session is None or cart is None or self.busy:
            return
        if self.drafts.restoring:
            self.drafts.after_restore(lambda: self.wedge_scanned(code))
            return
        if self.mode is Mode.PAYMENT:
            self.screen.banner.show_error(
                tr("Finish or cancel the payment before scanning more items")
            )
            return
        try:
            outcome = session.sales.enter(cart, code, search=False)
        except Exception as error:
            self.reject(describe_failure(error))
            return
        self.handle(outcome)

    def handle(self, outcome: EntryOutcome) -> None:
        match outcome:
            case Added():
                self._added(outcome)
            case SearchWanted(query=query):
                # Results are shown first: Enter again takes the one highlighted.
                self.run_search(query)
            case WeightWanted(item=item):
                self.reset_scan_field()
                self._ask_weight(item)
            case ConfirmQuantity():
                self._confirm_quantity(outcome)
            case ItemWanted():
                self.screen.banner.show_info(tr("Now scan or type the item"))
            case EntryRefused(message=message):
                self.reject(message)

    def _added(self, outcome: Added) -> None:
        screen, cart = self.screen, self.cart
        assert cart is not None
        line = outcome.line
        if outcome.new_line:
            row = len(cart.lines) - 1
            screen.cart_model.inserted(row)
        else:
            row = cart.row_of(line.line_id)
            screen.cart_model.changed(row)
        if outcome.stock is not None:
            screen.cart_model.stock_changed(line.item.variant_id)
            assert self.formats is not None
            screen.banner.show_info(
                f"{line.item.name}: "
                + stock_text(outcome.stock, self.formats, line.item.sold_by_weight)
            )
        elif screen.banner.isVisible():
            screen.banner.clear_message()
        self.reset_scan_field()
        self._last_line_id = line.line_id
        self.lines_changed(select=row)

    def _add_item(self, item: CartItem, quantity: Decimal | None, confirmed: bool) -> None:
        if self.session is not None and self.cart is not None:
            self.handle(self.session.sales.add(self.cart, item, quantity, confirmed=confirmed))

    def _ask_weight(self, item: CartItem) -> None:
        dialog = NumberDialog(
            self.screen,
            tr("Weigh the item"),
            tr("{name}: weight in kg (e.g. 0.250)").format(name=item.name),
            decimals=True,
        )
        self.open_dialog(dialog, lambda: self._add_item(item, dialog.value, False))

    def _confirm_quantity(self, asked: ConfirmQuantity) -> None:
        self.reset_scan_field()
        assert self.formats is not None
        amount = self.formats.quantity(asked.quantity, asked.item.sold_by_weight)
        dialog = ConfirmDialog(
            self.screen,
            tr("Sell {amount}?").format(amount=amount),
            tr("{amount} × {name} is more than {limit} on one line. Is that right?").format(
                amount=amount, name=asked.item.name, limit=asked.limit.normalize()
            ),
            tr("Yes, {amount}  ⏎").format(amount=amount),
        )
        self.open_dialog(dialog, lambda: self._add_item(asked.item, asked.quantity, True))

    def reject(self, message: str) -> None:
        """Loud: the cashier may not be looking at the screen while scanning."""
        self.screen.banner.show_error(message)
        self.reset_scan_field()

    def reset_scan_field(self) -> None:
        self._search_timer.stop()
        self.screen.search_popup.close_results()
        self.screen.scan_field.clear()
        self.screen.scan_field.setFocus()

    # Name search -------------------------------------------------------------------
    def _typed_query(self) -> str:
        try:
            return parse_entry(self.screen.scan_field.text()).code
        except BadQuantity:
            return ""

    def _typed_quantity(self) -> Decimal | None:
        try:
            return parse_entry(self.screen.scan_field.text()).quantity
        except BadQuantity:
            return None

    def run_search(self, query: str | None = None) -> None:
        """Search for the name typed, off the UI thread; only the newest answer is shown."""
        self._search_timer.stop()
        session, popup = self.session, self.screen.search_popup
        if session is None or self.mode is not Mode.SALE:
            return
        query = self._typed_query() if query is None else query
        if not looks_like_name(query):
            popup.close_results()
            return
        self._search_seq += 1
        seq, sales = self._search_seq, session.sales
        self.runner.submit(
            lambda: sales.search(query),
            lambda result: self._searched(seq, result),
            lambda error: self._search_failed(seq, error),
            queue="io",
        )

    def _searched(self, seq: int, result: SearchResult) -> None:
        # Stale: a newer search was asked for, or the cashier typed on or left.
        if seq != self._search_seq or self.formats is None or self.mode is not Mode.SALE:
            return
        if result.query != self._typed_query():
            return
        self.screen.search_popup.show_results(
            result.query, result.items, self.formats, self.screen.scan_field
        )

    def _search_failed(self, seq: int, error: Exception) -> None:
        if seq == self._search_seq:
            self.screen.banner.show_error(describe_failure(error))

    def _search_result_tapped(self, item: CartItem) -> None:
        self._add_item(item, self._typed_quantity(), False)

    # The cart on screen ------------------------------------------------------------
    def new_sale(self, cart: Cart | None = None, approver: Operator | None = None) -> None:
        """Start showing ``cart`` (a fresh one if None); the one full redraw of the table."""
        assert self.session is not None
        self.cart = cart if cart is not None else self.session.sales.new_cart()
        self.cart.actor = self.session.operator.user_id
        self.approver = approver
        self.granted = set()
        # A recalled or restored sale shows its last line as the last one scanned.
        self._last_line_id = self.cart.lines[-1].line_id if self.cart.lines else None
        self.screen.cart_model.set_cart(self.cart, self.formats)
        last = len(self.cart.lines) - 1
        self.lines_changed(select=last if last >= 0 else None)

    def lines_changed(self, select: int | None = None) -> None:
        """After any change to the cart's lines: the totals, the selection, the buttons,
        and the draft (written later, off the scan path)."""
        screen, cart = self.screen, self.cart
        has_lines = cart is not None and not cart.is_empty
        if has_lines and screen.left_stack.currentIndex() != LeftPage.CART:
            screen.show_page(LeftPage.CART)
        screen.show_cart_lines(has_lines)
        if select is not None:
            screen.select_row(select)
        totals = cart.totals() if cart is not None else None
        screen.totals_panel.show_cart(cart, totals, self.formats)
        line = None
        if cart is not None and self._last_line_id is not None:
            found = cart.row_of(self._last_line_id)
            line = cart.lines[found] if found >= 0 else None
        screen.totals_panel.show_last_scanned(line, self.formats)
        self.update_actions()
        self.drafts.changed()
        screen.cart_changed.emit()

    def update_actions(self) -> None:
        screen = self.screen
        ready = self.session is not None and not self.busy and self.mode is Mode.SALE
        has_lines = ready and self.cart is not None and not self.cart.is_empty
        for act in (
            screen.quantity_action,
            screen.price_action,
            screen.line_discount_action,
            screen.order_discount_action,
            screen.park_action,
            screen.void_action,
        ):
            act.setEnabled(has_lines)
        for button in (screen.plus_button, screen.minus_button, screen.remove_button):
            button.setEnabled(has_lines)
        screen.recall_action.setEnabled(ready)  # with a cart, F10 says why it cannot recall
        paying = self.mode is Mode.PAYMENT
        completing = self.payment.completing
        screen.pay_action.setEnabled((has_lines or paying) and not completing)
        screen.card_action.setEnabled(paying and not completing)
        screen.pay_button.setText(tr("CASH   F12") if paying else tr("PAY   F12"))

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.screen.scan_field.setReadOnly(busy)
        self.update_actions()
        if not busy:
            self.focus_scan_field()

    def write_failed(self, error: Exception) -> None:
        self.set_busy(False)
        self.screen.banner.show_error(describe_failure(error))

    # Approvals ---------------------------------------------------------------------
    def with_permission(
        self, permission: Permission, reason: str, then: Callable[[], None]
    ) -> None:
        """Run ``then`` if the cashier may; else once a manager approves it on the spot with
        their PIN (each time: approving one discount is not approving the next). The
        approver then stands for what this sale already holds, at PAY and in the sale."""
        session = self.session
        assert session is not None
        if session.operator.can(permission):
            then()
            return
        dialog = ApprovalDialog(
            self.screen,
            self.runner,
            self.backend.auth,
            permission,
            reason,
            session.register_code,
            session.operator.user_id,
        )

        def approved() -> None:
            if dialog.approver is not None:
                self.set_approver(dialog.approver)
                self.granted.add(permission)
                self.screen.banner.show_info(
                    tr("Approved by {name}").format(name=dialog.approver.display_name)
                )
                then()

        self.open_dialog(dialog, approved)

    def set_approver(self, approver: Operator | None) -> None:
        """The manager who approves what this sale needs, kept with the cart (its park,
        its draft) so the approval survives a recall."""
        self.approver = approver
        if self.cart is not None:
            self.cart.approved_by = approver.user_id if approver is not None else None

    # Dialogs -----------------------------------------------------------------------
    def open_dialog(self, dialog: QDialog, on_accept: Callable[[], None]) -> None:
        self.dialog = dialog
        dialog.accepted.connect(on_accept)
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        dialog.open()

    def _dialog_closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()
        self._take_back_focus()
        # Not every window manager hands activation back to the till when a dialog closes,
        # and the F-keys need it: ask again once the closing has been processed.
        QTimer.singleShot(0, self, self._take_back_focus)

    def _take_back_focus(self) -> None:
        if self.dialog is None and self.screen.isVisible():
            self.screen.window().activateWindow()
            self.focus_scan_field()

    def fmt(self) -> Formatter:
        assert self.formats is not None
        return self.formats
