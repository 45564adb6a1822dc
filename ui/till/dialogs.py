"""The till's own dialogs: a discount, a manager's approval by PIN, the list of parked sales.

They are opened with ``open()`` (window-modal, never a nested event loop) and report through
``accepted``/``finished``; the till keeps the one that is open in ``TillScreen.dialog``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from app.documents.formatter import Formatter
from app.domain.entry import parse_discount
from app.domain.pricing import Discount
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
    """A discount as the cashier types it: ``10%`` takes ten percent off, ``2.50`` takes 2.50
    off (app.domain.entry.parse_discount); the ``%`` key types the sign on a touch screen."""

    def __init__(self, parent: QWidget | None, title: str, currency_symbol: str) -> None:
        super().__init__(
            parent,
            title,
            tr("10% for ten percent, 2.50 for {symbol} 2.50 off; 0 removes it").format(
                symbol=currency_symbol
            ),
            initial="",
            decimals=True,
        )
        self.discount: Discount | None = None
        self.field.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"\d{0,7}([.,]\d{0,2})?\s*%?"), self)
        )
        self.percent_button = make_button(tr("%  percent"), "toggleButton")
        self.percent_button.setAutoDefault(False)
        self.percent_button.clicked.connect(self._toggle_percent)
        self.body.insertWidget(3, self.percent_button)

    def _toggle_percent(self) -> None:
        text = self.field.text()
        self.field.setText(text[:-1] if text.endswith("%") else text + "%")
        self.field.setFocus()

    def submit(self) -> None:
        try:
            self.discount = parse_discount(self.field.text())
        except UserError as error:
            self.show_error(error.message)
            return
        self.accept()


class ApprovalDialog(TillDialog):
    """A manager types their PIN, and only their PIN, to allow one action: the PIN says who
    they are (``auth.approve_by_pin``, off the UI thread). ``approver`` is set once the
    dialog is accepted."""

    def __init__(
        self,
        parent: QWidget | None,
        runner: TaskRunner,
        auth: AuthService,
        permission: Permission,
        reason: str,
        register_code: str,
        requested_by: int | None,
    ) -> None:
        super().__init__(parent, tr("Manager approval"), ok_text=tr("Approve  ⏎"))
        self.approver: Operator | None = None
        self._runner = runner
        self._auth = auth
        self._permission = permission
        self._register = register_code
        self._requested_by = requested_by
        self._checking = False
        self.prompt = QLabel(reason)
        self.prompt.setWordWrap(True)
        self.body.addWidget(self.prompt)
        self.pin = QLineEdit()
        self.pin.setObjectName("pinField")
        self.pin.setPlaceholderText(tr("Manager's PIN"))
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(8)
        self.pin.setMinimumHeight(TOUCH_MIN)
        self.pin.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,8}"), self))
        self.body.addWidget(self.pin)
        self.keypad = Keypad(self.pin, enter_text=None)
        self.body.addWidget(self.keypad)
        self.finish_layout()
        self.pin.setFocus()

    def submit(self) -> None:
        if self._checking or not self.pin.text():
            self.pin.setFocus()
            return
        pin, permission, register = self.pin.text(), self._permission, self._register
        requested_by = self._requested_by
        self._checking = True
        self.ok_button.setEnabled(False)
        self._runner.submit(
            lambda: self._auth.approve_by_pin(pin, permission, register, requested_by),
            self._approved,
            self._refused,
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
