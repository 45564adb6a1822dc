"""The cart as a Qt table: item, quantity, unit price and line total after line discount."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.documents.formatter import Formatter
from app.domain.cart import Cart, CartLine
from app.domain.pricing import Totals
from ui.common.i18n import tr

Index = QModelIndex | QPersistentModelIndex

ITEM, QUANTITY, PRICE, TOTAL = range(4)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class CartTableModel(QAbstractTableModel):
    """A read-only view of a :class:`Cart`; call :meth:`refresh` after changing the cart."""

    def __init__(self, formats: Formatter | None = None) -> None:
        super().__init__()
        self._cart: Cart | None = None
        self._formats = formats
        self._totals: Totals | None = None
        self._headers = [tr("Item"), tr("Qty"), tr("Price"), tr("Total")]

    @property
    def cart(self) -> Cart | None:
        return self._cart

    @property
    def totals(self) -> Totals | None:
        return self._totals

    def set_cart(self, cart: Cart | None, formats: Formatter | None = None) -> None:
        self.beginResetModel()
        self._cart = cart
        if formats is not None:
            self._formats = formats
        self._totals = cart.totals() if cart is not None else None
        self.endResetModel()

    def refresh(self) -> None:
        """Re-read the cart (lines added, removed or changed) and re-price it."""
        self.set_cart(self._cart)

    def line_at(self, row: int) -> CartLine | None:
        if self._cart is None or not 0 <= row < len(self._cart.lines):
            return None
        return self._cart.lines[row]

    def row_of(self, line_id: int) -> int:
        if self._cart is not None:
            for row, line in enumerate(self._cart.lines):
                if line.line_id == line_id:
                    return row
        return -1

    # QAbstractTableModel --------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        if parent.isValid() or self._cart is None:
            return 0
        return len(self._cart.lines)

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
        if line is None or self._formats is None or self._totals is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(line, index.row(), column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _LEFT if column == ITEM else _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole and column == ITEM:
            return f"{line.item.name}\n{tr('SKU')} {line.item.sku}"
        return None

    def _text(self, line: CartLine, row: int, column: int) -> str:
        assert self._formats is not None
        assert self._totals is not None
        formats = self._formats
        if column == ITEM:
            notes = []
            if line.price_overridden:
                notes.append(
                    tr("price changed from {price}").format(
                        price=formats.money(line.item.unit_price)
                    )
                )
            if line.discount is not None:
                notes.append(tr("discount {value}").format(value=formats.discount(line.discount)))
            return line.item.name + ("\n" + " · ".join(notes) if notes else "")
        if column == QUANTITY:
            return formats.quantity(line.quantity, line.item.sold_by_weight)
        if column == PRICE:
            suffix = " /kg" if line.item.sold_by_weight else ""
            return formats.money(line.unit_price) + suffix
        amounts = self._totals.lines[row]
        return formats.money(amounts.extended - amounts.line_discount)
