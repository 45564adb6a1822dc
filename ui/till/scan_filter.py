"""Takes a keyboard-wedge scan typed anywhere on the till screen, whatever has the focus.

An application-level event filter watches every key press that reaches a widget of the till
screen, times it with a monotonic clock (``QKeyEvent.timestamp()`` is 0 for synthetic events)
and lets :class:`ui.scanner.WedgeDetector` decide. A burst closed by Enter outside the scan
field becomes a ``scanned`` signal; the Enter is swallowed so it does not also submit what
has the focus, and a text field the burst landed in (the tender amount) gets its text back.
In the scan field itself Enter is left to the field, which also knows any ``3*`` typed before
the scan. A fast burst that the field's own validator accepts (digits typed quickly into the
cash field: ``1000``) is that field's typing, not a scan; a barcode is never a valid amount.
Dialogs are windows of their own and are left alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QValidator
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from ui.till.scanner import WedgeDetector

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_KEY_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride})
_MODIFIER_KEYS = frozenset(
    {
        Qt.Key.Key_Shift,
        Qt.Key.Key_Control,
        Qt.Key.Key_Alt,
        Qt.Key.Key_Meta,
        Qt.Key.Key_AltGr,
        Qt.Key.Key_CapsLock,
    }
)
_COMMAND_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


def _is_character(text: str) -> bool:
    return len(text) == 1 and text.isprintable()


def _field_takes(widget: QObject, text: str) -> bool:
    """The text field's validator accepts this burst as what the field is for."""
    validator = widget.validator() if isinstance(widget, QLineEdit) else None
    if validator is None:
        return False
    validated = validator.validate(text, 0)
    state = validated[0] if isinstance(validated, tuple) else validated
    return bool(state == QValidator.State.Acceptable)


class WedgeScanFilter(QObject):
    """Install with :meth:`install`; set ``enabled`` False while scans make no sense."""

    scanned = Signal(str)

    def __init__(
        self,
        root: QWidget,
        scan_field: QLineEdit,
        detector: WedgeDetector,
        clock: Callable[[], int] = time.monotonic_ns,
    ) -> None:
        super().__init__(root)
        self._root = root
        self._scan_field = scan_field
        self.detector = detector
        self._clock = clock
        self.enabled = True
        self._burst_widget: QObject | None = None
        self._text_before: str | None = None

    def install(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def uninstall(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def _watches(self, receiver: QObject) -> bool:
        if not isinstance(receiver, QWidget):
            return False  # the QWindow delivery of a real key press; its widget comes next
        # A key the focus widget ignores is offered to its parents too: count it once.
        focus = QApplication.focusWidget()
        if receiver is not focus and not (focus is None and receiver is self._root):
            return False
        # Dialogs are windows of their own: what is typed there is theirs.
        return receiver is self._root or self._root.isAncestorOf(receiver)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()  # every event of the application passes here: keep it cheap
        if kind not in _KEY_EVENTS:
            return False
        if kind == QEvent.Type.ShortcutOverride:
            # F-keys and the like go to their shortcut, never as a key press: still a break.
            assert isinstance(event, QKeyEvent)
            if not (
                event.key() in _MODIFIER_KEYS
                or event.key() in _ENTER_KEYS
                or _is_character(event.text())
            ):
                self.detector.reset()
            return False
        if kind != QEvent.Type.KeyPress or not self._watches(watched):
            return False
        assert isinstance(event, QKeyEvent)
        if not self.enabled or event.isAutoRepeat():
            self.detector.reset()  # a held key is not a scanner
            return False
        now = self._clock()
        key = event.key()
        if key in _MODIFIER_KEYS:
            return False  # Shift comes with every capital letter a scanner types
        if watched is not self._burst_widget:
            self.detector.reset()  # a scanner types into one widget, start to end
        if key in _ENTER_KEYS:
            code = self.detector.feed("\r", now)
            if code is None or watched is self._scan_field or _field_takes(watched, code):
                return False
            self._take_back(watched)
            self.scanned.emit(code)
            return True
        text = event.text()
        if event.modifiers() & _COMMAND_MODIFIERS or not _is_character(text):
            self.detector.reset()  # function and arrow keys are never part of a scan
            return False
        before = watched.text() if isinstance(watched, QLineEdit) else None
        self.detector.feed(text, now)
        if len(self.detector.pending) == 1:  # a new burst: remember what it may overwrite
            self._burst_widget, self._text_before = watched, before
        return False

    def _take_back(self, widget: QObject) -> None:
        """Put back a text field (a dialog's, the tender's) as it was before the burst."""
        if isinstance(widget, QLineEdit) and self._text_before is not None:
            widget.setText(self._text_before)
        self._text_before = None
