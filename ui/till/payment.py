"""The payment panel: cash with change and rounding, card with an approval reference, splits.

Nothing is written while tenders are taken: the panel only fills a :class:`Payment`. When it
is settled the panel emits ``settled`` and the till submits the sale off the UI thread; if
that fails the panel stays settled and Enter retries with the same sale id.

What the customer must hand over is shown in large type: the cash due, rounded to the shop's
smallest coin. Enter on an empty cash field takes exactly that, but only once it has been on
screen for a moment (:data:`EXACT_CASH_DELAY_MS`): a reflex second Enter after F12 must not
complete a sale nobody has looked at. Cash above the due plus the largest banknote is refused.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from decimal import ROUND_CEILING, Decimal

from PySide6.QtCore import QEvent, QObject, QRegularExpression, Qt, Signal
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.documents.formatter import Formatter
from app.domain.entry import parse_decimal
from app.domain.money import Money
from app.domain.tender import Payment, Tender, TenderKind
from app.errors import UserError
from ui.common.i18n import tr
from ui.common.widgets import TOUCH_MIN, Keypad, make_button, set_style_property

# Round sums a customer hands over, in currency units: 5, 10, 20, 50, 100, 200, 500…
_NOTES = tuple(sorted({base * 10**power for power in range(7) for base in (1, 2, 5)} - {1, 2}))
QUICK_CASH_BUTTONS = 2
EXACT_CASH_DELAY_MS = 400
"""How long the amount due is on screen before an empty Enter is taken as exact cash."""


def round_up_amounts(due: Decimal, count: int = 3) -> list[Decimal]:
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


def tender_words(tender: Tender, formats: Formatter) -> str:
    """A tender as the cashier gives it back: "the card payment of €5.00"."""
    if tender.kind is TenderKind.CARD:
        return tr("the card payment of {amount}").format(amount=formats.money(tender.amount))
    return tr("the {amount} cash").format(amount=formats.money(tender.tendered))


def give_back(tenders: Sequence[Tender], formats: Formatter) -> str:
    """What voiding these tenders means at the counter."""
    cash = [t for t in tenders if t.kind is TenderKind.CASH]
    card = [t for t in tenders if t.kind is TenderKind.CARD]
    steps = []
    if cash:
        steps.append(
            tr("hand back {what}").format(what=", ".join(tender_words(t, formats) for t in cash))
        )
    if card:
        steps.append(
            tr("reverse {what} on the card terminal").format(
                what=", ".join(tender_words(t, formats) for t in card)
            )
        )
    return " and ".join(steps)


class PaymentPanel(QWidget):
    """Takes tenders for one sale. States: taking tenders, submitting, failed (retry)."""

    settled = Signal()
    retry_requested = Signal()
    tendered = Signal()  # a tender was taken: the till writes its draft at once
    cancel_requested = Signal(bool)  # True when tenders were taken and must be voided

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paymentPanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.payment: Payment | None = None
        self._formats: Formatter | None = None
        self._submitting = False
        self._failed = False
        self._due_shown_at = 0.0
        self.exact_cash_delay_ms = EXACT_CASH_DELAY_MS

        caption = QLabel(tr("TO PAY"))
        caption.setObjectName("toPayCaption")
        self.to_pay_value = QLabel()
        self.to_pay_value.setObjectName("toPayAmount")
        self.to_pay_note = QLabel()
        self.to_pay_note.setObjectName("paymentNote")
        self.total_value = QLabel()
        self.total_value.setObjectName("paymentValue")
        self.paid_value = QLabel()
        self.paid_value.setObjectName("paymentValue")
        self.tenders_label = QLabel()
        self.tenders_label.setObjectName("tenderList")
        self.tenders_label.setWordWrap(True)
        self.change_value = QLabel()
        self.change_value.setObjectName("changeLine")
        self.status_label = QLabel()
        self.status_label.setObjectName("paymentStatus")
        self.status_label.setWordWrap(True)
        # Room for three lines, whatever the message: the panel must not grow past the screen.
        self.status_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        self.status_label.setMinimumHeight(66)

        self.amount_field = QLineEdit()
        self.amount_field.setObjectName("tenderField")
        self.amount_field.setPlaceholderText(tr("Cash received"))
        self.amount_field.setMinimumHeight(TOUCH_MIN + 4)
        self.amount_field.setToolTip(tr("Enter alone takes the exact cash due"))
        self.amount_field.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"\d{0,7}([.,]\d{0,3})?"), self)
        )
        self.amount_field.installEventFilter(self)

        self.reference_field = QLineEdit()
        self.reference_field.setObjectName("referenceField")
        self.reference_field.setPlaceholderText(tr("Card approval code (optional)"))
        self.reference_field.setMaxLength(64)
        self.reference_field.setToolTip(
            tr("The card terminal's approval code (optional). Never the card number.")
        )
        self.reference_field.setMinimumHeight(TOUCH_MIN)
        self.reference_field.returnPressed.connect(self.take_card)

        self.card_button = make_button(tr("Card  F5"), "cardButton")
        self.card_button.clicked.connect(self.take_card)
        self.exact_button = make_button(tr("Exact"), "quickCash")
        self.exact_button.clicked.connect(self.exact_cash)
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
        # The till's CASH button (F12) takes what is typed: the keypad needs no Enter key.
        self.keypad = Keypad(self.amount_field, with_point=True, enter_text=None)

        summary = QGridLayout()
        summary.setHorizontalSpacing(16)
        summary.setVerticalSpacing(2)
        self._paid_caption = QLabel(tr("Paid"))
        for row, (label, value) in enumerate(
            ((QLabel(tr("Total")), self.total_value), (self._paid_caption, self.paid_value))
        ):
            label.setObjectName("paymentCaption")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            summary.addWidget(label, row, 0)
            summary.addWidget(value, row, 1)

        left = QVBoxLayout()
        left.setSpacing(6)
        left.addWidget(caption)
        left.addWidget(self.to_pay_value)
        left.addWidget(self.to_pay_note)
        left.addLayout(summary)
        left.addWidget(self.tenders_label)
        left.addWidget(self.change_value)
        left.addWidget(self.status_label, 1)
        left.addWidget(self.reference_field)
        left.addWidget(self.card_button)

        # Cash, its quick sums and the keypad on the right, within reach of the right hand.
        right = QVBoxLayout()
        right.setSpacing(8)
        right.addWidget(self.amount_field)
        right.addLayout(quick_row)
        right.addWidget(self.keypad)
        right.addStretch(1)
        right.addWidget(self.cancel_button)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(20)
        layout.addLayout(left, 1)
        layout.addLayout(right, 1)

    # State ---------------------------------------------------------------------------
    @property
    def has_tenders(self) -> bool:
        return self.payment is not None and bool(self.payment.tenders)

    @property
    def is_settled(self) -> bool:
        return self.payment is not None and self.payment.is_settled

    def start(self, payment: Payment, formats: Formatter) -> None:
        """Take tenders for ``payment`` (new, or restored with the tenders it had)."""
        self.payment = payment
        self._formats = formats
        self._submitting = False
        self._failed = False
        self.amount_field.clear()
        self.reference_field.clear()
        self._set_status("", "")
        self.to_pay_value.clear()  # the due is new on screen, even if the same as the last
        self._refresh()
        self.amount_field.setFocus()

    def stop(self) -> None:
        """Forget the payment (nothing of it was written)."""
        self.payment = None
        self._submitting = False
        self._failed = False

    def set_submitting(self) -> None:
        self._submitting = True
        self._failed = False
        self._set_status(tr("Saving the sale…"), "busy")
        self._refresh()

    def show_failure(self, advice: str) -> None:
        """The sale was not saved; the tenders stay taken. ``advice`` says what Enter and
        Esc do now (the till shows what went wrong above)."""
        self._submitting = False
        self._failed = True
        self._set_status(advice, "error")
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
        if not text:
            self.exact_cash()
            return
        amount = parse_decimal(text)
        if amount is None:
            self._problem(tr("Enter the cash amount, e.g. 20 or 12.50"))
            return
        self.take_cash(amount)

    def exact_cash(self) -> None:
        """Exactly the cash due, once it has been on screen long enough to be read."""
        if self.payment is None or self._busy():
            return
        shown_ms = (time.monotonic() - self._due_shown_at) * 1000
        if shown_ms < self.exact_cash_delay_ms:
            self._set_status(tr("Check the amount to pay, then Enter for exact cash"), "")
            return
        self.take_cash(None)

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
        self._set_status("", "")
        self._refresh()
        self.tendered.emit()
        if self.is_settled:
            self.settled.emit()
        else:
            self.amount_field.setFocus()

    def _problem(self, message: str) -> None:
        self._set_status(message, "error")
        self.amount_field.selectAll()
        self.amount_field.setFocus()

    def _set_status(self, text: str, kind: str) -> None:
        self.status_label.setText(text)
        set_style_property(self.status_label, "kind", kind)

    # Display -------------------------------------------------------------------------
    def _refresh(self) -> None:
        payment, formats = self.payment, self._formats
        if payment is None or formats is None:
            return
        money = formats.money
        cash_due = payment.cash_due()
        to_pay = money(cash_due)
        if to_pay != self.to_pay_value.text():
            self._due_shown_at = time.monotonic()  # a new amount: read it before exact cash
        self.to_pay_value.setText(to_pay)
        rounded = cash_due != payment.remaining
        self.to_pay_note.setText(
            tr("in cash (rounded); {exact} by card").format(exact=money(payment.remaining))
            if rounded
            else ""
        )
        self.to_pay_note.setVisible(rounded)
        self.total_value.setText(money(payment.total))
        self.paid_value.setText(money(payment.paid))
        self.paid_value.setVisible(bool(payment.tenders))
        self._paid_caption.setVisible(bool(payment.tenders))
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
        self.change_value.setText(
            tr("Change {amount}").format(amount=money(payment.change)) if settled else ""
        )
        self.change_value.setVisible(settled)
        taking = not (settled or self._submitting or self._failed)
        for widget in (self.card_button, self.exact_button, self.reference_field, self.keypad):
            widget.setEnabled(taking)
        self.exact_button.setToolTip(tr("Exact cash: {amount}").format(amount=to_pay))
        self.amount_field.setReadOnly(not taking and not self._failed)
        amounts = round_up_amounts(cash_due.amount, QUICK_CASH_BUTTONS)
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
