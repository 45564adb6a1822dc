"""Small modal dialogs of the till: a number, a discount, a manager's approval, a label,
a yes/no question and the list of parked sales.

They are opened with ``open()`` (window-modal, never a nested event loop) and report through
``accepted``/``finished``; the till keeps the one that is open in ``TillScreen.dialog``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCore import QRegularExpression, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.pricing import Discount, DiscountKind
from app.domain.users import Operator, Permission
from app.errors import UserError
from app.services.auth import AuthService
from app.services.dto import ParkedSaleSummary
from ui.entry import parse_decimal
from ui.failures import describe_failure
from ui.formatting import Formats
from ui.i18n import tr
from ui.tasks import TaskRunner
from ui.widgets import TOUCH_MIN, Keypad, make_button

log = logging.getLogger(__name__)


class TillDialog(QDialog):
    """A dialog with a heading, an error line and Cancel/OK buttons at the bottom."""

    def __init__(self, parent: QWidget | None, title: str, ok_text: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("tillDialog")
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(420)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(24, 20, 24, 20)
        self.body.setSpacing(12)
        heading = QLabel(title)
        heading.setObjectName("dialogTitle")
        self.body.addWidget(heading)
        self.error_label = QLabel()
        self.error_label.setObjectName("dialogError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self._buttons = QHBoxLayout()
        self._buttons.setSpacing(12)
        self.cancel_button = self._button(tr("Cancel  Esc"), "secondaryButton")
        self.cancel_button.clicked.connect(self.reject)
        self.ok_button = self._button(ok_text or tr("OK  ⏎"), "primaryButton")
        self.ok_button.clicked.connect(self.submit)
        self._closed = False

    def done(self, result: int) -> None:
        # A key may reach both a list and the dialog: close (and report) only once.
        if self._closed:
            return
        self._closed = True
        super().done(result)

    def _button(self, text: str, name: str) -> QPushButton:
        button = make_button(text, name)
        # Enter is handled by the fields themselves: no button may also react to it.
        button.setAutoDefault(False)
        button.setDefault(False)
        return button

    def finish_layout(self) -> None:
        self.body.addWidget(self.error_label)
        self._buttons.addWidget(self.cancel_button)
        self._buttons.addWidget(self.ok_button)
        self.body.addLayout(self._buttons)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # The style sheet's fonts are applied while showing; size to them once that is done.
        QTimer.singleShot(0, self, self._fit)

    def _fit(self) -> None:
        """Tall enough for every row, wrapped prompts included (Qt sizes a window for its
        minimum, which ignores how many lines a wrapped label needs at this width)."""
        needed = self.body.totalHeightForWidth(self.width())
        if needed > self.height():
            self.setMinimumHeight(needed)
            self.resize(self.width(), needed)

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        self._fit()

    def submit(self) -> None:
        self.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submit()
            return
        super().keyPressEvent(event)


class NumberDialog(TillDialog):
    """Asks for a quantity, weight or price, with an on-screen keypad."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        prompt: str,
        *,
        initial: str = "",
        decimals: bool = True,
    ) -> None:
        super().__init__(parent, title)
        self.value: Decimal | None = None
        label = QLabel(prompt)
        label.setWordWrap(True)
        self.body.addWidget(label)
        self.field = QLineEdit(initial)
        self.field.setObjectName("dialogField")
        self.field.setMinimumHeight(TOUCH_MIN)
        pattern = r"\d{0,7}([.,]\d{0,3})?" if decimals else r"\d{0,7}"
        self.field.setValidator(QRegularExpressionValidator(QRegularExpression(pattern), self))
        self.field.selectAll()
        self.body.addWidget(self.field)
        self.body.addWidget(Keypad(self.field, with_point=decimals, enter_text=None))
        self.finish_layout()
        self.field.setFocus()

    def submit(self) -> None:
        value = parse_decimal(self.field.text())
        if value is None:
            self.show_error(tr("Enter a number"))
            self.field.setFocus()
            return
        self.value = value
        self.accept()


class DiscountDialog(NumberDialog):
    """A percent or an amount off: the toggle, or ``%`` typed after the number, says which."""

    def __init__(self, parent: QWidget | None, title: str, currency_symbol: str) -> None:
        super().__init__(parent, title, tr("Discount (0 removes it)"), initial="", decimals=True)
        self.discount: Discount | None = None
        self.field.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"\d{0,7}([.,]\d{0,2})?%?"), self)
        )
        toggles = QHBoxLayout()
        self.percent_button = make_button(tr("Percent %"), "toggleButton")
        self.amount_button = make_button(
            tr("Amount {symbol}").format(symbol=currency_symbol), "toggleButton"
        )
        group = QButtonGroup(self)
        for button in (self.percent_button, self.amount_button):
            button.setCheckable(True)
            button.setAutoDefault(False)
            group.addButton(button)
            toggles.addWidget(button)
        self.percent_button.setChecked(True)
        self.body.insertLayout(2, toggles)

    def submit(self) -> None:
        text = self.field.text().strip()
        percent = text.endswith("%") or self.percent_button.isChecked()
        value = parse_decimal(text.rstrip("%"))
        if value is None:
            self.show_error(tr("Enter a number"))
            return
        try:
            kind = DiscountKind.PERCENT if percent else DiscountKind.AMOUNT
            self.discount = None if value == 0 else Discount(kind, value)
        except UserError as error:
            self.show_error(error.message)
            return
        self.value = value
        self.accept()


