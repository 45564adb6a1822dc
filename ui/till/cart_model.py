"""The cart as a Qt table: item, quantity, unit price and line total after line discount.

Updated row by row: a scan inserts one row (or changes the one it increased), so the view
repaints that row, however long the cart. The texts are formatted once per change of a line
and kept in a QStandardItemModel, so painting asks Python nothing: a model answering
``data()`` in Python costs more per frame than the whole of Qt's painting (``main.py bench``,
the till's scan figure).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel

from app.documents.formatter import Formatter
from app.domain.cart import Cart, CartLine, StockNote
from app.domain.pricing import price_line
from ui.common.i18n import tr

ITEM, QUANTITY, PRICE, TOTAL = range(4)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
SHORT_TEXT = QBrush(QColor("#b42318"))  # the style sheet's own red
_FOREGROUND = Qt.ItemDataRole.ForegroundRole


def stock_text(note: StockNote, formats: Formatter, sold_by_weight: bool) -> str:
    left = formats.quantity(note.left, sold_by_weight)
    if note.left <= 0:
        return tr("⚠ out of stock: {left} left").format(left=left)
    return tr("⚠ only {left} in stock").format(left=left)


class CartTableModel(QStandardItemModel):
    """A read-only view of a :class:`Cart`. After changing the cart, tell the model what
    changed: :meth:`inserted`, :meth:`changed`, :meth:`removed`, or :meth:`set_cart`."""

    def __init__(self, formats: Formatter | None = None) -> None:
        super().__init__(0, 4)
        self._cart: Cart | None = None
        self._formats = formats
        self._shown: list[tuple[CartLine, StockNote | None]] = []
        self.setHorizontalHeaderLabels([tr("Item"), tr("Qty"), tr("Price"), tr("Total")])
        for column in range(4):
            align = _LEFT if column == ITEM else _RIGHT
            self.setHeaderData(
                column, Qt.Orientation.Horizontal, align, Qt.ItemDataRole.TextAlignmentRole
            )

    @property
    def cart(self) -> Cart | None:
        return self._cart

    def set_cart(self, cart: Cart | None, formats: Formatter | None = None) -> None:
        """A different cart (a new sale, a recall): every row anew."""
        self._cart = cart
        if formats is not None:
            self._formats = formats
        self.removeRows(0, self.rowCount())
        self._shown = []
        if cart is not None and self._formats is not None:
            for row in range(len(cart.lines)):
                self.inserted(row)

    def inserted(self, row: int) -> None:
        """A line was added to the cart at ``row``."""
        line, note = self._line(row)
        cells = [QStandardItem() for _ in range(4)]
        self._fill(cells, line, note)  # filled first: one insert, no change signals
        self.insertRow(row, cells)
        self._shown.insert(row, (line, note))

    def changed(self, row: int) -> None:
        """The line at ``row`` changed (quantity, price, discount, its stock note)."""
        if not 0 <= row < len(self._shown):
            return
        line, note = self._line(row)
        if self._shown[row] != (line, note):
            self._shown[row] = (line, note)
            self._fill([self.item(row, column) for column in range(4)], line, note)

    def removed(self, row: int) -> None:
        """The line that was at ``row`` left the cart."""
        self.removeRow(row)
        del self._shown[row]

    def stock_changed(self, variant_id: int) -> None:
        """Every line of this item: how much the cart sells of it changed."""
        if self._cart is not None:
            for row, line in enumerate(self._cart.lines):
                if line.item.variant_id == variant_id:
                    self.changed(row)

    def line_at(self, row: int) -> CartLine | None:
        if self._cart is None or not 0 <= row < len(self._cart.lines):
            return None
        return self._cart.lines[row]

    def row_of(self, line_id: int) -> int:
        return self._cart.row_of(line_id) if self._cart is not None else -1

    def _line(self, row: int) -> tuple[CartLine, StockNote | None]:
        assert self._cart is not None
        line = self._cart.lines[row]
        return line, self._cart.stock_note(line)

    def _fill(self, cells: list[QStandardItem], line: CartLine, note: StockNote | None) -> None:
        # The view edits nothing (NoEditTriggers); a flagged line is written in red. Few
        # calls: this runs on every scan.
        flagged = note is not None
        for column, (cell, text) in enumerate(zip(cells, self._texts(line, note), strict=True)):
            cell.setText(text)
            cell.setTextAlignment(_LEFT if column == ITEM else _RIGHT)
            if flagged or cell.data(_FOREGROUND) is not None:
                cell.setData(SHORT_TEXT if flagged else None, _FOREGROUND)
        cells[ITEM].setToolTip(f"{line.item.name}\n{tr('SKU')} {line.item.sku}")

    def _texts(self, line: CartLine, note: StockNote | None) -> tuple[str, str, str, str]:
        assert self._formats is not None
        assert self._cart is not None
        formats = self._formats
        notes = []
        if note is not None:
            notes.append(stock_text(note, formats, line.item.sold_by_weight))
        if line.price_overridden:
            notes.append(
                tr("price changed from {price}").format(price=formats.money(line.item.unit_price))
            )
        if line.discount is not None:
            notes.append(tr("discount {value}").format(value=formats.discount(line.discount)))
        amounts = price_line(line.pricing_input(), self._cart.prices_include_tax)
        suffix = " /kg" if line.item.sold_by_weight else ""
        return (
            line.item.name + ("\n" + " · ".join(notes) if notes else ""),
            formats.quantity(line.quantity, line.item.sold_by_weight),
            formats.money(line.unit_price) + suffix,
            formats.money(amounts.extended - amounts.line_discount),
        )
