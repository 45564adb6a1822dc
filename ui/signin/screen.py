"""The sign-in screen: user name, then a PIN on a large keypad (or the keyboard).

Enter in the user name moves to the PIN; Enter in the PIN (or the keypad's Sign in) signs
in. The PIN is checked off the UI thread: scrypt is slow on purpose and a wrong PIN is
counted in the database.

The screen is shown before the shop's database is open (see :func:`ui.app.run_till`): it can
be typed into at once, says "Opening the shop…" meanwhile, and a sign-in asked for in that
time simply waits on the worker behind the opening job. If the shop cannot be opened, the
reason is shown and signing in is switched off.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ui.backend import BackendHolder, Session, open_session
from ui.common.failures import describe_failure
from ui.common.i18n import tr
from ui.common.widgets import ENTER, TOUCH_MIN, Keypad, set_style_property
from ui.tasks.runner import TaskRunner


class LoginScreen(QWidget):
    """Emits ``signed_in(Session)`` after a correct PIN and ``refused(message)`` when the
    sign-in fails; ``backend`` holds the shop once the opening job has stored it
    (:class:`ui.backend.BackendHolder`)."""

    signed_in = Signal(object)  # Session
    refused = Signal(str)

    def __init__(
        self, backend: BackendHolder, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("loginScreen")
        self._holder = backend
        self._runner = runner
        self._checking = False
        self._opening = False
        self._unavailable = False

        self._title = QLabel()
        self._title.setObjectName("loginTitle")
        self._subtitle = QLabel()
        self._subtitle.setObjectName("hint")

        self.username_field = QLineEdit()
        self.username_field.setObjectName("usernameField")
        self.username_field.setMinimumHeight(TOUCH_MIN)
        self.username_field.setMaxLength(40)
        self.username_field.returnPressed.connect(self._username_entered)

        self.pin_field = QLineEdit()
        self.pin_field.setObjectName("pinField")
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

        # Discreet progress while the database opens; "hint" gives it the subtitle's grey.
        self.status_label = QLabel()
        self.status_label.setObjectName("hint")
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status_label.setWordWrap(True)
        self.status_label.hide()

        self.keypad = Keypad(self.pin_field, enter_text="")  # labelled by retranslate()
        self.keypad.enter_pressed.connect(self.submit)

        card = QFrame()
        card.setObjectName("loginCard")
        card.setFixedWidth(420)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 28, 32, 28)
        inner.setSpacing(12)
        inner.addWidget(self._title)
        inner.addWidget(self._subtitle)
        inner.addSpacing(8)
        inner.addWidget(self.username_field)
        inner.addWidget(self.pin_field)
        inner.addWidget(self.error_label)
        inner.addWidget(self.status_label)
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
        self.retranslate()

    def retranslate(self) -> None:
        """(Re)apply the fixed texts, e.g. after the shop's translation was installed."""
        self._title.setText(tr("Sign in"))
        self._subtitle.setText(tr("Enter your user name and PIN"))
        self.username_field.setPlaceholderText(tr("User name"))
        self.pin_field.setPlaceholderText(tr("PIN"))
        self.keypad.button(ENTER).setText(tr("Sign in  ⏎"))
        if self._opening:
            self.status_label.setText(tr("Opening the shop…"))

    @property
    def can_sign_in(self) -> bool:
        """False once the shop failed to open: there is nothing to sign in to."""
        return not self._unavailable

    def set_opening(self, opening: bool) -> None:
        """Say (or stop saying) that the shop's database is still being opened."""
        self._opening = opening
        self.status_label.setText(tr("Opening the shop…") if opening else "")
        self.status_label.setVisible(opening)

    def set_unavailable(self, message: str) -> None:
        """The shop could not be opened: show why and switch signing in off for good."""
        self.set_opening(False)
        self._unavailable = True
        self.show_error(message)
        self._update_enabled()

    def reset(self) -> None:
        """Ready for the next person: empty fields, focus on the user name."""
        self.username_field.clear()
        self.pin_field.clear()
        self.error_label.hide()
        self.username_field.setFocus()

    def welcome(self, username: str, message: str) -> None:
        """After the first-run set-up: the new owner's name filled in, the PIN to type."""
        self.reset()
        self.username_field.setText(username)
        self.status_label.setText(message)
        self.status_label.show()
        self.pin_field.setFocus()

    def _username_entered(self) -> None:
        if self.username_field.text().strip():
            self.pin_field.setFocus()

    def submit(self) -> None:
        if self._checking or self._unavailable:
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
        # While the shop is opening this queues behind the opening job (one worker), which
        # stores the backend in the holder before this job asks for it.
        holder = self._holder
        self._runner.submit(
            lambda: open_session(holder.get(), username, pin), self._ok, self._refused
        )

    def _ok(self, session: Session) -> None:
        self._set_checking(False)
        self.pin_field.clear()
        if self._unavailable:  # the till could not be set up: stay here, reason on screen
            return
        self.error_label.hide()
        self.signed_in.emit(session)

    def _refused(self, error: Exception) -> None:
        self._set_checking(False)
        self.pin_field.clear()
        if self._unavailable:  # the reason the shop did not open is already on screen
            return
        message = describe_failure(error)
        self.show_error(message)
        self.pin_field.setFocus()
        self.refused.emit(message)

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _set_checking(self, checking: bool) -> None:
        self._checking = checking
        self._update_enabled()
        set_style_property(self, "checking", checking)

    def _update_enabled(self) -> None:
        self.keypad.setEnabled(not (self._checking or self._unavailable))
        self.username_field.setReadOnly(self._checking)
        self.pin_field.setReadOnly(self._checking)
        self.username_field.setEnabled(not self._unavailable)
        self.pin_field.setEnabled(not self._unavailable)
