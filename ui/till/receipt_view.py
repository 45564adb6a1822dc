"""The last completed sale: its receipt as text, and the change in large type."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from app.documents.formatter import Formatter
from app.documents.receipt import render_receipt
from app.dto.sales import SaleReceipt
from ui.common.i18n import tr
from ui.common.widgets import set_style_property


def receipt_number(receipt: SaleReceipt) -> str:
    return f"{receipt.register_code}-{receipt.receipt_no:06d}"


class ReceiptView(QFrame):
    """Shown after a sale until the next scan."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("receiptPage")
        self.text = QPlainTextEdit()
        self.text.setObjectName("receiptText")
        self.text.setReadOnly(True)
        self.text.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # The style sheet names the font; this is the fallback without one.
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        # 42 columns of the style sheet's 15 px monospace font, plus padding and a scroll bar.
        self.text.setMinimumWidth(470)
        self.text.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        title = QLabel(tr("Sale complete"))
        title.setObjectName("panelTitle")
        self.number_label = QLabel()
        self.number_label.setObjectName("receiptNumber")
        hint = QLabel(tr("Scan the next item to start a new sale."))
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        change_caption = QLabel(tr("Change"))
        change_caption.setObjectName("changeCaption")
        self.change_label = QLabel()
        self.change_label.setObjectName("changeAmount")
        set_style_property(self.change_label, "settled", True)

        titles = QVBoxLayout()
        titles.setSpacing(4)
        titles.addWidget(title)
        titles.addWidget(self.number_label)
        titles.addWidget(hint)
        change = QVBoxLayout()
        change.setSpacing(0)
        change.addWidget(change_caption, 0, Qt.AlignmentFlag.AlignRight)
        change.addWidget(self.change_label, 0, Qt.AlignmentFlag.AlignRight)
        top = QHBoxLayout()
        top.addLayout(titles, 1)
        top.addLayout(change)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(12)
        layout.addLayout(top)
        layout.addWidget(self.text, 1, Qt.AlignmentFlag.AlignHCenter)

    def show_receipt(self, receipt: SaleReceipt, formats: Formatter) -> None:
        self.text.setPlainText(render_receipt(receipt, formats))
        self.number_label.setText(tr("Receipt {number}").format(number=receipt_number(receipt)))
        self.change_label.setText(formats.money(receipt.change))
