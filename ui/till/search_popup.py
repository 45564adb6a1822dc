"""Instant search results under the scan field.

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

VISIBLE_ROWS = 8
ROW_HEIGHT = 48
PRICE_ROLE = Qt.ItemDataRole.UserRole + 1


class _ResultDelegate(QStyledItemDelegate):
    """Name on the left, price on the right, in rows tall enough to tap."""

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
        painter.setPen(
            option.palette.highlightedText().color() if selected else option.palette.text().color()
        )
        text_rect = option.rect.adjusted(16, 0, -16, 0)
        align = Qt.AlignmentFlag.AlignVCenter
        price_width = option.fontMetrics.horizontalAdvance(str(price)) + 8
        name_rect = text_rect.adjusted(0, 0, -price_width - 16, 0)
        elided = option.fontMetrics.elidedText(name, Qt.TextElideMode.ElideRight, name_rect.width())
        painter.drawText(name_rect, align | Qt.AlignmentFlag.AlignLeft, elided)
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        painter.drawText(text_rect, align | Qt.AlignmentFlag.AlignRight, str(price))
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
            row.setToolTip(f"{tr('SKU')} {item.sku}")
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
        rows = max(1, min(len(items), VISIBLE_ROWS))
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
        self.hide()
        self.list.clear()
        self._items = []
        self.query = ""
        self.navigated = False

    def _clicked(self, row: QListWidgetItem) -> None:
        index = self.list.row(row)
        if 0 <= index < len(self._items):
            self.picked.emit(self._items[index])
