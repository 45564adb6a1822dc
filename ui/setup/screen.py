"""The first-run screen: set up a real shop when the till opens an empty database.

Shown instead of sign-in (outside demo mode). The same questions as ``main.py setup``, on one
page that fits a 1024×768 screen: Enter moves to the next field, Enter on the last one (or
Ctrl+Enter anywhere, or the button) creates the shop. The answers are checked with the very
rules ``setup`` uses (app.dto.setup.ShopSetup); each bad one is named, its field takes the
focus, and nothing is written until all are good. The shop is then created on the database
worker, in one transaction, and ``created(owner_username)`` is emitted.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.shop import ALLOWED_CASH_INCREMENTS, country_defaults
from app.dto.setup import SetupRefused, ShopSetup
from app.services.shop import DEFAULTS
from ui.common.failures import describe_failure
from ui.common.i18n import tr
from ui.common.widgets import make_button
from ui.tasks.runner import TaskRunner

if TYPE_CHECKING:
    from ui.backend import TillBackend

TAX_ROWS = 3
FIELD_HEIGHT = 34


class SetupField(QLineEdit):
    """A line of the form: Enter moves on to the next field, as Tab does."""

    def __init__(self, placeholder: str = "", *, secret: bool = False) -> None:
        super().__init__()
        self.setObjectName("setupField")
        self.setMinimumHeight(FIELD_HEIGHT)
        self.setPlaceholderText(placeholder)
        if secret:
            self.setEchoMode(QLineEdit.EchoMode.Password)
            self.setMaxLength(8)
        self.touched = False
        self.textEdited.connect(self._touch)

    def _touch(self, _text: str) -> None:
        self.touched = True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            screen = self._screen()
            if screen is not None:
                screen.enter_pressed(self)
                return
        super().keyPressEvent(event)

    def _screen(self) -> SetupScreen | None:
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, SetupScreen):
            parent = parent.parentWidget()
        return parent


class SetupScreen(QWidget):
    """Emits ``created(owner_username)`` once the shop is written."""

    created = Signal(str)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("setupScreen")
        self._runner = runner
        self._backend: TillBackend | None = None
        self._saving = False

        self.name = SetupField(tr("Shop name, as on receipts"))
        self.address1 = SetupField(tr("Street"))
        self.address2 = SetupField(tr("Town"))
        self.tax_id = SetupField(tr("VAT number (may be empty)"))
        self.country = SetupField("IE")
        self.currency = SetupField("EUR")
        self.timezone = SetupField("Europe/Dublin")
        self.locale_field = SetupField("en_IE")
        self.country.setText(DEFAULTS["shop.country"])
        self.currency.setText(DEFAULTS["shop.currency"])
        self.timezone.setText(DEFAULTS["shop.timezone"])
        self.locale_field.setText(DEFAULTS["shop.locale"])
        self.country.editingFinished.connect(self._country_chosen)
        self.prices_include_tax = QCheckBox(tr("Shelf prices include tax"))
        self.prices_include_tax.setChecked(True)
        self.cash_rounding = QComboBox()
        self.cash_rounding.setMinimumHeight(FIELD_HEIGHT)
        for increment in ALLOWED_CASH_INCREMENTS:
            self.cash_rounding.addItem(str(increment))
        self.register = SetupField("T1")
        self.register.setText("T1")
        self.tax_rows = [
            (SetupField(tr("code")), SetupField(tr("name")), SetupField("%"))
            for _ in range(TAX_ROWS)
        ]
        first_code, first_name, _ = self.tax_rows[0]
        first_code.setText("standard")
        first_name.setText(tr("Standard"))
        self.username = SetupField(tr("e.g. aoife"))
        self.full_name = SetupField(tr("e.g. Aoife Byrne"))
        self.pin = SetupField(tr("4 to 8 digits"), secret=True)
        self.pin_again = SetupField(tr("the same again"), secret=True)

        self.error_label = QLabel()
        self.error_label.setObjectName("setupError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.create_button = make_button(tr("Create the shop  ⏎"), "payButton")
        self.create_button.clicked.connect(self.submit)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.submit)

        self._fields: dict[str, QWidget] = {
            "shop.name": self.name,
            "shop.address": self.address1,
            "shop.tax_id": self.tax_id,
            "shop.country": self.country,
            "shop.currency": self.currency,
            "shop.timezone": self.timezone,
            "shop.locale": self.locale_field,
            "shop.prices_include_tax": self.prices_include_tax,
            "shop.cash_rounding": self.cash_rounding,
            "shop.register": self.register,
            "tax_class": first_code,
            "owner.username": self.username,
            "owner.name": self.full_name,
            "owner.pin": self.pin,
        }
        for number, (code, name, rate) in enumerate(self.tax_rows, start=1):
            self._fields[f"tax_class.{number}.code"] = code
            self._fields[f"tax_class.{number}.name"] = name
            self._fields[f"tax_class.{number}.rate"] = rate
        self._build()
        order: list[QWidget] = [
            self.name,
            self.address1,
            self.address2,
            self.tax_id,
            self.country,
            self.currency,
            self.timezone,
            self.locale_field,
            self.cash_rounding,
            self.register,
            self.prices_include_tax,
            *(field for row in self.tax_rows for field in row),
            self.username,
            self.full_name,
            self.pin,
            self.pin_again,
        ]
        for before, after in itertools.pairwise(order):
            QWidget.setTabOrder(before, after)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter on the cash rounding list or the tax check box moves on, as in the fields.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.focusNextChild()
            return
        super().keyPressEvent(event)

    def _build(self) -> None:
        title = QLabel(tr("Set up your shop"))
        title.setObjectName("setupTitle")
        hint = QLabel(
            tr(
                "This database is empty. Enter moves on; Enter in the last field creates the "
                "shop, and you sign in as its owner."
            )
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)

        shop = QGridLayout()
        shop.setHorizontalSpacing(10)
        shop.setVerticalSpacing(4)
        rows: list[tuple[str, QWidget]] = [
            (tr("Name"), self.name),
            (tr("Address"), self.address1),
            ("", self.address2),
            (tr("Tax id"), self.tax_id),
            (tr("Country"), self.country),
            (tr("Currency"), self.currency),
            (tr("Time zone"), self.timezone),
            (tr("Locale"), self.locale_field),
            (tr("Cash rounding"), self.cash_rounding),
            (tr("Register"), self.register),
            ("", self.prices_include_tax),
        ]
        for row, (label, widget) in enumerate(rows):
            if label:
                shop.addWidget(_caption(label), row, 0)
            shop.addWidget(widget, row, 1)

        taxes = QGridLayout()
        taxes.setHorizontalSpacing(6)
        taxes.setVerticalSpacing(4)
        for column, text in enumerate((tr("Code"), tr("Name"), tr("Rate %"))):
            taxes.addWidget(_caption(text), 0, column)
        for row, fields in enumerate(self.tax_rows, start=1):
            for column, field in enumerate(fields):
                taxes.addWidget(field, row, column)
        for column, stretch in enumerate((2, 3, 1)):
            taxes.setColumnStretch(column, stretch)

        owner = QGridLayout()
        owner.setHorizontalSpacing(10)
        owner.setVerticalSpacing(4)
        for row, (label, widget) in enumerate(
            [
                (tr("User name"), self.username),
                (tr("Full name"), self.full_name),
                (tr("PIN"), self.pin),
                (tr("PIN again"), self.pin_again),
            ]
        ):
            owner.addWidget(_caption(label), row, 0)
            owner.addWidget(widget, row, 1)

        right = QVBoxLayout()
        right.setSpacing(8)
        right.addWidget(_section(tr("Tax classes")))
        right.addLayout(taxes)
        right.addSpacing(8)
        right.addWidget(_section(tr("The owner")))
        right.addLayout(owner)
        right.addStretch(1)
        left = QVBoxLayout()
        left.setSpacing(8)
        left.addWidget(_section(tr("The shop")))
        left.addLayout(shop)
        left.addStretch(1)
        columns = QHBoxLayout()
        columns.setSpacing(28)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)

        card = QFrame()
        card.setObjectName("setupCard")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(20, 10, 20, 10)
        inner.setSpacing(6)
        inner.addWidget(title)
        inner.addWidget(hint)
        inner.addLayout(columns, 1)
        inner.addWidget(self.error_label)
        inner.addWidget(self.create_button)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 6, 10, 6)
        outer.addWidget(card)

    # Use -------------------------------------------------------------------------------
    def begin(self, backend: TillBackend) -> None:
        """Set up the shop of ``backend`` (an empty database)."""
        self._backend = backend
        self.name.setFocus()

    def enter_pressed(self, field: SetupField) -> None:
        if field is self.pin_again:
            self.submit()
        else:
            field.focusNextChild()

    def _country_chosen(self) -> None:
        """Offer the country's currency, time zone and locale, unless already typed in."""
        currency, timezone, locale = country_defaults(self.country.text())
        for field, value in (
            (self.currency, currency),
            (self.timezone, timezone),
            (self.locale_field, locale),
        ):
            if value and not field.touched:
                field.setText(value)

    def answers(self) -> dict[str, Any]:
        """The form as ``setup --answers`` reads a file."""
        classes = [
            {"code": code.text(), "name": name.text(), "rate": rate.text()}
            for code, name, rate in self.tax_rows
            if code.text().strip() or rate.text().strip()
        ]
        return {
            "shop": {
                "name": self.name.text(),
                "address": [self.address1.text(), self.address2.text()],
                "tax_id": self.tax_id.text(),
                "country": self.country.text(),
                "currency": self.currency.text(),
                "timezone": self.timezone.text(),
                "locale": self.locale_field.text(),
                "prices_include_tax": self.prices_include_tax.isChecked(),
                "cash_rounding": self.cash_rounding.currentText(),
                "register": self.register.text(),
            },
            "tax_class": classes,
            "owner": {
                "username": self.username.text(),
                "name": self.full_name.text(),
                "pin": self.pin.text(),
            },
        }

    def submit(self) -> None:
        backend = self._backend
        if self._saving or backend is None:
            return
        try:
            setup = ShopSetup.from_answers(self.answers())
        except SetupRefused as refused:
            self.show_error("\n".join(f"• {p.message}" for p in refused.problems))
            self._fields.get(refused.problems[0].field, self.name).setFocus()
            return
        if self.pin_again.text() != self.pin.text():
            self.show_error(tr("The two PINs are not the same"))
            self.pin_again.clear()
            self.pin_again.setFocus()
            return
        self._set_saving(True)
        self.error_label.hide()
        self._runner.submit(lambda: backend.setup.create(setup), self._created, self._refused)

    def _created(self, _owner_id: int) -> None:
        self._set_saving(False)
        self.created.emit(self.username.text().strip().lower())

    def _refused(self, error: Exception) -> None:
        self._set_saving(False)
        self.show_error(describe_failure(error))

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.create_button.setEnabled(not saving)
        self.create_button.setText(tr("Creating the shop…") if saving else tr("Create the shop  ⏎"))


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("setupCaption")
    return label


def _section(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("setupSection")
    return label
