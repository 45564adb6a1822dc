"""The totals panel: the item just scanned, subtotal, discount, tax per rate and the TOTAL.

Its labels are made once and only their texts change on a scan: rebuilding them cost more
than the scan itself (``main.py bench``, the till's scan figure). The labels whose text
changes on every scan take their width from the panel, not from their text, so a new total
never lays out the screen again; a long TOTAL steps its type down instead.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.documents.formatter import Formatter
from app.domain.cart import Cart, CartLine
from app.domain.pricing import Totals
from ui.common.i18n import tr
from ui.common.widgets import set_style_property

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
MAX_ROWS = 8  # items, subtotal, discount and up to five tax rates
# The TOTAL's type by its length: what fits the panel at its narrowest (1024×768).
TOTAL_SIZES = ((7, "large"), (9, "medium"), (1_000, "small"))


def _width_from_layout(label: QLabel) -> QLabel:
    """The label's width comes from the layout, not its text: changing it relays nothing."""
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


class TotalsPanel(QFrame):
    """Shows a priced cart; :meth:`show_cart` after every change."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("totalsPanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(4)
        layout.addWidget(self._build_last_scanned())
        layout.addSpacing(4)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(2)
        self._rows: list[tuple[QLabel, QLabel]] = []
        grid.setColumnStretch(1, 1)
        for row in range(MAX_ROWS):
            left, right = QLabel(), _width_from_layout(QLabel())
            right.setAlignment(_RIGHT)
            grid.addWidget(left, row, 0)
            grid.addWidget(right, row, 1)
            left.hide()
            right.hide()
            self._rows.append((left, right))
        layout.addLayout(grid)
        layout.addStretch(1)
        caption = QLabel(tr("TOTAL"))
        caption.setObjectName("totalCaption")
        self.total_label = _width_from_layout(QLabel(""))
        self.total_label.setObjectName("totalAmount")
        self.total_label.setProperty("size", "large")
        self.total_label.setAlignment(_RIGHT)
        layout.addWidget(caption)
        layout.addWidget(self.total_label)

    def _build_last_scanned(self) -> QFrame:
        # What was just scanned, large enough to check at a glance from the customer's side.
        self.last_item = QFrame()
        self.last_item.setObjectName("lastItem")
        grid = QGridLayout(self.last_item)
        grid.setContentsMargins(12, 6, 12, 6)
        grid.setVerticalSpacing(0)
        caption = QLabel(tr("LAST SCANNED"))
        caption.setObjectName("lastCaption")
        self.last_name = QLabel()
        self.last_name.setObjectName("lastName")
        # One line, elided by width: a long name must not push TOTAL and PAY down.
        self.last_name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.last_detail = _width_from_layout(QLabel())
        self.last_detail.setObjectName("lastDetail")
        self.last_amount = _width_from_layout(QLabel())
        self.last_amount.setObjectName("lastAmount")
        self.last_amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)
        grid.addWidget(caption, 0, 0, 1, 2)
        grid.addWidget(self.last_name, 1, 0, 1, 2)
        grid.addWidget(self.last_detail, 2, 0)
        grid.addWidget(self.last_amount, 2, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        self.last_item.hide()
        return self.last_item

    def show_last_scanned(self, line: CartLine | None, formats: Formatter | None) -> None:
        if line is None or formats is None:
            self.last_item.hide()
            return
        unit = " /kg" if line.item.sold_by_weight else ""
        width = self.last_name.width()
        name = line.item.name
        if width > 0:  # laid out: a long name ends in "…" rather than being cut
            name = self.last_name.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight, width)
        self.last_name.setText(name)
        self.last_name.setToolTip(line.item.name)
        self.last_detail.setText(
            f"{formats.quantity(line.quantity, line.item.sold_by_weight)} × "
            f"{formats.money(line.unit_price)}{unit}"
        )
        self.last_amount.setText(formats.money(line.unit_price.times(line.quantity)))
        if self.last_item.isHidden():
            self.last_item.show()

    def show_cart(
        self, cart: Cart | None, totals: Totals | None, formats: Formatter | None
    ) -> None:
        if cart is None or totals is None or formats is None:
            for left, right in self._rows:
                left.hide()
                right.hide()
            self.total_label.setText("")
            return
        money = formats.money
        count = sum(
            (Decimal(1) if ln.item.sold_by_weight else ln.quantity for ln in cart.lines),
            Decimal(0),
        )
        rows: list[tuple[str, str, str]] = [
            (tr("Items"), formats.quantity(count, False), "totalsRow"),
            (tr("Subtotal"), money(totals.subtotal), "totalsRow"),
        ]
        if not totals.discount.is_zero():
            rows.append((tr("Discount"), "−" + money(totals.discount), "discountRow"))
        include = formats.settings.prices_include_tax
        for band in totals.bands:
            caption = tr("incl. tax {rate}") if include else tr("Tax {rate}")
            rows.append((caption.format(rate=formats.rate(band.rate)), money(band.tax), "taxRow"))
        for index, (left, right) in enumerate(self._rows):
            if index >= len(rows):
                if not left.isHidden():
                    left.hide()
                    right.hide()
                continue
            caption, value, name = rows[index]
            for label, text in ((left, caption), (right, value)):
                if label.objectName() != name:
                    label.setObjectName(name)
                    label.style().unpolish(label)  # the style sheet selects on the name
                    label.style().polish(label)
                if label.text() != text:
                    label.setText(text)
                if label.isHidden():
                    label.show()
        total = money(totals.total)
        size = next(name for longest, name in TOTAL_SIZES if len(total) <= longest)
        if self.total_label.property("size") != size:
            set_style_property(self.total_label, "size", size)
        self.total_label.setText(total)
