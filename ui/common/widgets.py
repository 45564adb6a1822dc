"""Small building blocks shared by the screens: touch keypad, message banner, buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from ui.common.i18n import tr

BACKSPACE = "⌫"
CLEAR = "C"
ENTER = "⏎"
# Touch targets: Apple and Google both recommend at least 44 px; a till gets more.
TOUCH_MIN = 56


def set_style_property(widget: QWidget, name: str, value: object) -> None:
    """Set a property the style sheet selects on, and re-apply the style to show it."""
    widget.setProperty(name, value)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def make_button(text: str, name: str = "", *, tooltip: str = "") -> QPushButton:
    """A large button that does not take keyboard focus from the scan field."""
    button = QPushButton(text)
    if name:
        button.setObjectName(name)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setMinimumHeight(TOUCH_MIN)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    if tooltip:
        button.setToolTip(tooltip)
    return button


class Keypad(QWidget):
    """On-screen digits for touch screens, typing into ``target`` without taking its focus.

    ``with_point`` adds a decimal point key (amounts, weights); a PIN pad has none.
    ``enter_text`` labels the wide Enter key; None leaves it out.
    """

    enter_pressed = Signal()

    def __init__(
        self,
        target: QLineEdit,
        *,
        with_point: bool = False,
        enter_text: str | None = ENTER,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("keypad")
        self._target = target
        self._buttons: dict[str, QPushButton] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(8)
        rows = ["789", "456", "123"]
        for row, keys in enumerate(rows):
            for column, key in enumerate(keys):
                grid.addWidget(self._key(key, "digitKey"), row, column)
        grid.addWidget(self._key("." if with_point else CLEAR, "functionKey"), 3, 0)
        grid.addWidget(self._key("0", "digitKey"), 3, 1)
        grid.addWidget(self._key(BACKSPACE, "functionKey"), 3, 2)
        if enter_text is not None:  # a dialog has its own OK button instead
            enter = self._key(ENTER, "enterKey")
            enter.setText(enter_text)
            grid.addWidget(enter, 4, 0, 1, 3)

    def _key(self, key: str, name: str) -> QPushButton:
        button = make_button(key, name)
        button.setMinimumSize(TOUCH_MIN + 8, TOUCH_MIN)
        button.setAccessibleName(
            {BACKSPACE: tr("Delete"), CLEAR: tr("Clear"), ENTER: tr("Enter")}.get(key, key)
        )
        button.clicked.connect(lambda: self.press(key))
        self._buttons[key] = button
        return button

    def button(self, key: str) -> QPushButton:
        """The button for ``key`` ("0"-"9", ".", BACKSPACE, CLEAR, ENTER)."""
        return self._buttons[key]

    def press(self, key: str) -> None:
        target = self._target
        if key == ENTER:
            self.enter_pressed.emit()
        elif key == BACKSPACE:
            target.backspace()
        elif key == CLEAR:
            target.clear()
        else:
            target.insert(key)
        target.setFocus()


class Banner(QLabel):
    """A message strip above the cart: red and flashing for problems, calm for news."""

    FLASHES = 3
    FLASH_MS = 140

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.setMinimumHeight(TOUCH_MIN - 8)
        self.setProperty("kind", "info")
        self.setProperty("flash", False)
        self._ticks_left = 0
        self._timer = QTimer(self)
        self._timer.setInterval(self.FLASH_MS)
        self._timer.timeout.connect(self._tick)
        self.hide()

    @property
    def kind(self) -> str:
        return str(self.property("kind"))

    def show_error(self, message: str) -> None:
        """A problem the cashier must notice: beep and flash red."""
        QApplication.beep()
        self._show(message, "error")
        self._ticks_left = self.FLASHES * 2
        self._timer.start()

    def show_info(self, message: str) -> None:
        self._show(message, "info")

    def show_success(self, message: str) -> None:
        self._show(message, "success")

    def clear_message(self) -> None:
        self._timer.stop()
        self.clear()
        self.hide()

    def _show(self, message: str, kind: str) -> None:
        self._timer.stop()
        self.setText(message)
        self.setProperty("kind", kind)
        set_style_property(self, "flash", False)
        self.show()

    def _tick(self) -> None:
        self._ticks_left -= 1
        set_style_property(self, "flash", self._ticks_left % 2 == 1)
        if self._ticks_left <= 0:
            self._timer.stop()
