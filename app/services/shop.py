"""Shop settings: read once at start-up; changed by the owner, journaled; the shop's state."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from app.domain.cart import MAX_QUANTITY, BelowZero
from app.domain.money import Currency, to_decimal
from app.domain.shop import check_cash_increment, check_register_code
from app.domain.users import Operator, Permission
from app.dto.shop import ShopSettings
from app.errors import UserError
from app.ports.storage import UnitOfWork, UnitOfWorkFactory
from app.ports.system import Clock
from app.services.acting import acting

DEFAULTS: dict[str, str] = {
    "shop.name": "My Shop",
    "shop.address": "",
    "shop.tax_id": "",
    "shop.currency": "EUR",
    "shop.locale": "en_IE",
    "shop.timezone": "Europe/Dublin",
    "shop.prices_include_tax": "true",
    "shop.cash_increment": "0.01",
    "shop.country": "IE",
    # The till (ui/till): whether to sell below zero stock ("allow", "manager", "refuse"),
    # the quantity above which a line asks to be confirmed, and how much more than the cash
    # due a customer may hand over (empty: the currency's largest banknote).
    "sales.below_zero": "manager",
    "sales.confirm_quantity_above": "99",
    "sales.cash_over_due_limit": "",
}


class ShopState(StrEnum):
    """What a database holds, decided in one place (:meth:`ShopService.state`)."""

    EMPTY = "empty"
    """Nothing yet: a new shop is set up here (``setup``, the first-run screen, the demo)."""
    READY = "ready"
    """A shop: settings, users and tax classes; tills open it."""


def settings_from(values: Mapping[str, str]) -> ShopSettings:
    merged = {**DEFAULTS, **values}
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
        cash_increment=check_cash_increment(merged["shop.cash_increment"]),
        address=merged["shop.address"],
        tax_id=merged["shop.tax_id"],
        country=merged["shop.country"],
        below_zero=below_zero,
        confirm_quantity_above=confirm_above,
        cash_over_due_limit=over_due,
    )


class ShopService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def settings(self) -> ShopSettings:
        with self._uow_factory() as uow:
            return settings_from(uow.settings.all())

    def state(self) -> ShopState:
        """Whether this database holds a shop. The one place that decides it: the till's
        start-up, ``setup`` and ``demo`` all ask here."""
        with self._uow_factory() as uow:
            return self.state_in(uow)

    def state_in(self, uow: UnitOfWork) -> ShopState:
        """The same, inside ``uow`` (the set-up checks it again in its own transaction)."""
        holds_a_shop = bool(uow.users.all() or uow.settings.all() or uow.catalog.tax_classes())
        # A check that the database was not deleted or replaced behind the journal's anchor
        # belongs here too, as a further state the till refuses to start on.
        return ShopState.READY if holds_a_shop else ShopState.EMPTY

    def update(self, actor_id: int, values: Mapping[str, str]) -> ShopSettings:
        """Change settings as ``actor_id`` (the owner); journaled as "settings.changed"."""
        with self._uow_factory() as uow:
            actor = acting(uow, actor_id, Permission.MANAGE_SETTINGS, "Changing shop settings")
            result = self.update_in(uow, actor, values)
            uow.commit()
        return result

    def update_in(
        self, uow: UnitOfWork, actor: Operator, values: Mapping[str, str]
    ) -> ShopSettings:
        """The same inside ``uow`` (the set-up's one transaction)."""
        unknown = set(values) - set(DEFAULTS)
        if unknown:
            raise UserError(f"Unknown setting {', '.join(sorted(unknown))}")
        before = uow.settings.all()
        result = settings_from({**before, **values})  # validate before writing anything
        changes = {
            key: {"from": before.get(key), "to": value}
            for key, value in values.items()
            if before.get(key) != value
        }
        for key in changes:
            uow.settings.set(key, values[key])
        if changes:
            uow.journal.append(
                "settings.changed", "", actor.user_id, self._clock.now(), {"changes": changes}
            )
            uow.changed("settings")
        return result

    def ensure_register(self, code: str, name: str) -> None:
        """Create the till's register (its receipt counter) if it does not exist yet."""
        code = check_register_code(code)
        with self._uow_factory() as uow:
            uow.registers.ensure(code, name)
            uow.changed("registers", code)
            uow.commit()
