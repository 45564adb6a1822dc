"""The till screen: scan field, cart, totals, line actions, payment and the last receipt.

Keyboard first, touch friendly. The scan field keeps the focus; lookups and searches are fast
reads done right here on the UI thread, while every write (complete, park, recall, approval)
goes through the :class:`~ui.tasks.TaskRunner`.

Keys: Enter adds what was scanned or typed (``3*code`` for three, ``0.250*code`` for 250 g);
a name shows search results (arrows move, Enter adds, Esc closes). With the scan field empty,
``+``/``-`` change the selected line's quantity, Delete removes it and the arrows select a
line. F3 void, F4 quantity, F6 price, F7 line discount, F8 order discount, F9 park,
F10 recall, F12 pay (in the payment panel: F12/Enter cash, F5 card, Esc back).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from uuid import uuid4

from babel.numbers import get_currency_symbol
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.documents.formatter import Formatter
from app.domain.cart import Cart, CartItem, CartLine
from app.domain.entry import ScanEntry, looks_like_name, parse_entry
from app.domain.money import Money
from app.domain.users import Operator, Permission
from app.dto.sales import CompleteSale, ParkedSaleSummary, SaleReceipt
from app.errors import EnvironmentProblem, UserError
from app.services.sales import commands_from_cart
from ui.backend import Session, TillBackend
from ui.common.dialogs import ConfirmDialog, NumberDialog, TextDialog
from ui.common.failures import describe_failure
from ui.common.i18n import tr
from ui.common.widgets import TOUCH_MIN, Banner, make_button
from ui.tasks.runner import TaskRunner
from ui.till.cart_model import ITEM, PRICE, QUANTITY, TOTAL, CartTableModel
from ui.till.dialogs import ApprovalDialog, DiscountDialog, ParkedDialog
from ui.till.payment import PaymentPanel
from ui.till.receipt_view import ReceiptView, receipt_number
from ui.till.scan_filter import WedgeScanFilter
from ui.till.scanner import DEFAULT_GAP_MS, DEFAULT_MIN_LENGTH, WedgeDetector
from ui.till.search_popup import SearchPopup
from ui.till.totals import TotalsPanel

log = logging.getLogger(__name__)

SEARCH_DEBOUNCE_MS = 150
SALE_NOT_COMPLETED = "Unexpected error — the sale was not completed; see the log"
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class Mode(StrEnum):
    SALE = "sale"
    PAYMENT = "payment"


class LeftPage:
    """Pages of the left-hand stack."""

    CART, PAYMENT, RECEIPT = range(3)


class TillScreen(QWidget):
    """One cashier's sale at a time; :meth:`begin` starts a session, :meth:`end` ends it."""

    cart_changed = Signal()
    sale_completed = Signal(object)  # SaleReceipt
    sale_failed = Signal(str)

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
        self.setObjectName("tillScreen")
        self.backend = backend
        self.runner = runner
        self.session: Session | None = None
        self.formats: Formatter | None = None
        self.cart: Cart | None = None
        self.approver: Operator | None = None
        self.mode = Mode.SALE
        self.dialog: QDialog | None = None
        self.last_receipt: SaleReceipt | None = None
        self._busy = False  # a park or recall is being written
        self._completing = False
        self._last_line_id: int | None = None
        self._sale_id: str | None = None
        self._pending_sale: CompleteSale | None = None

        self._build()
        self._build_actions()
        self.wedge = WedgeScanFilter(
            self, self.scan_field, WedgeDetector(wedge_gap_ms, wedge_min_length)
        )
        self.wedge.scanned.connect(self._wedge_scanned)
        self.wedge.enabled = False
        self.wedge.install()
        self._update_actions()

    # Layout ------------------------------------------------------------------------
    def _build(self) -> None:
        self.scan_field = QLineEdit()
        self.scan_field.setObjectName("scanField")
        self.scan_field.setPlaceholderText(
            tr("Scan or type a code  ·  3* before it for three  ·  type a name to search")
        )
        self.scan_field.setMinimumHeight(TOUCH_MIN + 8)
        self.scan_field.setClearButtonEnabled(True)
        self.scan_field.installEventFilter(self)
        self.scan_field.textEdited.connect(self._schedule_search)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._run_search)

        self.banner = Banner()

        # Cart page: the lines, or a hint while there are none.
        self.cart_model = CartTableModel()
        self.cart_view = QTableView()
        self.cart_view.setObjectName("cartTable")
        self.cart_view.setModel(self.cart_model)
        self.cart_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.cart_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.cart_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Tapping a line selects it without taking the focus from the scan field.
        self.cart_view.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.cart_view.setAlternatingRowColors(True)
        self.cart_view.setShowGrid(False)
        self.cart_view.setWordWrap(True)
        self.cart_view.verticalHeader().hide()
        self.cart_view.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.cart_view.verticalHeader().setMinimumSectionSize(TOUCH_MIN)
        header = self.cart_view.horizontalHeader()
        header.setSectionResizeMode(ITEM, QHeaderView.ResizeMode.Stretch)
        for column, width in ((QUANTITY, 110), (PRICE, 130), (TOTAL, 140)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, width)
        header.setHighlightSections(False)
        self.cart_view.installEventFilter(self)
        self.cart_model.modelReset.connect(self.cart_view.resizeRowsToContents)

        self.empty_hint = QLabel(tr("Scan an item to start a sale"))
        self.empty_hint.setObjectName("emptyHint")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cart_stack = QStackedWidget()
        self.cart_stack.addWidget(self.empty_hint)
        self.cart_stack.addWidget(self.cart_view)

        self.minus_button = make_button("−", "lineButton", tooltip=tr("One less (-)"))
        self.plus_button = make_button("+", "lineButton", tooltip=tr("One more (+)"))
        self.quantity_button = make_button(tr("Qty  F4"), "lineButton")
        self.remove_button = make_button(tr("Remove  Del"), "dangerButton")
        self.price_button = make_button(tr("Price  F6"), "lineButton")
        self.line_discount_button = make_button(tr("Line disc.  F7"), "lineButton")
        line_row = QHBoxLayout()
        line_row.setSpacing(8)
        for button in (
            self.minus_button,
            self.plus_button,
            self.quantity_button,
            self.price_button,
            self.line_discount_button,
            self.remove_button,
        ):
            line_row.addWidget(button)
        self.minus_button.clicked.connect(lambda: self._change_quantity_by(-1))
        self.plus_button.clicked.connect(lambda: self._change_quantity_by(1))
        self.remove_button.clicked.connect(self._remove_line)

        cart_page = QFrame()
        cart_page.setObjectName("cartPage")
        cart_layout = QVBoxLayout(cart_page)
        cart_layout.setContentsMargins(0, 0, 0, 0)
        cart_layout.setSpacing(10)
        cart_layout.addWidget(self.cart_stack, 1)
        cart_layout.addLayout(line_row)

        self.payment_panel = PaymentPanel()
        self.payment_panel.settled.connect(self._submit_sale)
        self.payment_panel.retry_requested.connect(self._submit_sale)
        self.payment_panel.cancel_requested.connect(self._cancel_payment)

        self.left_stack = QStackedWidget()
        self.left_stack.addWidget(cart_page)
        self.left_stack.addWidget(self.payment_panel)
        self.receipt_view = ReceiptView()
        self.left_stack.addWidget(self.receipt_view)

        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(10)
        self.totals_panel = TotalsPanel()
        right.addWidget(self.totals_panel, 1)
        self.order_discount_button = make_button(tr("Order disc.  F8"), "actionButton")
        self.park_button = make_button(tr("Park  F9"), "actionButton")
        self.recall_button = make_button(tr("Recall  F10"), "actionButton")
        self.void_button = make_button(tr("Void sale  F3"), "dangerButton")
        actions = QGridLayout()
        actions.setSpacing(8)
        actions.addWidget(self.order_discount_button, 0, 0)
        actions.addWidget(self.void_button, 0, 1)
        actions.addWidget(self.park_button, 1, 0)
        actions.addWidget(self.recall_button, 1, 1)
        right.addLayout(actions)
        self.pay_button = make_button(tr("PAY   F12"), "payButton")
        self.pay_button.setMinimumHeight(TOUCH_MIN + 28)
        right.addWidget(self.pay_button)

        body = QHBoxLayout()
        body.setSpacing(16)
        body.addWidget(self.left_stack, 5)
        right_panel = QWidget()
        right_panel.setObjectName("rightPanel")
        right_panel.setLayout(right)
        right_panel.setMinimumWidth(320)
        right_panel.setMaximumWidth(440)
        body.addWidget(right_panel, 2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)
        layout.addWidget(self.scan_field)
        layout.addWidget(self.banner)
        layout.addLayout(body, 1)

        # Child of the screen, above everything, placed under the scan field when shown.
        self.search_popup = SearchPopup(self)
        self.search_popup.picked.connect(self._search_result_tapped)

    def _build_actions(self) -> None:
        def action(
            text: str, key: Qt.Key, slot: Callable[[], None], button: QPushButton | None = None
        ) -> QAction:
            act = QAction(text, self)
            act.setShortcut(QKeySequence(key))
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(slot)
            self.addAction(act)
            if button is not None:
                button.clicked.connect(act.trigger)
                act.changed.connect(lambda: button.setEnabled(act.isEnabled()))
            return act

        self.void_action = action(tr("Void sale"), Qt.Key.Key_F3, self._void, self.void_button)
        self.quantity_action = action(
            tr("Quantity"), Qt.Key.Key_F4, self._ask_quantity, self.quantity_button
        )
        self.card_action = action(tr("Card"), Qt.Key.Key_F5, self.payment_panel.take_card)
        self.price_action = action(tr("Price"), Qt.Key.Key_F6, self._ask_price, self.price_button)
        self.line_discount_action = action(
            tr("Line discount"), Qt.Key.Key_F7, self._ask_line_discount, self.line_discount_button
        )
        self.order_discount_action = action(
            tr("Order discount"),
            Qt.Key.Key_F8,
            self._ask_order_discount,
            self.order_discount_button,
        )
        self.park_action = action(tr("Park"), Qt.Key.Key_F9, self._park, self.park_button)
        self.recall_action = action(tr("Recall"), Qt.Key.Key_F10, self._recall, self.recall_button)
        self.pay_action = action(tr("Pay"), Qt.Key.Key_F12, self._pay, self.pay_button)

    # Session -----------------------------------------------------------------------
    def begin(self, session: Session) -> None:
        self.session = session
        self.formats = Formatter(session.settings)
        self._new_sale()
        self.last_receipt = None
        self.banner.clear_message()
        self.left_stack.setCurrentIndex(LeftPage.CART)
        self.wedge.enabled = True
        self.focus_scan_field()

    def end(self) -> None:
        self.wedge.enabled = False
        self.search_popup.close_results()
        self.session = None
        self.cart = None
        self.approver = None
        self.cart_model.set_cart(None)
        self.banner.clear_message()
        self._update_actions()

    def why_not_sign_out(self) -> str | None:
        """A reason the cashier cannot leave yet, or None."""
        if self._busy or self._completing:
            return tr("Wait until the sale is saved")
        if self.mode is Mode.PAYMENT:
            return tr("Finish or cancel the payment first")
        if self.cart is not None and not self.cart.is_empty:
            return tr("Finish, park or void the sale first")
        return None

    def shutdown(self) -> None:
        """Stop listening to the keyboard of the whole application (window closing)."""
        self.wedge.uninstall()
        self._search_timer.stop()

    def focus_scan_field(self) -> None:
        if self.mode is Mode.PAYMENT:
            self.payment_panel.amount_field.setFocus()
        else:
            self.scan_field.setFocus()

    # Scanning and typing -----------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        if watched is self.scan_field:
            return self._scan_field_key(event)
        if watched is self.cart_view:
            return self._line_key(event)
        return False

    def _scan_field_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        popup = self.search_popup
        if key in _ENTER_KEYS:
            self._submit_entry()
            return True
        if key == Qt.Key.Key_Escape:
            if popup.isVisible():
                popup.close_results()
            elif self.scan_field.text():
                self.scan_field.clear()
            else:
                self.banner.clear_message()
            return True
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            delta = -1 if key == Qt.Key.Key_Up else 1
            if popup.isVisible():
                popup.move_selection(delta)
            else:
                self._move_line_selection(delta)
            return True
        if not self.scan_field.text():
            return self._line_key(event)
        return False

    def _line_key(self, event: QKeyEvent) -> bool:
        """Delete, + and - act on the selected line (from the table or an empty scan field)."""
        if event.key() == Qt.Key.Key_Delete:
            self._remove_line()
            return True
        if event.text() == "+":
            self._change_quantity_by(1)
            return True
        if event.text() == "-":
            self._change_quantity_by(-1)
            return True
        return False

    def _schedule_search(self, _text: str) -> None:
        self._search_timer.start()

    def _run_search(self) -> None:
        """Show products whose name matches what is typed (a fast read, top 50)."""
        self._search_timer.stop()
        if self.session is None or self.formats is None or self.mode is not Mode.SALE:
            return
        entry = parse_entry(self.scan_field.text())
        if not looks_like_name(entry.code):
            self.search_popup.close_results()
            return
        try:
            result = self.session.sales.search(entry.code)
        except Exception as error:  # a read failing must not take the till down
            self.banner.show_error(describe_failure(error))
            return
        self.search_popup.show_results(entry.code, result.items, self.formats, self.scan_field)

    def _submit_entry(self) -> None:
        """Enter in the scan field."""
        if self.session is None or self.mode is not Mode.SALE or self._busy:
            return
        text = self.scan_field.text()
        entry = parse_entry(text)
        popup = self.search_popup
        if popup.isVisible() and popup.navigated and popup.current_item() is not None:
            item = popup.current_item()
            assert item is not None
            self._add(item, entry.quantity)
            return
        if not entry.code:
            if text.strip():  # "3*" and nothing yet
                self.banner.show_info(tr("Now scan or type the item"))
            return
        self._scan(entry, text, allow_search=True)

    def _wedge_scanned(self, code: str) -> None:
        """A scanner burst that arrived while the focus was somewhere else."""
        if self.session is None or self._busy:
            return
        if self.mode is Mode.PAYMENT:
            self.banner.show_error(tr("Finish or cancel the payment before scanning more items"))
            return
        self._scan(ScanEntry(code), code, allow_search=False)

    def _scan(self, entry: ScanEntry, raw: str, *, allow_search: bool) -> None:
        assert self.session is not None
        sales = self.session.sales
        self._search_timer.stop()
        item: CartItem | None = None
        quantity = entry.quantity
        try:
            item = sales.lookup(entry.code)
        except UserError as error:
            if allow_search and looks_like_name(entry.code):
                # A name, not a code: take the highlighted search result.
                if self.search_popup.query != entry.code or not self.search_popup.isVisible():
                    self._run_search()
                item = self.search_popup.current_item()
            elif entry.quantity is not None and raw.strip() != entry.code:
                item, quantity = self._lookup_quietly(raw.strip()), None  # "2x4-PLANK"
            if item is None:
                self._reject_scan(error.message)
                return
        except Exception as error:
            self._reject_scan(describe_failure(error))
            return
        self._add(item, quantity)

    def _lookup_quietly(self, code: str) -> CartItem | None:
        assert self.session is not None
        try:
            return self.session.sales.lookup(code)
        except UserError:
            return None

    def _reject_scan(self, message: str) -> None:
        """Loud: the cashier may not be looking at the screen while scanning."""
        self.banner.show_error(message)
        self._reset_scan_field()

    def _reset_scan_field(self) -> None:
        self._search_timer.stop()
        self.search_popup.close_results()
        self.scan_field.clear()
        self.scan_field.setFocus()

    def _search_result_tapped(self, item: CartItem) -> None:
        self._add(item, parse_entry(self.scan_field.text()).quantity)

    def _add(self, item: CartItem, quantity: Decimal | None) -> None:
        if self.cart is None:
            return
        if quantity is None and item.sold_by_weight:
            self._reset_scan_field()
            self._ask_weight(item)
            return
        try:
            line = self.cart.add(item, quantity if quantity is not None else Decimal(1))
        except UserError as error:
            self._reject_scan(error.message)
            return
        self.banner.clear_message()
        self._reset_scan_field()
        self._last_line_id = line.line_id
        self._cart_changed(select=line.line_id)

    def _show_last_scanned(self) -> None:
        """The line last added, as it is now (its quantity may have changed since)."""
        line = None
        if self.cart is not None and self._last_line_id is not None:
            line = next((ln for ln in self.cart.lines if ln.line_id == self._last_line_id), None)
        self.totals_panel.show_last_scanned(line, self.formats)

    def _ask_weight(self, item: CartItem) -> None:
        dialog = NumberDialog(
            self,
            tr("Weigh the item"),
            tr("{name}: weight in kg (e.g. 0.250)").format(name=item.name),
            decimals=True,
        )
        self._open_dialog(dialog, lambda: self._add(item, dialog.value))

    # Lines -------------------------------------------------------------------------
    def _current_line(self) -> CartLine | None:
        """The selected line, else the last one (the item just scanned)."""
        if self.cart is None or self.cart.is_empty:
            return None
        rows = self.cart_view.selectionModel().selectedRows()
        row = rows[0].row() if rows else len(self.cart.lines) - 1
        return self.cart_model.line_at(row)

    def _move_line_selection(self, delta: int) -> None:
        line = self._current_line()
        if line is None:
            return
        row = self.cart_model.row_of(line.line_id) + delta
        self._select_row(max(0, min(self.cart_model.rowCount() - 1, row)))

    def _select_row(self, row: int) -> None:
        if 0 <= row < self.cart_model.rowCount():
            self.cart_view.selectRow(row)
            self.cart_view.scrollTo(self.cart_model.index(row, 0))

    def _line_action_allowed(self) -> CartLine | None:
        if self.mode is not Mode.SALE or self._busy or self.cart is None:
            return None
        return self._current_line()

    def _change_quantity_by(self, delta: int) -> None:
        line = self._line_action_allowed()
        if line is None or self.cart is None:
            return
        if line.item.sold_by_weight:
            self.banner.show_info(tr("Use Quantity (F4) to change a weight"))
            return
        quantity = line.quantity + delta
        if quantity <= 0:
            self.banner.show_info(tr("Press Delete to remove the line"))
            return
        self._apply(lambda cart: cart.set_quantity(line.line_id, quantity), line.line_id)

    def _remove_line(self) -> None:
        line = self._line_action_allowed()
        if line is None or self.cart is None:
            return
        row = self.cart_model.row_of(line.line_id)
        self.cart.remove(line.line_id)
        self._cart_changed()
        self._select_row(min(row, self.cart_model.rowCount() - 1))
        self.banner.show_info(tr("Removed {name}").format(name=line.item.name))

    def _apply(self, change: Callable[[Cart], object], line_id: int | None) -> None:
        """Change the cart; a cashier's mistake is shown, not raised."""
        if self.cart is None:
            return
        try:
            change(self.cart)
        except UserError as error:
            self.banner.show_error(error.message)
            return
        self._cart_changed(select=line_id)

    def _ask_quantity(self) -> None:
        line = self._line_action_allowed()
        if line is None or self.formats is None:
            return
        by_weight = line.item.sold_by_weight
        dialog = NumberDialog(
            self,
            tr("Weight") if by_weight else tr("Quantity"),
            (tr("{name}: weight in kg") if by_weight else tr("{name}: how many?")).format(
                name=line.item.name
            ),
            initial=str(line.quantity),
            decimals=by_weight,
        )

        def accepted() -> None:
            value = dialog.value
            if value is not None:
                self._apply(lambda cart: cart.set_quantity(line.line_id, value), line.line_id)

        self._open_dialog(dialog, accepted)

    def _ask_price(self) -> None:
        line = self._line_action_allowed()
        if line is None:
            return

        def ask() -> None:
            dialog = NumberDialog(
                self,
                tr("Change price"),
                tr("{name}: new unit price (shelf price {price})").format(
                    name=line.item.name, price=self._money(line.item.unit_price)
                ),
                initial=str(line.unit_price.amount),
            )

            def accepted() -> None:
                value = dialog.value
                if value is not None and self.cart is not None:
                    currency = self.cart.currency
                    self._apply(
                        lambda cart: cart.override_price(line.line_id, Money.of(value, currency)),
                        line.line_id,
                    )

            self._open_dialog(dialog, accepted)

        self._with_permission(
            Permission.OVERRIDE_PRICE, tr("Changing a price needs a manager's approval."), ask
        )

    def _ask_line_discount(self) -> None:
        line = self._line_action_allowed()
        if line is None:
            return

        def ask() -> None:
            dialog = self._discount_dialog(tr("Discount on {name}").format(name=line.item.name))
            self._open_dialog(
                dialog,
                lambda: self._apply(
                    lambda cart: cart.set_line_discount(line.line_id, dialog.discount),
                    line.line_id,
                ),
            )

        self._with_permission(
            Permission.GIVE_DISCOUNT, tr("A discount needs a manager's approval."), ask
        )

    def _ask_order_discount(self) -> None:
        if self._line_action_allowed() is None:
            return

        def ask() -> None:
            dialog = self._discount_dialog(tr("Discount on the whole sale"))
            self._open_dialog(
                dialog, lambda: self._apply(lambda c: c.set_order_discount(dialog.discount), None)
            )

        self._with_permission(
            Permission.GIVE_DISCOUNT, tr("A discount needs a manager's approval."), ask
        )

    def _discount_dialog(self, title: str) -> DiscountDialog:
        settings = self._fmt().settings
        symbol = get_currency_symbol(settings.currency.code, locale=settings.locale)
        return DiscountDialog(self, title, symbol)

    def _with_permission(
        self, permission: Permission, reason: str, then: Callable[[], None]
    ) -> None:
        """Run ``then`` if the cashier may; else after a manager approves on the spot. The
        approver is remembered and passed to the sale's completion."""
        assert self.session is not None
        if self.session.operator.can(permission):
            then()
            return
        dialog = ApprovalDialog(self, self.runner, self.backend.auth, permission, reason)

        def approved() -> None:
            self.approver = dialog.approver
            if dialog.approver is not None:
                self.banner.show_info(
                    tr("Approved by {name}").format(name=dialog.approver.display_name)
                )
                then()

        self._open_dialog(dialog, approved)

    def _void(self) -> None:
        if self.cart is None or self.cart.is_empty or self.mode is not Mode.SALE or self._busy:
            return
        dialog = ConfirmDialog(
            self,
            tr("Void this sale?"),
            tr("All {count} line(s) will be removed.").format(count=len(self.cart.lines)),
            tr("Void sale  ⏎"),
        )

        def accepted() -> None:
            self._new_sale()
            self.banner.show_info(tr("Sale voided"))

        self._open_dialog(dialog, accepted)

    # Parking -----------------------------------------------------------------------
    def _park(self) -> None:
        if self.cart is None or self.mode is not Mode.SALE or self._busy:
            return
        if self.cart.is_empty:
            self.banner.show_error(tr("There is nothing to park"))
            return
        dialog = TextDialog(
            self,
            tr("Park the sale"),
            tr("A label to find it again (optional), e.g. the customer's name."),
        )
        self._open_dialog(dialog, lambda: self._write_park(dialog.text))

    def _write_park(self, label: str) -> None:
        session, cart = self.session, self.cart
        assert session is not None
        assert cart is not None
        operator = session.operator

        def parked(_parked_id: int) -> None:
            self._set_busy(False)
            self._new_sale()
            self.banner.show_success(tr("Sale parked. Recall it with F10."))

        self._set_busy(True)
        self.runner.submit(
            lambda: session.sales.park(cart, operator, session.register_code, label),
            parked,
            self._write_failed,
        )

    def _recall(self) -> None:
        session = self.session
        if session is None or self.cart is None or self.mode is not Mode.SALE or self._busy:
            return
        if not self.cart.is_empty:
            self.banner.show_error(tr("Finish, park or void this sale before recalling another"))
            return
        self._set_busy(True)
        self.runner.submit(
            lambda: session.sales.parked(session.register_code),
            self._choose_parked,
            self._write_failed,
        )

    def _choose_parked(self, parked: list[ParkedSaleSummary]) -> None:
        self._set_busy(False)
        if not parked or self.formats is None:
            self.banner.show_info(tr("No sales are parked on this register"))
            return
        dialog = ParkedDialog(self, parked, self.formats)
        self._open_dialog(dialog, lambda: self._write_recall(dialog.chosen))

    def _write_recall(self, parked_id: int | None) -> None:
        session = self.session
        if parked_id is None or session is None:
            return
        operator = session.operator

        def recalled(cart: Cart) -> None:
            self._set_busy(False)
            self._new_sale(cart)
            self.banner.show_success(tr("Sale recalled"))

        self._set_busy(True)
        self.runner.submit(
            lambda: session.sales.recall(parked_id, operator), recalled, self._write_failed
        )

    def _write_failed(self, error: Exception) -> None:
        self._set_busy(False)
        self.banner.show_error(describe_failure(error))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.scan_field.setReadOnly(busy)
        self._update_actions()
        if not busy:
            self.focus_scan_field()

    # Payment -----------------------------------------------------------------------
    def _pay(self) -> None:
        if self.mode is Mode.PAYMENT:
            if not self._completing:
                self.payment_panel.enter()
            return
        session, cart = self.session, self.cart
        if session is None or cart is None or self._busy:
            return
        if cart.is_empty:
            self.banner.show_error(tr("Nothing to pay yet: scan an item first"))
            return
        missing = self._missing_authority()
        if missing is not None:
            self._with_permission(
                missing,
                tr("This sale has a changed price or a discount: a manager must approve it."),
                self._pay,
            )
            return
        self._search_timer.stop()
        self.search_popup.close_results()
        self.scan_field.clear()
        self.banner.clear_message()
        self._sale_id = str(uuid4())  # once per payment: a retry must reuse it
        self._pending_sale = None
        self.mode = Mode.PAYMENT
        self.scan_field.setEnabled(False)
        self.left_stack.setCurrentIndex(LeftPage.PAYMENT)
        self.payment_panel.start(cart.totals().total, session.settings.cash_increment, self._fmt())
        self._update_actions()
        if self.payment_panel.is_settled:  # a sale that costs nothing: no tender to take
            self._submit_sale()

    def _missing_authority(self) -> Permission | None:
        assert self.session is not None
        assert self.cart is not None
        needed = []
        if self.cart.needs_price_authority:
            needed.append(Permission.OVERRIDE_PRICE)
        if self.cart.needs_discount_authority:
            needed.append(Permission.GIVE_DISCOUNT)
        for permission in needed:
            if not self.session.operator.can(permission) and not (
                self.approver is not None and self.approver.can(permission)
            ):
                return permission
        return None

    def _submit_sale(self) -> None:
        """Write the settled sale off the UI thread; a retry sends the very same command."""
        session, cart, payment = self.session, self.cart, self.payment_panel.payment
        if self._completing or session is None or cart is None or payment is None:
            return
        if not payment.is_settled or self._sale_id is None:
            return
        if self._pending_sale is None:
            assert payment.rounding is not None
            self._pending_sale = CompleteSale(
                sale_id=self._sale_id,
                register_code=session.register_code,
                lines=commands_from_cart(cart),
                tenders=tuple(payment.tenders),
                rounding=payment.rounding,
                order_discount=cart.order_discount,
            )
        command, operator, approver = self._pending_sale, session.operator, self.approver
        self._completing = True
        self.payment_panel.set_submitting()
        self._update_actions()
        self.runner.submit(
            lambda: session.sales.complete(command, operator, approver),
            self._sale_done,
            self._sale_not_done,
        )

    def _sale_done(self, receipt: SaleReceipt) -> None:
        self._completing = False
        self._pending_sale = None
        self._sale_id = None
        self.payment_panel.stop()
        self.mode = Mode.SALE
        self.scan_field.setEnabled(True)
        self.last_receipt = receipt
        self._new_sale()
        self._show_receipt(receipt)
        self.banner.show_success(
            tr("Sale complete — receipt {number}").format(number=receipt_number(receipt))
        )
        self.focus_scan_field()
        self.sale_completed.emit(receipt)

    def _sale_not_done(self, error: Exception) -> None:
        self._completing = False
        if isinstance(error, UserError | EnvironmentProblem):
            message = error.message
        else:
            log.exception("completing sale %s failed", self._sale_id, exc_info=error)
            message = tr(SALE_NOT_COMPLETED)
        # The cashier's own mistakes need the sale changed; the machine's may pass.
        self.payment_panel.show_failure(message, retry=not isinstance(error, UserError))
        self.banner.show_error(message)
        self._update_actions()
        self.sale_failed.emit(message)

    def _cancel_payment(self, tenders_taken: bool) -> None:
        if self._completing:
            return
        if not tenders_taken:
            self._leave_payment()
            return
        dialog = ConfirmDialog(
            self,
            tr("Void the payments?"),
            tr(
                "Payments were taken for this sale. Void them and go back to the sale? "
                "Hand back any cash and reverse any card payment on the terminal."
            ),
            tr("Void payments  ⏎"),
        )
        self._open_dialog(dialog, self._leave_payment)

    def _leave_payment(self) -> None:
        self.payment_panel.stop()
        self._pending_sale = None
        self._sale_id = None
        self.mode = Mode.SALE
        self.scan_field.setEnabled(True)
        self.left_stack.setCurrentIndex(LeftPage.CART)
        self.banner.show_info(tr("Back to the sale: nothing was charged"))
        self._update_actions()
        self.focus_scan_field()

    def _show_receipt(self, receipt: SaleReceipt) -> None:
        assert self.session is not None
        self.receipt_view.show_receipt(receipt, self._fmt())
        self.left_stack.setCurrentIndex(LeftPage.RECEIPT)

    # Cart display ------------------------------------------------------------------
    def _new_sale(self, cart: Cart | None = None) -> None:
        assert self.session is not None
        self.cart = cart if cart is not None else self.session.sales.new_cart()
        self.approver = None
        self._last_line_id = None
        self.cart_model.set_cart(self.cart, self.formats)
        self._cart_changed(select=self.cart.lines[-1].line_id if self.cart.lines else None)

    def _cart_changed(self, select: int | None = None) -> None:
        self.cart_model.refresh()
        if self.cart is not None and not self.cart.is_empty:
            self.left_stack.setCurrentIndex(LeftPage.CART)
        if select is not None:
            self._select_row(self.cart_model.row_of(select))
        has_lines = self.cart is not None and not self.cart.is_empty
        self.cart_stack.setCurrentIndex(1 if has_lines else 0)
        self.totals_panel.show_cart(self.cart, self.cart_model.totals, self.formats)
        self._show_last_scanned()
        self._update_actions()
        self.cart_changed.emit()

    def _update_actions(self) -> None:
        ready = self.session is not None and not self._busy and self.mode is Mode.SALE
        has_lines = ready and self.cart is not None and not self.cart.is_empty
        for act in (
            self.quantity_action,
            self.price_action,
            self.line_discount_action,
            self.order_discount_action,
            self.park_action,
            self.void_action,
        ):
            act.setEnabled(has_lines)
        for button in (self.plus_button, self.minus_button, self.remove_button):
            button.setEnabled(has_lines)
        self.recall_action.setEnabled(ready)  # with a cart, F10 says why it cannot recall
        paying = self.mode is Mode.PAYMENT
        self.pay_action.setEnabled((has_lines or paying) and not self._completing)
        self.card_action.setEnabled(paying and not self._completing)
        self.pay_button.setText(tr("CASH   F12") if paying else tr("PAY   F12"))

    # Dialogs -----------------------------------------------------------------------
    def _open_dialog(self, dialog: QDialog, on_accept: Callable[[], None]) -> None:
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
        if self.dialog is None and self.isVisible():
            self.window().activateWindow()
            self.focus_scan_field()

    # Helpers -----------------------------------------------------------------------
    def _fmt(self) -> Formatter:
        assert self.formats is not None
        return self.formats

    def _money(self, money: Money) -> str:
        return self._fmt().money(money)
