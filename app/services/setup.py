"""Setting up a new shop in an empty database, in ONE transaction.

The owner is created first and everything else is done as them, through the same services
(settings, tax classes, the first register), each journaled. A set-up either writes all of
it or nothing; a database that already holds a shop is refused.
"""

from __future__ import annotations

from app.domain.users import Permission, Role, check_pin_format, check_pin_strength, hash_pin
from app.dto.setup import ShopSetup
from app.errors import UserError
from app.ports.storage import UnitOfWorkFactory
from app.ports.system import Clock
from app.services.acting import acting
from app.services.auth import AuthService
from app.services.catalog import CatalogService
from app.services.shop import ShopService, ShopState
from app.services.users import UserService

ALREADY_A_SHOP = (
    "This database already holds a shop; setup only creates a new one "
    "(use `main.py users` to add staff, or another --db for a new shop)"
)


class SetupService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        auth: AuthService,
        shop: ShopService,
        users: UserService,
        catalog: CatalogService,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._auth = auth
        self._shop = shop
        self._users = users
        self._catalog = catalog

    def create(self, setup: ShopSetup, *, weak_pin_allowed: bool = False) -> int:
        """Create the shop; returns the owner's user id. ``weak_pin_allowed`` is for the demo
        seeder only, whose owner PIN is the published demo one."""
        if self._shop.state() is not ShopState.EMPTY:
            raise UserError(ALREADY_A_SHOP)
        pin = setup.owner.pin
        pin = check_pin_format(pin) if weak_pin_allowed else check_pin_strength(pin)
        pin_hash = hash_pin(pin, self._auth.policy)  # before the transaction: slow on purpose
        with self._uow_factory() as uow:
            # Checked again inside the transaction: two set-ups racing, only one shop.
            if self._shop.state_in(uow) is not ShopState.EMPTY:
                raise UserError(ALREADY_A_SHOP)
            owner_id = self._users.add_in(
                uow, None, setup.owner.username, setup.owner.name, Role.OWNER, pin_hash
            )
            owner = acting(uow, owner_id, Permission.MANAGE_SETTINGS, "Setting up the shop")
            self._shop.update_in(uow, owner, setup.settings())
            self._catalog.save_tax_classes_in(uow, owner, setup.tax_classes)
            uow.registers.ensure(setup.register, f"Till {setup.register}")
            uow.journal.append(
                "register.added",
                setup.register,
                owner_id,
                self._clock.now(),
                {"code": setup.register, "name": f"Till {setup.register}"},
            )
            uow.changed("registers", setup.register)
            uow.commit()
        return owner_id