class TextDialog(TillDialog):
    """A short line of text, e.g. the label of a parked sale."""

    def __init__(self, parent: QWidget | None, title: str, prompt: str) -> None:
        super().__init__(parent, title)
        label = QLabel(prompt)
        label.setWordWrap(True)
        self.body.addWidget(label)
        self.field = QLineEdit()
        self.field.setObjectName("dialogField")
        self.field.setMaxLength(40)
        self.field.setMinimumHeight(TOUCH_MIN)
        self.body.addWidget(self.field)
        self.finish_layout()
        self.field.setFocus()

    @property
    def text(self) -> str:
        return self.field.text().strip()


class ConfirmDialog(TillDialog):
    """A yes/no question with large buttons; Enter says yes, Esc says no."""

    def __init__(self, parent: QWidget | None, title: str, question: str, yes_text: str) -> None:
        super().__init__(parent, title, ok_text=yes_text)
        label = QLabel(question)
        label.setWordWrap(True)
        self.body.addWidget(label)
        self.cancel_button.setText(tr("No  Esc"))
        self.finish_layout()


class ApprovalDialog(TillDialog):
    """A manager types their user name and PIN to allow one action; checked off the UI
    thread by ``auth.approve``. ``approver`` is set when the dialog is accepted."""

    def __init__(
        self,
        parent: QWidget | None,
        runner: TaskRunner,
        auth: AuthService,
        permission: Permission,
        reason: str,
    ) -> None:
        super().__init__(parent, tr("Manager approval"), ok_text=tr("Approve  ⏎"))
        self.approver: Operator | None = None
        self._runner = runner
        self._auth = auth
        self._permission = permission
        self._checking = False
        label = QLabel(reason)
        label.setWordWrap(True)
        self.body.addWidget(label)
        self.username = QLineEdit()
        self.username.setObjectName("dialogField")
        self.username.setPlaceholderText(tr("Manager's user name"))
        self.username.setMinimumHeight(TOUCH_MIN)
        self.pin = QLineEdit()
        self.pin.setObjectName("pinField")
        self.pin.setPlaceholderText(tr("PIN"))
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(8)
        self.pin.setMinimumHeight(TOUCH_MIN)
        self.pin.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,8}"), self))
        self.body.addWidget(self.username)
        self.body.addWidget(self.pin)
        self.keypad = Keypad(self.pin, enter_text=None)
        self.body.addWidget(self.keypad)
        self.finish_layout()
        self.username.setFocus()

    def submit(self) -> None:
        if self._checking:
            return
        if not self.username.text().strip():
            self.username.setFocus()
            return
        if not self.pin.text():  # Enter after the user name moves on to the PIN
            self.pin.setFocus()
            return
        username, pin, permission = self.username.text(), self.pin.text(), self._permission
        self._checking = True
        self.ok_button.setEnabled(False)
        self._runner.submit(
            lambda: self._auth.approve(username, pin, permission), self._approved, self._refused
        )

    def reject(self) -> None:
        if self._checking:  # the answer is on its way; it will close the dialog
            return
        super().reject()

    def _approved(self, approver: Operator) -> None:
        self._checking = False
        self.approver = approver
        self.accept()

    def _refused(self, error: Exception) -> None:
        self._checking = False
        self.ok_button.setEnabled(True)
        self.pin.clear()
        self.pin.setFocus()
        self.show_error(describe_failure(error))


class ParkedDialog(TillDialog):
    """The sales parked on this register; Enter or a tap recalls the highlighted one."""

    def __init__(
        self, parent: QWidget | None, parked: Sequence[ParkedSaleSummary], formats: Formats
    ) -> None:
        super().__init__(parent, tr("Recall a parked sale"), ok_text=tr("Recall  ⏎"))
        self.setMinimumWidth(560)
        self.chosen: int | None = None
        self.list = QListWidget()
        self.list.setObjectName("parkedList")
        for summary in parked:
            text = tr("{label} — {lines} line(s) — {total}\nparked {at} by {who}").format(
                label=summary.label,
                lines=summary.lines,
                total=formats.money(summary.total),
                at=formats.time(summary.parked_at),
                who=summary.parked_by,
            )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, summary.parked_id)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(lambda _item: self.submit())
        self.body.addWidget(self.list)
        self.finish_layout()
        self.list.setFocus()

    def submit(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.chosen = int(item.data(Qt.ItemDataRole.UserRole))
        self.accept()
