"""The till screen's widgets and layout; what the keys and buttons do is the controller's
(:mod:`ui.till.controller`).

Sized for a 1024×768 screen and up with no window manager: the line buttons and PAY sit
outside the page stack (cart, payment, receipt), so they stay on screen whatever page is
shown, and the banner floats over a slot of fixed height, so that no message moves them.
Cart rows have one fixed height: nothing is measured per row on a scan.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.common.i18n import tr
from ui.common.widgets import TOUCH_MIN, Banner, make_button
from ui.till.cart_model import ITEM, PRICE, QUANTITY, TOTAL, CartTableModel
from ui.till.payment import PaymentPanel
from ui.till.receipt_view import ReceiptView
from ui.till.search_popup import SearchPopup
from ui.till.totals import TotalsPanel

CART_ROW_HEIGHT = TOUCH_MIN
BANNER_SLOT_HEIGHT = 48
BANNER_MAX_HEIGHT = 132  # four lines: a longer message is cut rather than cover PAY
PAY_HEIGHT = TOUCH_MIN + 28


class LeftPage:
    """Pages of the left-hand stack."""

    CART, PAYMENT, RECEIPT = range(3)


class Mode(StrEnum):
    """Ringing items up, or taking payment for them."""

    SALE = "sale"
    PAYMENT = "payment"


class TillView(QWidget):
    """The widgets of the till screen, laid out; no behaviour of its own."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tillScreen")
        self.scan_field = QLineEdit()
        self.scan_field.setObjectName("scanField")
        self.scan_field.setPlaceholderText(
            tr("Scan or type a code  ·  3* before it for three  ·  type a name to search")
        )
        self.scan_field.setMinimumHeight(TOUCH_MIN + 4)
        # No clear button: the field clears itself after every entry (Esc clears it too), and
        # the button's fade animation repainted the field for a while after every scan.

        self.banner_slot = QWidget()
        self.banner_slot.setFixedHeight(BANNER_SLOT_HEIGHT)
        self.banner = Banner(self)
        self.banner.overlay(self.banner_slot, BANNER_MAX_HEIGHT)

        self.cart_model = CartTableModel()
        self.cart_view = self._build_cart_view()
        self.empty_hint = QLabel(tr("Scan an item to start a sale"))
        self.empty_hint.setObjectName("emptyHint")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cart_stack = QStackedWidget()
        self.cart_stack.addWidget(self.empty_hint)
        self.cart_stack.addWidget(self.cart_view)

        self.payment_panel = PaymentPanel()
        self.receipt_view = ReceiptView()
        self.left_stack = QStackedWidget()
        self.left_stack.addWidget(self.cart_stack)
        self.left_stack.addWidget(self.payment_panel)
        self.left_stack.addWidget(self.receipt_view)

        self.minus_button = make_button("−", "lineButton", tooltip=tr("One less (-)"))
        self.plus_button = make_button("+", "lineButton", tooltip=tr("One more (+)"))
        for button in (self.minus_button, self.plus_button):
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            button.setFixedWidth(TOUCH_MIN + 8)
        self.quantity_button = make_button(tr("Qty  F4"), "lineButton")
        self.price_button = make_button(tr("Price  F6"), "lineButton")
        self.line_discount_button = make_button(tr("Disc.  F7"), "lineButton")
        self.remove_button = make_button(tr("Remove  Del"), "dangerButton")
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

        left = QVBoxLayout()
        left.setSpacing(8)
        left.addWidget(self.left_stack, 1)
        left.addLayout(line_row)

        self.totals_panel = TotalsPanel()
        self.order_discount_button = make_button(tr("Order disc.  F8"), "actionButton")
        self.void_button = make_button(tr("Void  F3"), "dangerButton")
        self.park_button = make_button(tr("Park  F9"), "actionButton")
        self.recall_button = make_button(tr("Recall  F10"), "actionButton")
        actions = QGridLayout()
        actions.setSpacing(8)
        actions.addWidget(self.order_discount_button, 0, 0)
        actions.addWidget(self.void_button, 0, 1)
        actions.addWidget(self.park_button, 1, 0)
        actions.addWidget(self.recall_button, 1, 1)
        # PAY: the largest target on the screen, full width at the bottom right.
        self.pay_button = make_button(tr("PAY   F12"), "payButton")
        self.pay_button.setMinimumHeight(PAY_HEIGHT)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(8)
        right.addWidget(self.totals_panel, 1)
        right.addLayout(actions)
        right.addWidget(self.pay_button)
        right_panel = QWidget()
        right_panel.setObjectName("rightPanel")
        right_panel.setLayout(right)
        right_panel.setMinimumWidth(280)
        right_panel.setMaximumWidth(420)

        body = QHBoxLayout()
        body.setSpacing(12)
        body.addLayout(left, 5)
        body.addWidget(right_panel, 2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(8)
        layout.addWidget(self.scan_field)
        layout.addWidget(self.banner_slot)
        layout.addLayout(body, 1)

        # Children of the screen, above everything; placed when shown.
        self.search_popup = SearchPopup(self)
        self.banner.raise_()
        self._build_actions()

    def _build_cart_view(self) -> QTableView:
        view = QTableView()
        view.setObjectName("cartTable")
        view.setModel(self.cart_model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Tapping a line selects it without taking the focus from the scan field.
        view.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        view.setAlternatingRowColors(True)
        view.setShowGrid(False)
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        rows = view.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(CART_ROW_HEIGHT)
        header = view.horizontalHeader()
        header.setSectionResizeMode(ITEM, QHeaderView.ResizeMode.Stretch)
        for column, width in ((QUANTITY, 112), (PRICE, 136), (TOTAL, 120)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, width)
        header.setHighlightSections(False)
        return view

    def _build_actions(self) -> None:
        def action(text: str, key: Qt.Key, button: QPushButton | None = None) -> QAction:
            act = QAction(text, self)
            act.setShortcut(QKeySequence(key))
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(act)
            if button is not None:
                button.clicked.connect(act.trigger)
                act.changed.connect(lambda: button.setEnabled(act.isEnabled()))
            return act

        self.void_action = action(tr("Void sale"), Qt.Key.Key_F3, self.void_button)
        self.quantity_action = action(tr("Quantity"), Qt.Key.Key_F4, self.quantity_button)
        self.card_action = action(tr("Card"), Qt.Key.Key_F5)
        self.price_action = action(tr("Price"), Qt.Key.Key_F6, self.price_button)
        self.line_discount_action = action(
            tr("Line discount"), Qt.Key.Key_F7, self.line_discount_button
        )
        self.order_discount_action = action(
            tr("Order discount"), Qt.Key.Key_F8, self.order_discount_button
        )
        self.park_action = action(tr("Park"), Qt.Key.Key_F9, self.park_button)
        self.recall_action = action(tr("Recall"), Qt.Key.Key_F10, self.recall_button)
        self.pay_action = action(tr("Pay"), Qt.Key.Key_F12, self.pay_button)

    def show_page(self, page: int) -> None:
        self.left_stack.setCurrentIndex(page)

    def show_cart_lines(self, has_lines: bool) -> None:
        self.cart_stack.setCurrentIndex(1 if has_lines else 0)

    def select_row(self, row: int) -> None:
        if 0 <= row < self.cart_model.rowCount():
            self.cart_view.selectRow(row)
            self.cart_view.scrollTo(self.cart_model.index(row, 0))
