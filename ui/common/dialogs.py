"""Small modal dialogs every screen uses: a number, a label, a yes/no question.

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
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.entry import parse_decimal
from ui.common.i18n import tr
from ui.common.widgets import TOUCH_MIN, Keypad, make_button

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


class TextDialog(TillDialog):
    """A short line of text, e.g. the label of a parked sale; ``required`` refuses an empty
    one (a reason) and says so."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        prompt: str,
        *,
        required: str = "",
        ok_text: str = "",
        max_length: int = 40,
    ) -> None:
        super().__init__(parent, title, ok_text=ok_text)
        self._required = required
        self.prompt = QLabel(prompt)
        self.prompt.setWordWrap(True)
        self.body.addWidget(self.prompt)
        self.field = QLineEdit()
        self.field.setObjectName("dialogField")
        self.field.setMaxLength(max_length)
        self.field.setMinimumHeight(TOUCH_MIN)
        self.body.addWidget(self.field)
        self.finish_layout()
        self.field.setFocus()

    @property
    def text(self) -> str:
        return self.field.text().strip()

    def submit(self) -> None:
        if self._required and not self.text:
            self.show_error(self._required)
            self.field.setFocus()
            return
        self.accept()


class ConfirmDialog(TillDialog):
    """A yes/no question with large buttons; Enter says yes, Esc says no."""

    def __init__(self, parent: QWidget | None, title: str, question: str, yes_text: str) -> None:
        super().__init__(parent, title, ok_text=yes_text)
        self.prompt = QLabel(question)
        self.prompt.setWordWrap(True)
        self.body.addWidget(self.prompt)
        self.cancel_button.setText(tr("No  Esc"))
        self.finish_layout()


class ChoiceDialog(TillDialog):
    """A question with a few answers: Enter takes the first, Esc none. ``chosen`` is the key
    of the answer taken once the dialog is accepted."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        question: str,
        choices: Sequence[tuple[str, str]],
        cancel_text: str = "",
    ) -> None:
        (first, first_text), *others = choices
        super().__init__(parent, title, ok_text=first_text)
        self.chosen: str | None = None
        self._first = first
        self.prompt = QLabel(question)
        self.prompt.setWordWrap(True)
        self.body.addWidget(self.prompt)
        self.cancel_button.setText(cancel_text or tr("Cancel  Esc"))
        self.buttons: dict[str, QPushButton] = {first: self.ok_button}
        self.finish_layout()
        for key, text in others:
            button = self._button(text, "secondaryButton")
            button.clicked.connect(lambda _=False, k=key: self.choose(k))
            self._buttons.addWidget(button)
            self.buttons[key] = button

    def choose(self, key: str) -> None:
        self.chosen = key
        self.accept()

    def submit(self) -> None:
        self.choose(self._first)
