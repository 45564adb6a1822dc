"""The cart as a Qt table: item, quantity, unit price and line total after line discount.

Updated row by row: a scan inserts one row (or changes the one it increased), so the view
paints that row only, however long the cart; each line's texts are formatted once and kept
for as long as the line (lines are immutable: a change is a new line object).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.documents.formatter import Formatter
from app.domain.cart import Cart, CartLine, StockNote
from app.domain.pricing import price_line
from ui.common.i18n import tr

Index = QModelIndex | QPersistentModelIndex

ITEM, QUANTITY, PRICE, TOTAL = range(4)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
SHORT_BACKGROUND = QBrush(QColor("#fde8e6"))
SHORT_TEXT = QBrush(QColor("#9b1c13"))


def stock_text(note: StockNote, formats: Formatter, sold_by_weight: bool) -> str:
    left = formats.quantity(note.left, sold_by_weight)
    if note.left <= 0:
        return tr("⚠ out of stock: {left} left").format(left=left)
    return tr("⚠ only {left} in stock").format(left=left)


class CartTableModel(QAbstractTableModel):
    """A read-only view of a :class:`Cart`. After changing the cart, tell the model what
    changed: :meth:`inserted`, :meth:`changed`, :meth:`removed`, or :meth:`set_cart`."""

    def __init__(self, formats: Formatter | None = None) -> None:
        super().__init__()
        self._cart: Cart | None = None
        self._formats = formats
        self._rows = 0
        self._texts: dict[int, tuple[CartLine, StockNote | None, tuple[str, ...]]] = {}
        self._headers = [tr("Item"), tr("Qty"), tr("Price"), tr("Total")]

    @property
    def cart(self) -> Cart | None:
        return self._cart

    def set_cart(self, cart: Cart | None, formats: Formatter | None = None) -> None:
        """A different cart (a new sale, a recall): the one full reset."""
        self.beginResetModel()
        self._cart = cart
        if formats is not None:
            self._formats = formats
        self._rows = len(cart.lines) if cart is not None else 0
        self._texts = {}
        self.endResetModel()

    def inserted(self, row: int) -> None:
        """A line was added to the cart at ``row``."""
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows += 1
        self.endInsertRows()

    def changed(self, row: int) -> None:
        """The line at ``row`` changed (quantity, price, discount, its stock note)."""
        if 0 <= row < self._rows:
            self.dataChanged.emit(self.index(row, ITEM), self.index(row, TOTAL))

    def removed(self, row: int) -> None:
        """The line that was at ``row`` left the cart."""
        self.beginRemoveRows(QModelIndex(), row, row)
        self._rows -= 1
        self.endRemoveRows()

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

    # QAbstractTableModel --------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is not Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _LEFT if section == ITEM else _RIGHT
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        line = self.line_at(index.row())
        if line is None or self._formats is None or self._cart is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._line_texts(line)[column]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _LEFT if column == ITEM else _RIGHT
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            if self._cart.stock_note(line) is None:
                return None
            return SHORT_BACKGROUND if role == Qt.ItemDataRole.BackgroundRole else SHORT_TEXT
        if role == Qt.ItemDataRole.ToolTipRole and column == ITEM:
            return f"{line.item.name}\n{tr('SKU')} {line.item.sku}"
        return None

    def _line_texts(self, line: CartLine) -> tuple[str, ...]:
        assert self._cart is not None
        note = self._cart.stock_note(line)
        known = self._texts.get(line.line_id)
        if known is not None and known[0] is line and known[1] == note:
            return known[2]
        texts = self._format(line, note)
        self._texts[line.line_id] = (line, note, texts)
        return texts

    def _format(self, line: CartLine, note: StockNote | None) -> tuple[str, ...]:
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
