"""Staff: add, list, disable and unlock users, and set their PINs.

Every change is made by an acting user resolved from the database (app.services.acting): a
manager manages cashiers, only an owner manages managers and owners. Every change is
journaled with who made it and what it was, never the PIN or its hash. PINs a person chooses
must pass the strength rule (app.domain.users.check_pin_strength), and a manager's or owner's
PIN must differ from every other manager's and owner's: a manager's PIN alone approves an
action at the till.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.users import (
    Operator,
    Permission,
    Role,
    check_display_name,
    check_pin_format,
    check_pin_strength,
    check_username,
    hash_pin,
    is_locked,
    managing_permission,
    verify_pin,
)
from app.dto.users import UserSummary
from app.errors import NotFound, PermissionDenied, UserError
from app.ports.storage import UnitOfWork, UnitOfWorkFactory, UserRecord
from app.ports.system import Clock
from app.services.acting import acting
from app.services.auth import AuthService

PIN_TAKEN = (
    "That PIN is already another manager's or owner's: choose another "
    "(a manager's PIN alone approves at the till, so each must be different)"
)


class UserService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, auth: AuthService) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._auth = auth

    def staff(self, actor_id: int) -> list[UserSummary]:
        """Every user, for a manager or owner to look after."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            acting(uow, actor_id, Permission.MANAGE_CASHIERS, "Seeing the staff list")
            users = uow.users.all()
        return [
            UserSummary(
                u.user_id,
                u.username,
                u.display_name,
                u.role,
                u.active,
                u.locked_until if is_locked(u.locked_until, now) else None,
            )
            for u in users
        ]

    def add(
        self,
        actor_id: int,
        username: str,
        display_name: str,
        role: Role,
        pin: str,
        *,
        weak_pin_allowed: bool = False,
    ) -> int:
        username = check_username(username)
        display_name = check_display_name(display_name or username)
        pin, checked = self._check_new_pin(pin, role, None, weak_pin_allowed)
        pin_hash = hash_pin(pin, self._auth.policy)
        with self._uow_factory() as uow:
            actor = acting(uow, actor_id, managing_permission(role), f"Adding a {role.value}")
            user_id = self.add_in(uow, actor, username, display_name, role, pin_hash)
            self._refuse_late_clash(uow, pin, role, user_id, checked)
            uow.commit()
        return user_id

    def add_in(
        self,
        uow: UnitOfWork,
        actor: Operator | None,
        username: str,
        display_name: str,
        role: Role,
        pin_hash: str,
    ) -> int:
        """Add a user inside ``uow``. ``actor`` None only for the first owner of a new shop
        (app.services.setup), who is then journaled as having added themselves."""
        if uow.users.by_username(username) is not None:
            raise UserError(f"There is already a user called {username}")
        if actor is None and uow.users.all():
            raise PermissionDenied("Only a new shop's first owner is added without an owner")
        user_id = uow.users.add(username, display_name, role, pin_hash)
        self._journal(
            uow,
            "user.added",
            user_id if actor is None else actor.user_id,
            {"username": username, "name": display_name, "role": role.value},
        )
        uow.changed("users", user_id)
        return user_id

    def disable(self, actor_id: int, username: str) -> None:
        with self._uow_factory() as uow:
            target, actor = self._target(uow, actor_id, username, "Disabling")
            if target.user_id == actor.user_id:
                # Nobody locks themselves out, so the last owner always remains.
                raise UserError("You cannot disable yourself")
            if not target.active:
                raise UserError(f"{target.username} is already disabled")
            uow.users.set_active(target.user_id, False)
            self._journal(uow, "user.disabled", actor.user_id, {"username": target.username})
            uow.changed("users", target.user_id)
            uow.commit()

    def unlock(self, actor_id: int, username: str) -> None:
        """Lift a lockout after too many wrong PINs (and forget the failed attempts)."""
        with self._uow_factory() as uow:
            target, actor = self._target(uow, actor_id, username, "Unlocking")
            uow.users.set_failures(target.user_id, 0, None)
            self._journal(uow, "user.unlocked", actor.user_id, {"username": target.username})
            uow.changed("users", target.user_id)
            uow.commit()
        self._auth.forget_lock(target.user_id)

    def set_pin(
        self, actor_id: int, username: str, pin: str, *, weak_pin_allowed: bool = False
    ) -> None:
        """A new PIN for ``username`` (also lifts a lockout). Anyone may change their own."""
        with self._uow_factory() as uow:
            target, _ = self._target(uow, actor_id, username, "Setting a PIN", self_ok=True)
        pin, checked = self._check_new_pin(pin, target.role, target.user_id, weak_pin_allowed)
        pin_hash = hash_pin(pin, self._auth.policy)
        with self._uow_factory() as uow:
            # Checked again in the writing transaction: the actor may have lost the right.
            target, actor = self._target(uow, actor_id, username, "Setting a PIN", self_ok=True)
            uow.users.set_pin_hash(target.user_id, pin_hash)
            self._journal(uow, "user.pin_changed", actor.user_id, {"username": target.username})
            self._refuse_late_clash(uow, pin, target.role, target.user_id, checked)
            uow.changed("users", target.user_id)
            uow.commit()
        self._auth.forget_lock(target.user_id)

    # Helpers ---------------------------------------------------------------------------
    def _target(
        self, uow: UnitOfWork, actor_id: int, username: str, what: str, *, self_ok: bool = False
    ) -> tuple[UserRecord, Operator]:
        name = username.strip().lower()
        target = uow.users.by_username(name)
        if target is None:
            # Who may ask is checked before saying whether the user exists.
            acting(uow, actor_id, Permission.MANAGE_CASHIERS, what)
            raise NotFound(f"There is no user called {name}")
        if self_ok and target.user_id == actor_id:
            return target, acting(uow, actor_id, Permission.SELL, what)
        actor = acting(uow, actor_id, managing_permission(target.role), f"{what} a {target.role}")
        return target, actor

    def _check_new_pin(
        self, pin: str, role: Role, user_id: int | None, weak_pin_allowed: bool
    ) -> tuple[str, dict[int, str]]:
        """The PIN, checked; and the managers and owners it was checked against (id: hash)."""
        # Only the demo seeder allows a weak PIN: its PINs are the published demo ones.
        pin = check_pin_format(pin) if weak_pin_allowed else check_pin_strength(pin)
        if role is Role.CASHIER:
            return pin, {}
        with self._uow_factory() as uow:
            others = _approvers(uow, user_id)
        # Outside any transaction: one scrypt per manager and owner, slow on purpose.
        if any(verify_pin(pin, pin_hash) for pin_hash in others.values()):
            raise UserError(PIN_TAKEN)
        return pin, others

    def _refuse_late_clash(
        self, uow: UnitOfWork, pin: str, role: Role, user_id: int, checked: Mapping[int, str]
    ) -> None:
        """In the writing transaction, after its journal entry (which queues writers on the
        journal head): a manager or owner given the same PIN since the check, by another till
        at the same moment, is caught here, so PINs stay unique and the PIN alone approves."""
        if role is Role.CASHIER:
            return
        late = {i: h for i, h in _approvers(uow, user_id).items() if checked.get(i) != h}
        if any(verify_pin(pin, pin_hash) for pin_hash in late.values()):
            raise UserError(PIN_TAKEN)

    def _journal(self, uow: UnitOfWork, kind: str, actor_id: int, data: Mapping[str, Any]) -> None:
        uow.journal.append(kind, "", actor_id, self._clock.now(), data)


def _approvers(uow: UnitOfWork, user_id: int | None) -> dict[int, str]:
    """The active managers and owners other than ``user_id``, by id: their PIN hashes."""
    return {
        u.user_id: u.pin_hash
        for u in uow.users.all()
        if u.active and u.role is not Role.CASHIER and u.user_id != user_id
    }
