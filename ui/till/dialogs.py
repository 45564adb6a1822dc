"""The till's own dialogs: a discount, a manager's approval, the list of parked sales.

They are opened with ``open()`` (window-modal, never a nested event loop) and report through
``accepted``/``finished``; the till keeps the one that is open in ``TillScreen.dialog``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from app.documents.formatter import Formatter
from app.domain.entry import parse_decimal
from app.domain.pricing import Discount, DiscountKind
from app.domain.users import Operator, Permission
from app.dto.sales import ParkedSaleSummary
from app.errors import UserError
from app.services.auth import AuthService
from ui.common.dialogs import NumberDialog, TillDialog
from ui.common.failures import describe_failure
from ui.common.i18n import tr
from ui.common.widgets import TOUCH_MIN, Keypad, make_button
from ui.tasks.runner import TaskRunner

log = logging.getLogger(__name__)


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
        self, parent: QWidget | None, parked: Sequence[ParkedSaleSummary], formats: Formatter
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
