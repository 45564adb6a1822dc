"""Shop settings: read once at start-up, written by the demo seeder and set-up screens."""

from __future__ import annotations

from decimal import Decimal

from app.domain.cart import MAX_QUANTITY, BelowZero
from app.domain.money import Currency, to_decimal
from app.dto.shop import ShopSettings
from app.errors import UserError
from app.ports.storage import UnitOfWorkFactory

DEFAULTS: dict[str, str] = {
    "shop.name": "My Shop",
    "shop.address": "",
    "shop.tax_id": "",
    "shop.currency": "EUR",
    "shop.locale": "en_IE",
    "shop.timezone": "Europe/Dublin",
    "shop.prices_include_tax": "true",
    "shop.cash_increment": "0.01",
    # The till (ui/till): whether to sell below zero stock ("allow", "manager", "refuse"),
    # the quantity above which a line asks to be confirmed, and how much more than the cash
    # due a customer may hand over (empty: the currency's largest banknote).
    "sales.below_zero": "manager",
    "sales.confirm_quantity_above": "99",
    "sales.cash_over_due_limit": "",
}

ALLOWED_CASH_INCREMENTS = {
    Decimal("0.01"),
    Decimal("0.05"),
    Decimal("0.10"),
    Decimal("0.20"),
    Decimal("0.50"),
    Decimal("1"),
}


def settings_from(values: dict[str, str]) -> ShopSettings:
    merged = {**DEFAULTS, **values}
    increment = to_decimal(merged["shop.cash_increment"], "cash rounding increment")
    if increment not in ALLOWED_CASH_INCREMENTS:
        raise UserError(
            f"Cash rounding increment {increment} is not one of "
            f"{', '.join(str(i) for i in sorted(ALLOWED_CASH_INCREMENTS))}"
        )
    try:
        below_zero = BelowZero(merged["sales.below_zero"].strip().lower())
    except ValueError:
        choices = ", ".join(policy.value for policy in BelowZero)
        raise UserError(
            f"sales.below_zero is {merged['sales.below_zero']!r}; it is one of {choices}"
        ) from None
    confirm_above = to_decimal(merged["sales.confirm_quantity_above"], "quantity to confirm")
    if not 0 < confirm_above <= MAX_QUANTITY:
        raise UserError(f"sales.confirm_quantity_above is between 1 and {MAX_QUANTITY}")
    over_due_text = merged["sales.cash_over_due_limit"].strip()
    over_due = to_decimal(over_due_text, "cash over due limit") if over_due_text else None
    if over_due is not None and over_due <= 0:
        raise UserError("sales.cash_over_due_limit is more than zero (or empty)")
    return ShopSettings(
        name=merged["shop.name"],
        currency=Currency.of(merged["shop.currency"]),
        locale=merged["shop.locale"],
        timezone=merged["shop.timezone"],
        prices_include_tax=merged["shop.prices_include_tax"].lower() in {"1", "true", "yes"},
        cash_increment=increment,
        address=merged["shop.address"],
        tax_id=merged["shop.tax_id"],
        below_zero=below_zero,
        confirm_quantity_above=confirm_above,
        cash_over_due_limit=over_due,
    )


class ShopService:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    def settings(self) -> ShopSettings:
        with self._uow_factory() as uow:
            return settings_from(uow.settings.all())

    def update(self, values: dict[str, str]) -> ShopSettings:
        unknown = set(values) - set(DEFAULTS)
        if unknown:
            raise UserError(f"Unknown setting {', '.join(sorted(unknown))}")
        with self._uow_factory() as uow:
            merged = {**uow.settings.all(), **values}
            result = settings_from(merged)  # validate before writing anything
            for key, value in values.items():
                uow.settings.set(key, value)
            uow.changed("settings")
            uow.commit()
        return result

    def ensure_register(self, code: str, name: str) -> None:
        """Create the till's register (its receipt counter) if it does not exist yet."""
        code = code.strip().upper()
        if not (code.isalnum() and len(code) <= 16):
            raise UserError("A register code is up to 16 letters and digits")
        with self._uow_factory() as uow:
            uow.registers.ensure(code, name)
            uow.changed("registers", code)
            uow.commit()
