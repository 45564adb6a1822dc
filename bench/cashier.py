"""The till driven by key presses in a child process: sign in, type names while the event
loop's turns are timed, and a soak of sales, as a cashier does them (offscreen Qt).

Imported only by the children that need Qt, so the bench's own process stays light.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from decimal import ROUND_CEILING, Decimal
from typing import Any

from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from bench.common import CHILD_TIMEOUT_S

SETTLE_MS = 60  # after the results are up: what is painted next still counts
EXACT_CASH_MARGIN_MS = 50  # read the due a little longer than the till insists on


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + CHILD_TIMEOUT_S
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        QTest.qWait(2)


class LoopTurns(QObject):
    """The longest gap between turns of the event loop, seen by a 1 ms timer: how long the
    UI thread was busy with something else (and so could not paint or take a key)."""

    def __init__(self) -> None:
        super().__init__()
        self._clock = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(1)
        self._timer.timeout.connect(self._tick)
        self._last = 0
        self.longest_ms = 0.0

    def start(self) -> None:
        self._clock.start()
        self._last = self._clock.nsecsElapsed()
        self.longest_ms = 0.0
        self._timer.start()

    def stop(self) -> float:
        self._tick()
        self._timer.stop()
        return self.longest_ms

    def _tick(self) -> None:
        now = self._clock.nsecsElapsed()
        self.longest_ms = max(self.longest_ms, (now - self._last) / 1e6)
        self._last = now


def sign_in(window: Any, username: str, pin: str) -> None:
    """The sign-in screen, typed: user name, Enter, PIN, Enter; waits for the till to be
    ready to scan: signed in, and done looking for a sale left open on the register (the
    till restores it; the next sale typed simply goes on with it, as a cashier's would)."""
    from PySide6.QtWidgets import QApplication

    login = window.login
    wait_until(lambda: window.till is not None, "the shop to open")
    window.activateWindow()  # the till's F-keys are shortcuts of the active window
    wait_until(lambda: QApplication.activeWindow() is window, "the till window to be active")
    refused: list[str] = []
    login.refused.connect(refused.append)
    QTest.keyClicks(login.username_field, username)
    QTest.keyClick(login.username_field, Qt.Key.Key_Return)
    QTest.keyClicks(login.pin_field, pin)
    QTest.keyClick(login.pin_field, Qt.Key.Key_Return)
    till = window.till
    wait_until(lambda: till.session is not None or bool(refused), "the sign-in")
    if till.session is None:
        raise RuntimeError(f"the sign-in was refused: {refused[0]}")
    wait_until(lambda: not till.controller.drafts.restoring, "the sale left open, if any")
    if till.payment_panel.payment is not None:
        raise RuntimeError("the till restored a sale with a payment taken: nothing to soak")
    wait_until(lambda: till.scan_field.hasFocus(), "the scan field")


def type_slowly(field: QLineEdit, text: str, gap_ms: int) -> None:
    for char in text:
        QTest.keyClicks(field, char)
        QTest.qWait(gap_ms)


def till_search_stalls(window: Any, queries: Sequence[str], gap_ms: int) -> list[float]:
    """For each query: clear the scan field, type it at a typist's pace, wait for its results,
    and return the longest stall of the event loop meanwhile (ms)."""
    till = window.till
    turns = LoopTurns()
    stalls = []
    for query in queries:
        till.scan_field.clear()
        till.search_popup.close_results()
        QTest.qWait(SETTLE_MS)
        turns.start()
        type_slowly(till.scan_field, query, gap_ms)
        wait_until(_results_for(till, query), f"results for {query!r}")
        QTest.qWait(SETTLE_MS)
        stalls.append(turns.stop())
    till.scan_field.clear()
    till.search_popup.close_results()
    return stalls


def _results_for(till: Any, query: str) -> Callable[[], bool]:
    return lambda: bool(till.search_popup.query == query)


def bare_typing_stalls(style_sheet: str, queries: Sequence[str], gap_ms: int) -> list[float]:
    """The floor: the same typing into a bare line edit in a bare window, same style sheet."""
    window = QWidget()
    window.setStyleSheet(style_sheet)
    field = QLineEdit()
    QVBoxLayout(window).addWidget(field)
    window.resize(1280, 800)
    window.show()
    field.setFocus()
    turns = LoopTurns()
    stalls = []
    for query in queries:
        field.clear()
        QTest.qWait(SETTLE_MS)
        turns.start()
        type_slowly(field, query, gap_ms)
        QTest.qWait(SETTLE_MS)
        stalls.append(turns.stop())
    window.close()
    return stalls


class Counter:
    """Sales the till reports completed, and the last failure it reported."""

    def __init__(self, till: Any) -> None:
        self.completed = 0
        self.failed = ""
        till.sale_completed.connect(self._completed)
        till.sale_failed.connect(self._failed)

    def _completed(self, _receipt: object) -> None:
        self.completed += 1

    def _failed(self, message: str) -> None:
        self.failed = message


def ring_up(window: Any, codes: Sequence[str], counter: Counter, *, exact: bool) -> None:
    """One cash sale by key presses, as the till takes it: each code and Enter (the line
    appears at once), F12, then either the cash handed over typed and Enter, or (``exact``)
    the amount due read for as long as the till wants it seen and Enter alone, which is
    exact cash. Returns once the till says the sale is written; raises with what the till
    showed when a step did not do what a cashier expects."""
    till = window.till
    for code in codes:
        lines = len(till.cart.lines)
        QTest.keyClicks(till.scan_field, code)
        QTest.keyClick(till.scan_field, Qt.Key.Key_Return)
        if len(till.cart.lines) != lines + 1:
            raise RuntimeError(f"scanning {code} added no line: {till.banner.text()}")
    done = counter.completed
    QTest.keyClick(till.scan_field, Qt.Key.Key_F12)
    panel = till.payment_panel
    if panel.payment is None:
        raise RuntimeError(f"F12 did not open the payment: {till.banner.text()}")
    if exact:
        # Enter on the empty field is exact cash once the due has been on screen a while
        # (a reflex Enter straight after F12 is not taken).
        QTest.qWait(panel.exact_cash_delay_ms + EXACT_CASH_MARGIN_MS)
    else:
        total = till.cart.totals().total.amount
        handed = total.quantize(Decimal(1), rounding=ROUND_CEILING) + 1
        QTest.keyClicks(panel.amount_field, str(handed))
    QTest.keyClick(panel.amount_field, Qt.Key.Key_Return)
    if not panel.is_settled:
        raise RuntimeError(f"the cash did not pay the sale: {panel.status_label.text()}")
    wait_until(lambda: counter.completed > done or bool(counter.failed), "the sale to be written")
    if counter.failed:
        raise RuntimeError(f"the sale was not written: {counter.failed}")


def rss_kb() -> int:
    """This process's resident set now (VmRSS), in KB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")
