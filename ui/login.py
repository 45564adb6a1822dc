"""The sign-in screen: user name, then a PIN on a large keypad (or the keyboard).

Enter in the user name moves to the PIN; Enter in the PIN (or the keypad's Sign in) signs
in. The PIN is checked off the UI thread: scrypt is slow on purpose and a wrong PIN is
counted in the database.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ui.backend import Session, TillBackend, open_session
from ui.dialogs import describe_failure
from ui.i18n import tr
from ui.tasks import TaskRunner
from ui.widgets import TOUCH_MIN, Keypad, set_style_property


class LoginScreen(QWidget):
    """Emits ``signed_in(Session)`` after a correct PIN."""

    signed_in = Signal(object)  # Session

    def __init__(
        self, backend: TillBackend, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("loginScreen")
        self._backend = backend
        self._runner = runner
        self._checking = False

        title = QLabel(tr("Sign in"))
        title.setObjectName("loginTitle")
        subtitle = QLabel(tr("Enter your user name and PIN"))
        subtitle.setObjectName("hint")

        self.username_field = QLineEdit()
        self.username_field.setObjectName("usernameField")
        self.username_field.setPlaceholderText(tr("User name"))
        self.username_field.setMinimumHeight(TOUCH_MIN)
        self.username_field.setMaxLength(40)
        self.username_field.returnPressed.connect(self._username_entered)

        self.pin_field = QLineEdit()
        self.pin_field.setObjectName("pinField")
        self.pin_field.setPlaceholderText(tr("PIN"))
        self.pin_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_field.setMaxLength(8)
        self.pin_field.setMinimumHeight(TOUCH_MIN)
        self.pin_field.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"\d{0,8}"), self)
        )
        self.pin_field.returnPressed.connect(self.submit)

        self.error_label = QLabel()
        self.error_label.setObjectName("loginError")
        self.error_label.setWordWrap(True)
        self.error_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error_label.hide()

        self.keypad = Keypad(self.pin_field, enter_text=tr("Sign in  ⏎"))
        self.keypad.enter_pressed.connect(self.submit)

        card = QFrame()
        card.setObjectName("loginCard")
        card.setFixedWidth(420)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 28, 32, 28)
        inner.setSpacing(12)
        inner.addWidget(title)
        inner.addWidget(subtitle)
        inner.addSpacing(8)
        inner.addWidget(self.username_field)
        inner.addWidget(self.pin_field)
        inner.addWidget(self.error_label)
        inner.addSpacing(4)
        inner.addWidget(self.keypad)

        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def reset(self) -> None:
        """Ready for the next person: empty fields, focus on the user name."""
        self.username_field.clear()
        self.pin_field.clear()
        self.error_label.hide()
        self.username_field.setFocus()

    def _username_entered(self) -> None:
        if self.username_field.text().strip():
            self.pin_field.setFocus()

    def submit(self) -> None:
        if self._checking:
            return
        username = self.username_field.text().strip()
        pin = self.pin_field.text()
        if not username:
            self.show_error(tr("Enter your user name"))
            self.username_field.setFocus()
            return
        if not pin:
            self.show_error(tr("Enter your PIN"))
            self.pin_field.setFocus()
            return
        self._set_checking(True)
        backend = self._backend
        self._runner.submit(lambda: open_session(backend, username, pin), self._ok, self._refused)

    def _ok(self, session: Session) -> None:
        self._set_checking(False)
        self.pin_field.clear()
        self.error_label.hide()
        self.signed_in.emit(session)

    def _refused(self, error: Exception) -> None:
        self._set_checking(False)
        self.pin_field.clear()
        self.show_error(describe_failure(error))
        self.pin_field.setFocus()

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _set_checking(self, checking: bool) -> None:
        self._checking = checking
        self.keypad.setEnabled(not checking)
        self.username_field.setReadOnly(checking)
        self.pin_field.setReadOnly(checking)
        set_style_property(self, "checking", checking)
