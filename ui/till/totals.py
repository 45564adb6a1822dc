"""The totals panel: the item just scanned, subtotal, discount, tax per rate and the TOTAL.

Its labels are made once and only their texts change on a scan: rebuilding them cost more
than the scan itself (``main.py bench``, the till's scan figure).
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.documents.formatter import Formatter
from app.domain.cart import Cart, CartLine
from app.domain.pricing import Totals
from ui.common.i18n import tr

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
MAX_ROWS = 8  # items, subtotal, discount and up to five tax rates


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
        for row in range(MAX_ROWS):
            left, right = QLabel(), QLabel()
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
        self.total_label = QLabel("")
        self.total_label.setObjectName("totalAmount")
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
        self.last_detail = QLabel()
        self.last_detail.setObjectName("lastDetail")
        self.last_amount = QLabel()
        self.last_amount.setObjectName("lastAmount")
        self.last_amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)
        grid.addWidget(caption, 0, 0, 1, 2)
        grid.addWidget(self.last_name, 1, 0, 1, 2)
        grid.addWidget(self.last_detail, 2, 0)
        grid.addWidget(self.last_amount, 2, 1)
        self.last_item.hide()
        return self.last_item

    def show_last_scanned(self, line: CartLine | None, formats: Formatter | None) -> None:
        if line is None or formats is None:
            self.last_item.hide()
            return
        unit = " /kg" if line.item.sold_by_weight else ""
        self.last_name.setText(line.item.name)
        self.last_name.setToolTip(line.item.name)
        self.last_detail.setText(
            f"{formats.quantity(line.quantity, line.item.sold_by_weight)} × "
            f"{formats.money(line.unit_price)}{unit}"
        )
        self.last_amount.setText(formats.money(line.unit_price.times(line.quantity)))
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
                label.show()
        self.total_label.setText(money(totals.total))
