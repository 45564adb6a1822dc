"""Shop settings: read once at start-up, written by the demo seeder and set-up screens."""

from __future__ import annotations

from decimal import Decimal

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
    return ShopSettings(
        name=merged["shop.name"],
        currency=Currency.of(merged["shop.currency"]),
        locale=merged["shop.locale"],
        timezone=merged["shop.timezone"],
        prices_include_tax=merged["shop.prices_include_tax"].lower() in {"1", "true", "yes"},
        cash_increment=increment,
        address=merged["shop.address"],
        tax_id=merged["shop.tax_id"],
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
