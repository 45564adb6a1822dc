"""The payment panel: cash with change and rounding, card with an approval reference, splits.

Nothing is written while tenders are taken: the panel only fills a :class:`Payment`. When it
is settled the panel emits ``settled`` and the till submits the sale off the UI thread; if
that fails the panel stays settled and Enter retries with the same sale id.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from PySide6.QtCore import QEvent, QObject, QRegularExpression, Qt, Signal
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.documents.formatter import Formatter
from app.domain.entry import parse_decimal
from app.domain.money import Money
from app.domain.tender import Payment, TenderKind
from app.errors import UserError
from ui.common.i18n import tr
from ui.common.widgets import TOUCH_MIN, Keypad, make_button, set_style_property

# Round sums a customer hands over, in currency units: 5, 10, 20, 50, 100, 200, 500…
_NOTES = tuple(sorted({base * 10**power for power in range(7) for base in (1, 2, 5)} - {1, 2}))
QUICK_CASH_BUTTONS = 3


def round_up_amounts(due: Decimal, count: int = QUICK_CASH_BUTTONS) -> list[Decimal]:
    """The next round sums above ``due`` a customer may hand over: 13.45 -> 15, 20, 50."""
    sums: list[Decimal] = []
    for note in _NOTES:
        if note * 20 < due:  # a handful of small notes is not a "round" amount
            continue
        amount = (due / note).to_integral_value(rounding=ROUND_CEILING) * note
        if amount > due and amount not in sums:
            sums.append(amount)
        if len(sums) == count:
            break
    return sums


class PaymentPanel(QWidget):
    """Takes tenders for one sale. States: taking tenders, submitting, failed (retry)."""

    settled = Signal()
    retry_requested = Signal()
    cancel_requested = Signal(bool)  # True when tenders were taken and must be voided

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paymentPanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.payment: Payment | None = None
        self._formats: Formatter | None = None
        self._submitting = False
        self._failed = False

        self.due_value = QLabel()
        self.due_value.setObjectName("dueAmount")
        self.cash_due_value = QLabel()
        self.cash_due_value.setObjectName("paymentValue")
        self.paid_value = QLabel()
        self.paid_value.setObjectName("paymentValue")
        self.remaining_value = QLabel()
        self.remaining_value.setObjectName("remainingAmount")
        self.tenders_label = QLabel()
        self.tenders_label.setObjectName("tenderList")
        self.tenders_label.setWordWrap(True)

        self.amount_field = QLineEdit()
        self.amount_field.setObjectName("tenderField")
        self.amount_field.setPlaceholderText(tr("Cash received"))
        self.amount_field.setMinimumHeight(TOUCH_MIN + 8)
        self.amount_field.setToolTip(tr("Enter alone takes the exact cash due"))
        self.amount_field.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"\d{0,7}([.,]\d{0,3})?"), self)
        )
        self.amount_field.installEventFilter(self)

        self.reference_field = QLineEdit()
        self.reference_field.setObjectName("referenceField")
        self.reference_field.setPlaceholderText(tr("Approval code (optional)"))
        self.reference_field.setMaxLength(64)
        self.reference_field.setToolTip(
            tr("The card terminal's approval code (optional). Never the card number.")
        )
        self.reference_field.setMinimumHeight(TOUCH_MIN)
        self.reference_field.returnPressed.connect(self.take_card)

        self.card_button = make_button(tr("Card  F5"), "cardButton")
        self.card_button.clicked.connect(self.take_card)
        self.exact_button = make_button("", "quickCash")
        self.exact_button.clicked.connect(lambda: self.take_cash(None))
        self.quick_buttons: list[QPushButton] = []
        quick_row = QHBoxLayout()
        quick_row.setSpacing(8)
        quick_row.addWidget(self.exact_button)
        for _ in range(QUICK_CASH_BUTTONS):
            button = make_button("", "quickCash")
            button.clicked.connect(lambda _=False, b=button: self._quick_cash(b))
            self.quick_buttons.append(button)
            quick_row.addWidget(button)
        self.cancel_button = make_button(tr("Back  Esc"), "secondaryButton")
        self.cancel_button.clicked.connect(self.request_cancel)

        self.change_caption = QLabel(tr("Change"))
        self.change_caption.setObjectName("changeCaption")
        self.change_value = QLabel()
        self.change_value.setObjectName("changeAmount")
        self.status_label = QLabel()
        self.status_label.setObjectName("paymentStatus")
        self.status_label.setWordWrap(True)

        self.keypad = Keypad(self.amount_field, with_point=True, enter_text=tr("Cash  ⏎"))
        self.keypad.enter_pressed.connect(lambda: self.take_cash(self._typed_amount()))

        summary = QGridLayout()
        summary.setHorizontalSpacing(24)
        summary.setVerticalSpacing(6)
        rows = [
            (tr("Amount due"), self.due_value),
            (tr("Cash due (rounded)"), self.cash_due_value),
            (tr("Paid"), self.paid_value),
            (tr("Remaining"), self.remaining_value),
        ]
        self._cash_due_caption = QLabel()
        for row, (caption, value) in enumerate(rows):
            label = QLabel(caption)
            label.setObjectName("paymentCaption")
            if value is self.cash_due_value:
                self._cash_due_caption = label
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            summary.addWidget(label, row, 0)
            summary.addWidget(value, row, 1)

        change_box = QFrame()
        change_box.setObjectName("changeBox")
        change_layout = QHBoxLayout(change_box)
        change_layout.addWidget(self.change_caption)
        change_layout.addStretch(1)
        change_layout.addWidget(self.change_value)

        left = QVBoxLayout()
        left.setSpacing(10)
        title = QLabel(tr("Payment"))
        title.setObjectName("panelTitle")
        left.addWidget(title)
        left.addLayout(summary)
        left.addWidget(self.tenders_label)
        left.addWidget(self.amount_field)
        left.addLayout(quick_row)
        left.addWidget(change_box)
        left.addWidget(self.status_label)
        left.addStretch(1)
        left.addWidget(self.cancel_button)

        # Keypad and card on the right, within reach of a right-handed cashier.
        right = QVBoxLayout()
        right.setSpacing(10)
        right.addWidget(self.keypad)
        right.addSpacing(6)
        right.addWidget(self.reference_field)
        right.addWidget(self.card_button)
        right.addStretch(1)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(24)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)

    # State ---------------------------------------------------------------------------
    @property
    def has_tenders(self) -> bool:
        return self.payment is not None and bool(self.payment.tenders)

    @property
    def is_settled(self) -> bool:
        return self.payment is not None and self.payment.is_settled

    def start(self, total: Money, cash_increment: Decimal, formats: Formatter) -> None:
        self.payment = Payment(total, cash_increment)
        self._formats = formats
        self._submitting = False
        self._failed = False
        self.amount_field.clear()
        self.reference_field.clear()
        self.status_label.clear()
        set_style_property(self.status_label, "kind", "")
        self._refresh()
        self.amount_field.setFocus()

    def stop(self) -> None:
        """Forget the payment: nothing was written, so voiding is discarding."""
        self.payment = None
        self._submitting = False
        self._failed = False

    def set_submitting(self) -> None:
        self._submitting = True
        self._failed = False
        self.status_label.setText(tr("Saving the sale…"))
        set_style_property(self.status_label, "kind", "busy")
        self._refresh()

    def show_failure(self, message: str, *, retry: bool) -> None:
        """The sale was not saved; the tenders stay taken. Enter tries again (the same sale),
        Esc voids the payment and goes back to the sale."""
        self._submitting = False
        self._failed = True
        advice = (
            tr("Press Enter to try again, or Esc to void the payment.")
            if retry
            else tr("Press Esc to void the payment and change the sale.")
        )
        self.status_label.setText(message + "\n" + advice)
        set_style_property(self.status_label, "kind", "error")
        self._refresh()
        self.amount_field.setFocus()

    # Tenders -------------------------------------------------------------------------
    def _typed_amount(self) -> Decimal | None:
        return parse_decimal(self.amount_field.text()) if self.amount_field.text() else None

    def _quick_cash(self, button: QPushButton) -> None:
        amount = button.property("amount")
        if amount:
            self.take_cash(Decimal(str(amount)))

    def enter(self) -> None:
        """Enter (or F12): cash as typed, exact cash when nothing is typed, or a retry."""
        if self._failed:
            self.retry_requested.emit()
            return
        text = self.amount_field.text().strip()
        amount = parse_decimal(text) if text else None
        if text and amount is None:
            self._problem(tr("Enter the cash amount, e.g. 20 or 12.50"))
            return
        self.take_cash(amount)

    def take_cash(self, amount: Decimal | None) -> None:
        """Cash handed over; None means exactly the cash due."""
        payment = self.payment
        if payment is None or self._busy():
            return
        try:
            tendered = (
                payment.cash_due() if amount is None else Money.of(amount, payment.total.currency)
            )
            payment.take_cash(tendered)
        except UserError as error:
            self._problem(error.message)
            return
        self._after_tender()

    def take_card(self) -> None:
        """A card payment for the typed amount, or for everything still due."""
        payment = self.payment
        if payment is None or self._busy():
            return
        try:
            typed = self._typed_amount()
            amount = payment.remaining if typed is None else Money.of(typed, payment.total.currency)
            payment.take_card(amount, self.reference_field.text())
        except UserError as error:
            self._problem(error.message)
            return
        self.reference_field.clear()
        self._after_tender()

    def request_cancel(self) -> None:
        if self.payment is None or self._submitting:
            return
        self.cancel_requested.emit(self.has_tenders)

    def _busy(self) -> bool:
        return self._submitting or self._failed or self.is_settled

    def _after_tender(self) -> None:
        self.amount_field.clear()
        self.status_label.clear()
        set_style_property(self.status_label, "kind", "")
        self._refresh()
        if self.is_settled:
            self.settled.emit()
        else:
            self.amount_field.setFocus()

    def _problem(self, message: str) -> None:
        self.status_label.setText(message)
        set_style_property(self.status_label, "kind", "error")
        self.amount_field.selectAll()
        self.amount_field.setFocus()

    # Display -------------------------------------------------------------------------
    def _refresh(self) -> None:
        payment, formats = self.payment, self._formats
        if payment is None or formats is None:
            return
        money = formats.money
        self.due_value.setText(money(payment.due))
        cash_due = payment.cash_due()
        rounded = cash_due != payment.remaining
        self.cash_due_value.setText(money(cash_due))
        self.cash_due_value.setVisible(rounded)
        self._cash_due_caption.setVisible(rounded)
        self.paid_value.setText(money(payment.paid))
        self.remaining_value.setText(money(payment.remaining))
        lines = []
        for tender in payment.tenders:
            if tender.kind is TenderKind.CARD:
                ref = f" ({tender.reference})" if tender.reference else ""
                lines.append(tr("Card{ref}: {amount}").format(ref=ref, amount=money(tender.amount)))
            else:
                lines.append(
                    tr("Cash: {tendered} handed over").format(tendered=money(tender.tendered))
                )
        self.tenders_label.setText("\n".join(lines))
        self.tenders_label.setVisible(bool(lines))
        settled = payment.is_settled
        self.change_value.setText(money(payment.change) if settled else "—")
        set_style_property(self.change_value, "settled", settled)
        taking = not (settled or self._submitting or self._failed)
        for widget in (self.card_button, self.exact_button, self.reference_field, self.keypad):
            widget.setEnabled(taking)
        self.exact_button.setText(tr("Exact"))
        self.exact_button.setToolTip(tr("Exact cash: {amount}").format(amount=money(cash_due)))
        self.amount_field.setReadOnly(not taking and not self._failed)
        amounts = round_up_amounts(cash_due.amount)
        for index, button in enumerate(self.quick_buttons):
            amount = amounts[index] if index < len(amounts) else None
            button.setProperty("amount", str(amount) if amount is not None else "")
            button.setText(formats.whole_amount(amount) if amount is not None else "")
            button.setEnabled(taking and amount is not None)
        self.cancel_button.setEnabled(not self._submitting)

    # Keys ----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.amount_field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.enter()
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.request_cancel()
                return True
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.request_cancel()
            return
        super().keyPressEvent(event)
