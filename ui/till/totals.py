"""The totals panel: the item just scanned, subtotal, discount, tax per rate and the TOTAL."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from app.documents.formatter import Formatter
from app.domain.cart import Cart, CartLine
from app.domain.pricing import Totals
from ui.common.i18n import tr

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class TotalsPanel(QFrame):
    """Shows a priced cart; :meth:`show_cart` after every change."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("totalsPanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(6)
        layout.addWidget(self._build_last_scanned())
        layout.addSpacing(6)
        self._grid = QGridLayout()
        self._grid.setHorizontalSpacing(12)
        self._grid.setVerticalSpacing(4)
        self._rows: list[QLabel] = []
        layout.addLayout(self._grid)
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
        grid.setContentsMargins(14, 10, 14, 10)
        grid.setVerticalSpacing(2)
        caption = QLabel(tr("LAST SCANNED"))
        caption.setObjectName("lastCaption")
        self.last_name = QLabel()
        self.last_name.setObjectName("lastName")
        self.last_name.setWordWrap(True)
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
        self.last_detail.setText(
            f"{formats.quantity(line.quantity, line.item.sold_by_weight)} × "
            f"{formats.money(line.unit_price)}{unit}"
        )
        self.last_amount.setText(formats.money(line.unit_price.times(line.quantity)))
        self.last_item.show()

    def show_cart(
        self, cart: Cart | None, totals: Totals | None, formats: Formatter | None
    ) -> None:
        for label in self._rows:
            # Hidden at once: deleteLater alone would leave it painted until the next loop.
            label.hide()
            self._grid.removeWidget(label)
            label.deleteLater()
        self._rows = []
        if cart is None or totals is None or formats is None:
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
        for row, (caption, value, name) in enumerate(rows):
            left, right = QLabel(caption), QLabel(value)
            left.setObjectName(name)
            right.setObjectName(name)
            right.setAlignment(_RIGHT)
            self._grid.addWidget(left, row, 0)
            self._grid.addWidget(right, row, 1)
            left.show()  # now, not on the next turn of the event loop
            right.show()
            self._rows += [left, right]
        self.total_label.setText(money(totals.total))
