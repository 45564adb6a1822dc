"""Figure (f): a scan in the real till, key Enter → the cart row painted, against a bare table.

In a fresh process (offscreen, a real Qt event loop), the till window is opened on the built
shop and the demo cashier signed in with key presses. For each cart length (1, 20 and 200
lines already in the cart) a cart of that many lines is taken up as a recalled sale is, a
code is put in the scan field, and the clock runs from the Enter key press to the end of the
event-loop pass that painted the cart table: lookup, cart, totals, the row and the rest of
that frame. The sale in progress is then written (the draft the till keeps) before the next
sample, so each scan is measured on a quiet till.

The floor, measured in the same process and alternating with ours: a bare QTableView on a
QStandardItemModel, the same style sheet and size, the same number of rows, whose line
edit's Enter does the same raw sqlite3 lookup and appends one row.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import CHILD_TIMEOUT_S, connect, median, metric, p95
from bench.wiring import BenchWiring

CART_LENGTHS = (1, 20, 200)
SAMPLES = 60
WARMUP = 5
P95_TARGET_MS = 16.0
FLOOR_RATIO_TARGET = 3.0
WINDOW = (1366, 768)


def measure_till_ui(w: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The parent's side: run the child and turn its samples into one metric per length."""
    from bench.process import run_child

    samples = run_child("till-ui", w)
    results: dict[str, dict[str, Any]] = {}
    for lines in CART_LENGTHS:
        mine, raw = samples["ours"][str(lines)], samples["floor"][str(lines)]
        ours_p95 = p95(mine)
        ratio = median(mine) / median(raw)
        results[f"till_scan_{lines}"] = metric(
            median(mine),
            median(raw),
            "ms",
            target=f"p95 ≤ {P95_TARGET_MS:g} ms, ≤ {FLOOR_RATIO_TARGET:g}× floor",
            ok=ours_p95 <= P95_TARGET_MS and ratio <= FLOOR_RATIO_TARGET,
            p95_ours=ours_p95,
            p95_floor=p95(raw),
            samples=len(mine),
            lines=lines,
        )
    return results


def till_ui_child(wiring: BenchWiring, w: dict[str, Any]) -> dict[str, Any]:
    """Hidden mode: the measurements, as {"ours"|"floor": {lines: [ms, ...]}}."""
    from PySide6.QtWidgets import QApplication

    from bench.ours import Ours
    from ui.app import load_stylesheet

    app = QApplication([])
    app.setStyleSheet(load_stylesheet())
    codes = _packaged_codes(w["db"], max(CART_LENGTHS) + SAMPLES + WARMUP + 1)
    ours = Ours(wiring, w["url"], Path(w["home"]))
    till = _SignedInTill(app, ours)
    floor = _BareTable(app, w, till.table_size())
    result: dict[str, dict[str, list[float]]] = {"ours": {}, "floor": {}}
    try:
        for lines in CART_LENGTHS:
            if len(codes) <= lines:
                raise RuntimeError(f"the shop has too few packaged items for {lines} lines")
            mine: list[float] = []
            raw: list[float] = []
            for sample in range(WARMUP + SAMPLES):
                scanned = codes[lines + sample % (len(codes) - lines)]
                # Alternate who goes first, so drift hits both sides alike.
                sides = (till, floor) if sample % 2 else (floor, till)
                for side in sides:
                    side.prepare(codes[:lines], scanned)
                    elapsed = side.enter()
                    if sample >= WARMUP:
                        (mine if side is till else raw).append(elapsed)
            result["ours"][str(lines)] = mine
            result["floor"][str(lines)] = raw
    finally:
        till.close()
        floor.close()
        ours.close()
    return result


def _packaged_codes(db: str, count: int) -> list[str]:
    """Distinct counted (not weighed) items: each scan adds a line of its own."""
    connection = connect(db)
    try:
        rows = connection.execute(
            "SELECT v.sku FROM variant v JOIN product p ON p.id = v.product_id "
            "WHERE v.sku LIKE 'G%' AND NOT p.sold_by_weight AND v.active AND p.active "
            "ORDER BY v.id LIMIT ?",
            (count,),
        ).fetchall()
    finally:
        connection.close()
    return [sku for (sku,) in rows]


