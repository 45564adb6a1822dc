"""Small building blocks shared by the screens: touch keypad, message banner, buttons."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
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
    """A message strip: red and flashing for problems, calm for news.

    In a layout it takes the room its text needs; :meth:`overlay` makes it float over a
    fixed-height place kept for it instead, so that a message, however long, never moves
    the buttons below (a long one grows down over what is under it, up to a height)."""

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
        self._slot: QWidget | None = None
        self._max_height = 0
        self._timer = QTimer(self)
        self._timer.setInterval(self.FLASH_MS)
        self._timer.timeout.connect(self._tick)
        self.hide()

    @property
    def kind(self) -> str:
        return str(self.property("kind"))

    def overlay(self, slot: QWidget, max_height: int) -> None:
        """Float over ``slot`` (a sibling kept in the layout at a fixed height), growing
        down to ``max_height`` for a long message."""
        self._slot = slot
        self._max_height = max_height
        slot.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._slot and event.type() in (QEvent.Type.Resize, QEvent.Type.Move):
            self._place()
        return False

    def _place(self) -> None:
        slot, parent = self._slot, self.parentWidget()
        if slot is None or parent is None:
            return
        corner = slot.mapTo(parent, QPoint(0, 0))
        width = slot.width()
        height = max(slot.height(), min(self.heightForWidth(width), self._max_height))
        self.setGeometry(corner.x(), corner.y(), width, height)
        self.raise_()

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
        self._place()

    def _tick(self) -> None:
        self._ticks_left -= 1
        set_style_property(self, "flash", self._ticks_left % 2 == 1)
        if self._ticks_left <= 0:
            self._timer.stop()
