"""The staff screen: a signed-in manager or owner unlocks a locked user or gives a new PIN.

Opened from the till's header (Staff, F2) for managers and owners only. Keyboard first: the
arrows pick a person, Enter unlocks them, F4 gives them a new PIN (typed twice), Esc closes.
Every action is the user service's, which checks again, in the database, that the signed-in
person may manage that user (a manager manages cashiers, the owner everyone) and journals it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QKeySequence, QRegularExpressionValidator, QShortcut
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QWidget

from app.domain.users import Operator, check_pin_strength
from app.dto.users import UserSummary
from app.errors import UserError
from ui.common.dialogs import TillDialog
from ui.common.failures import describe_failure
from ui.common.i18n import tr
from ui.common.widgets import TOUCH_MIN, make_button
from ui.tasks.runner import TaskRunner

if TYPE_CHECKING:
    from app.services.users import UserService

T = TypeVar("T")


def describe(user: UserSummary) -> str:
    state = tr("disabled") if not user.active else tr("LOCKED") if user.locked else tr("active")
    return f"{user.display_name}  ({user.username}, {user.role.value})  —  {state}"


class PinDialog(TillDialog):
    """A new PIN, typed twice; ``pin`` is set when accepted."""

    def __init__(self, parent: QWidget | None, who: str) -> None:
        super().__init__(parent, tr("New PIN for {who}").format(who=who), ok_text=tr("Save  ⏎"))
        self.pin: str | None = None
        self.first = self._field(tr("New PIN (4 to 8 digits)"))
        self.second = self._field(tr("The same PIN again"))
        self.finish_layout()
        self.first.setFocus()

    def _field(self, placeholder: str) -> QLineEdit:
        field = QLineEdit()
        field.setObjectName("pinField")
        field.setPlaceholderText(placeholder)
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setMaxLength(8)
        field.setMinimumHeight(TOUCH_MIN)
        field.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,8}"), self))
        self.body.addWidget(field)
        return field

    def submit(self) -> None:
        if self.focusWidget() is self.first and not self.second.text():
            self.second.setFocus()  # Enter after the first PIN moves on to the second
            return
        try:
            check_pin_strength(self.first.text())
        except UserError as error:
            self._again(error.message)
            return
        if self.second.text() != self.first.text():
            self._again(tr("The two PINs are not the same"))
            return
        self.pin = self.first.text()
        self.accept()

    def _again(self, message: str) -> None:
        self.show_error(message)
        self.first.clear()
        self.second.clear()
        self.first.setFocus()


class StaffDialog(TillDialog):
    """The shop's users for ``actor`` (a manager or owner) to unlock or re-PIN."""

    def __init__(
        self, parent: QWidget | None, runner: TaskRunner, users: UserService, actor: Operator
    ) -> None:
        super().__init__(parent, tr("Staff"), ok_text=tr("Unlock  ⏎"))
        self.setMinimumWidth(620)
        self._runner = runner
        self._users = users
        self._actor = actor
        self._busy = False
        self.pin_dialog: PinDialog | None = None
        self.list = QListWidget()
        self.list.setObjectName("staffList")
        self.list.setMinimumHeight(260)
        self.body.addWidget(self.list)
        self.status = QLabel(tr("↑ ↓ choose · Enter unlocks · F4 new PIN · Esc closes"))
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.body.addWidget(self.status)
        self.pin_button = make_button(tr("New PIN  F4"), "secondaryButton")
        self.pin_button.setAutoDefault(False)
        self.pin_button.clicked.connect(self.new_pin)
        self._buttons.addWidget(self.pin_button)
        QShortcut(QKeySequence(Qt.Key.Key_F4), self, self.new_pin)
        self.cancel_button.setText(tr("Close  Esc"))
        self.finish_layout()
        self.list.setFocus()
        self.reload()

    @property
    def busy(self) -> bool:
        return self._busy

    def chosen(self) -> UserSummary | None:
        item = self.list.currentItem()
        if item is None:
            return None
        user = item.data(Qt.ItemDataRole.UserRole)
        return user if isinstance(user, UserSummary) else None

    def reload(self, select: str | None = None) -> None:
        actor_id = self._actor.user_id
        self._run(lambda: self._users.staff(actor_id), lambda staff: self._show(staff, select))

    def _show(self, staff: Sequence[UserSummary], select: str | None) -> None:
        chosen = self.chosen()
        current = select or (chosen.username if chosen is not None else None)
        self.list.clear()
        rows = {user.username: index for index, user in enumerate(staff)}
        for user in staff:
            item = QListWidgetItem(describe(user))
            item.setData(Qt.ItemDataRole.UserRole, user)
            self.list.addItem(item)
        # Start on the first locked person: that is usually why the screen was opened.
        first_locked = next((u.username for u in staff if u.locked), None)
        self.list.setCurrentRow(rows.get(current or first_locked or "", 0))
        self.list.setFocus()

    def submit(self) -> None:
        """Enter: unlock the chosen person."""
        user = self.chosen()
        if user is None or self._busy:
            return
        if not user.locked:
            self.show_error(tr("{name} is not locked").format(name=user.display_name))
            return
        actor_id, username = self._actor.user_id, user.username
        self._run(
            lambda: self._users.unlock(actor_id, username),
            lambda _: self._done(tr("{name} is unlocked").format(name=user.display_name), user),
        )

    def new_pin(self) -> None:
        user = self.chosen()
        if user is None or self._busy or self.pin_dialog is not None:
            return
        dialog = PinDialog(self, user.display_name)
        self.pin_dialog = dialog

        def closed(_result: int) -> None:
            self.pin_dialog = None
            if dialog.pin is None:
                self.list.setFocus()
                return
            actor_id, username, pin = self._actor.user_id, user.username, dialog.pin
            self._run(
                lambda: self._users.set_pin(actor_id, username, pin),
                lambda _: self._done(
                    tr("{name} has a new PIN").format(name=user.display_name), user
                ),
            )

        dialog.finished.connect(closed)
        dialog.open()

    def _done(self, message: str, user: UserSummary) -> None:
        self.error_label.hide()
        self.status.setText(message)
        self.reload(select=user.username)

    def _run(self, work: Callable[[], T], then: Callable[[T], None]) -> None:
        self._busy = True

        def ok(result: T) -> None:
            self._busy = False
            then(result)

        def failed(error: Exception) -> None:
            self._busy = False
            self.show_error(describe_failure(error))
            self.list.setFocus()

        self._runner.submit(work, ok, failed)

    def reject(self) -> None:
        if self._busy:  # an answer is on its way
            return
        super().reject()