def _until(app: Any, done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + CHILD_TIMEOUT_S
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        app.processEvents()


class _PaintWatch:
    """Notes that a widget got a paint event (the paint itself follows the filter)."""

    def __init__(self, widget: Any) -> None:
        from PySide6.QtCore import QEvent, QObject

        paint = QEvent.Type.Paint

        class Filter(QObject):
            painted = False

            def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
                if event.type() == paint:
                    self.painted = True
                return False

        self._filter = Filter()
        widget.installEventFilter(self._filter)

    @property
    def painted(self) -> bool:
        return self._filter.painted

    def reset(self) -> None:
        self._filter.painted = False


def _timed_enter(app: Any, field: Any, watch: _PaintWatch) -> float:
    """Key Enter in ``field``, until the end of the event-loop pass that painted."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    watch.reset()
    start = time.perf_counter_ns()
    QTest.keyClick(field, Qt.Key.Key_Return)
    deadline = time.monotonic() + CHILD_TIMEOUT_S
    while not watch.painted:
        if time.monotonic() > deadline:
            raise RuntimeError("the table was never painted after Enter")
        app.processEvents()
    return (time.perf_counter_ns() - start) / 1e6


class _SignedInTill:
    """The till's own window, signed in as the demo cashier with key presses."""

    def __init__(self, app: Any, ours: Any) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        from app.services.demo import DEMO_USERS
        from ui.window import TillWindow

        self.app = app
        self.ours = ours
        self.window = TillWindow(ours.context)
        self.window.resize(*WINDOW)
        self.window.show()
        _until(app, lambda: self.window.till is not None, "the till screen")
        username, _, _, pin = DEMO_USERS[0]
        login = self.window.login
        QTest.keyClicks(login.username_field, username)
        QTest.keyClick(login.username_field, Qt.Key.Key_Return)
        QTest.keyClicks(login.pin_field, pin)
        QTest.keyClick(login.pin_field, Qt.Key.Key_Return)
        till = self.window.till
        assert till is not None
        self.till = till
        _until(app, lambda: till.session is not None, "the sign-in")
        _until(app, lambda: not till.controller.drafts.restoring, "the till to be ready")
        self.watch = _PaintWatch(till.cart_view.viewport())

    def table_size(self) -> tuple[int, int]:
        view = self.till.cart_view
        return view.width(), view.height()

    def prepare(self, lines: list[str], scanned: str) -> None:
        """A cart of ``lines`` items taken up as a recalled sale is, then ``scanned`` typed."""
        controller = self.till.controller
        session = controller.session
        assert session is not None
        cart = session.sales.new_cart()
        for code in lines:
            session.sales.enter(cart, code, search=False)
        controller.new_sale(cart)
        controller.drafts.now()  # written now, not in the middle of the next sample
        runner = self.window.runner
        _until(self.app, lambda: not runner.busy, "the draft to be written")
        self.till.scan_field.setText(scanned)
        self.app.processEvents()

    def enter(self) -> float:
        added = len(self.till.cart.lines) if self.till.cart is not None else 0
        elapsed = _timed_enter(self.app, self.till.scan_field, self.watch)
        if self.till.cart is None or len(self.till.cart.lines) != added + 1:
            raise RuntimeError(f"the scan added no line: {self.till.banner.text()}")
        return elapsed

    def close(self) -> None:
        controller = self.till.controller
        if controller.session is not None:
            controller.new_sale()  # nothing left open on the register for the next run
            controller.drafts.now()
        self.window.shutdown()
        self.window.close()


class _BareTable:
    """The floor: a bare table with the till's style sheet, its Enter appending one row
    after the same lookup in raw sqlite3."""

    def __init__(self, app: Any, w: dict[str, Any], size: tuple[int, int]) -> None:
        from PySide6.QtGui import QStandardItem, QStandardItemModel
        from PySide6.QtWidgets import QLineEdit, QTableView, QVBoxLayout, QWidget

        self.app = app
        self.connection = connect(w["db"])
        self.sql = w["by_code_sql"]
        self._item = QStandardItem
        self.window = QWidget()
        self.window.setObjectName("tillScreen")
        self.field = QLineEdit()
        self.field.setObjectName("scanField")
        self.model = QStandardItemModel(0, 4)
        self.view = QTableView()
        self.view.setObjectName("cartTable")
        self.view.setModel(self.model)
        self.view.setFixedSize(*size)
        layout = QVBoxLayout(self.window)
        layout.addWidget(self.field)
        layout.addWidget(self.view)
        self.field.returnPressed.connect(self._scanned)
        self.window.show()
        self.watch = _PaintWatch(self.view.viewport())

    def _row(self, code: str) -> list[Any]:
        row = self.connection.execute(self.sql, {"code": code}).fetchone()
        minor = int(row[3])
        price = f"{minor // 100}.{minor % 100:02d}"  # the cheapest honest formatting
        return [self._item(row[2]), self._item("1"), self._item(price), self._item(price)]

    def _scanned(self) -> None:
        self.model.appendRow(self._row(self.field.text()))
        self.view.scrollToBottom()
        self.field.clear()

    def prepare(self, lines: list[str], scanned: str) -> None:
        self.model.removeRows(0, self.model.rowCount())
        for code in lines:
            self.model.appendRow(self._row(code))
        self.view.scrollToBottom()
        self.field.setText(scanned)
        self.app.processEvents()

    def enter(self) -> float:
        return _timed_enter(self.app, self.field, self.watch)

    def close(self) -> None:
        self.window.close()
        self.connection.close()
