"""Search results under the scan field: name and price, then SKU, options and stock, so
that items of the same name can be told apart.

A child widget, not a popup window: a Qt popup would grab the keyboard, and the scan field
must keep the focus so that arrows, Enter and Esc typed there drive the list.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QFrame,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.documents.formatter import Formatter
from app.domain.cart import CartItem
from ui.common.i18n import tr

VISIBLE_ROWS = 7
ROW_HEIGHT = 60
PRICE_ROLE = Qt.ItemDataRole.UserRole + 1
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 2


def result_detail(item: CartItem, formats: Formatter) -> str:
    """The second line of a result: SKU, options and stock on hand."""
    parts = [f"{tr('SKU')} {item.sku}"]
    if item.options:
        parts.append(item.options)
    if item.on_hand is None:
        parts.append(tr("stock not tracked"))
    elif item.on_hand <= 0:
        parts.append(tr("out of stock"))
    else:
        parts.append(
            tr("{count} in stock").format(count=formats.quantity(item.on_hand, item.sold_by_weight))
        )
    return "  ·  ".join(parts)


class _ResultDelegate(QStyledItemDelegate):
    """Name and price on the first line, SKU, options and stock on the second, in rows
    tall enough to tap."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(option.rect.width(), ROW_HEIGHT)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        price = index.data(PRICE_ROLE)
        if not price:
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        name = option.text
        option.text = ""
        style = option.widget.style() if option.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        colour = (
            option.palette.highlightedText().color() if selected else option.palette.text().color()
        )
        painter.setPen(colour)
        metrics = option.fontMetrics
        text_rect = option.rect.adjusted(16, 4, -16, -4)
        top = text_rect.adjusted(0, 0, 0, -text_rect.height() // 2)
        bottom = text_rect.adjusted(0, text_rect.height() // 2, 0, 0)
        align = Qt.AlignmentFlag.AlignVCenter
        price_width = metrics.horizontalAdvance(str(price)) + 8
        name_rect = top.adjusted(0, 0, -price_width - 16, 0)
        elided = metrics.elidedText(name, Qt.TextElideMode.ElideRight, name_rect.width())
        painter.drawText(name_rect, align | Qt.AlignmentFlag.AlignLeft, elided)
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        painter.drawText(top, align | Qt.AlignmentFlag.AlignRight, str(price))
        font.setBold(False)
        font.setPixelSize(max(11, round(metrics.height() * 0.62)))
        painter.setFont(font)
        if not selected:
            colour.setAlpha(170)
            painter.setPen(colour)
        detail = str(index.data(DETAIL_ROLE) or "")
        small = painter.fontMetrics()
        painter.drawText(
            bottom,
            align | Qt.AlignmentFlag.AlignLeft,
            small.elidedText(detail, Qt.TextElideMode.ElideRight, bottom.width()),
        )
        painter.restore()


class SearchPopup(QFrame):
    """Shows a search result list; ``picked`` fires when a row is tapped."""

    picked = Signal(object)  # CartItem

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("searchPopup")
        self.list = QListWidget(self)
        self.list.setObjectName("searchList")
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setUniformItemSizes(True)
        self.list.setItemDelegate(_ResultDelegate(self.list))
        self.list.itemClicked.connect(self._clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.addWidget(self.list)
        self.query = ""
        # The cashier moved through the list: Enter means "this one", not "look up the text".
        self.navigated = False
        self._items: list[CartItem] = []
        self.hide()

    @property
    def items(self) -> list[CartItem]:
        return list(self._items)

    def show_results(
        self, query: str, items: Sequence[CartItem], formats: Formatter, anchor: QWidget
    ) -> None:
        self.query = query
        self.navigated = False
        self._items = list(items)
        self.list.clear()
        for item in items:
            price = formats.money(item.unit_price) + (" /kg" if item.sold_by_weight else "")
            row = QListWidgetItem(item.name)
            row.setData(PRICE_ROLE, price)
            row.setData(DETAIL_ROLE, result_detail(item, formats))
            row.setToolTip(f"{item.name}\n{result_detail(item, formats)}")
            self.list.addItem(row)
        if not items:
            empty = QListWidgetItem(tr("No product matches “{query}”").format(query=query))
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(empty)
        else:
            self.list.setCurrentRow(0)
        parent = self.parentWidget()
        assert parent is not None
        top_left = anchor.mapTo(parent, QPoint(0, anchor.height() + 2))
        room = (parent.height() - top_left.y() - 8 - 6) // ROW_HEIGHT  # stay inside the window
        rows = max(1, min(len(items), VISIBLE_ROWS, room))
        self.setGeometry(top_left.x(), top_left.y(), anchor.width(), rows * ROW_HEIGHT + 6)
        self.show()
        self.raise_()

    def move_selection(self, delta: int) -> None:
        if not self._items:
            return
        row = max(0, min(len(self._items) - 1, self.list.currentRow() + delta))
        self.list.setCurrentRow(row)
        self.navigated = True

    def current_item(self) -> CartItem | None:
        row = self.list.currentRow()
        return self._items[row] if 0 <= row < len(self._items) else None

    def close_results(self) -> None:
        if self.isHidden() and not self._items and not self.query:
            return  # after every scan: nothing to close
        self.hide()
        self.list.clear()
        self._items = []
        self.query = ""
        self.navigated = False

    def _clicked(self, row: QListWidgetItem) -> None:
        index = self.list.row(row)
        if 0 <= index < len(self._items):
            self.picked.emit(self._items[index])
