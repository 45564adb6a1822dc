"""Signing in with user name and PIN, lockout, and on-the-spot manager approval."""

from __future__ import annotations

from datetime import timedelta

from app.domain.users import (
    Operator,
    Permission,
    PinPolicy,
    Role,
    check_pin_format,
    hash_pin,
    is_locked,
    verify_pin,
)
from app.errors import AuthenticationFailed, PermissionDenied, UserError
from app.ports.storage import UnitOfWorkFactory
from app.ports.system import Clock

WRONG = "Unknown user or wrong PIN"


class AuthService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, policy: PinPolicy) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._policy = policy

    def add_user(self, username: str, display_name: str, role: Role, pin: str) -> int:
        username = username.strip().lower()
        if not username.isidentifier():
            raise UserError(
                "A user name is letters, digits and underscores, starting with a letter"
            )
        pin_hash = hash_pin(check_pin_format(pin), self._policy)
        with self._uow_factory() as uow:
            if uow.users.by_username(username) is not None:
                raise UserError(f"There is already a user called {username}")
            user_id = uow.users.add(username, display_name or username, role, pin_hash)
            uow.changed("users", user_id)
            uow.commit()
        return user_id

    def login(self, username: str, pin: str) -> Operator:
        """Check the PIN; after ``max_failures`` wrong tries the account locks for a while."""
        username = username.strip().lower()
        # Read, then verify outside any transaction: scrypt is slow on purpose and must not
        # hold the database's write lock while it runs.
        with self._uow_factory() as uow:
            user = uow.users.by_username(username)
        now = self._clock.now()
        if user is None or not user.active:
            raise AuthenticationFailed(WRONG)
        if is_locked(user.locked_until, now):
            assert user.locked_until is not None
            minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
            raise AuthenticationFailed(
                f"{username} is locked after too many wrong PINs; try again in {minutes} min "
                "or ask a manager"
            )
        ok = verify_pin(pin, user.pin_hash)
        with self._uow_factory() as uow:
            if ok:
                if user.failed_attempts or user.locked_until:
                    uow.users.set_failures(user.user_id, 0, None)
                    uow.commit()
                return Operator(user.user_id, user.username, user.display_name, user.role)
            failures = user.failed_attempts + 1
            locked_until = None
            if failures >= self._policy.max_failures:
                locked_until = now + self._policy.lockout
                failures = 0
                uow.journal.append(
                    "user.locked",
                    "",
                    user.user_id,
                    now,
                    {"username": username, "until": locked_until.isoformat()},
                )
            uow.users.set_failures(user.user_id, failures, locked_until)
            uow.changed("users", user.user_id)
            uow.commit()
        if locked_until is not None:
            raise AuthenticationFailed(
                f"Too many wrong PINs: {username} is locked for "
                f"{int(self._policy.lockout.total_seconds() // 60)} min"
            )
        raise AuthenticationFailed(WRONG)

    def approve(self, username: str, pin: str, permission: Permission) -> Operator:
        """A manager's PIN entered on the spot, for an action the cashier may not do."""
        approver = self.login(username, pin)
        if not approver.can(permission):
            raise PermissionDenied(f"{approver.display_name} may not approve {permission.value}")
        return approver

    def approve_by_pin(
        self,
        pin: str,
        permission: Permission,
        register_code: str,
        requested_by: int | None = None,
    ) -> Operator:
        """A manager's PIN alone, typed on the spot at a till: the one active, unlocked
        manager or owner whose PIN it is approves ``permission`` (journaled). PINs are unique
        among managers and owners; a wrong PIN names nobody, so wrong PINs are counted per
        register, and after ``max_failures`` in a row approvals there pause for the lockout
        time (journaled too)."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            failures, paused_until = uow.registers.approval_throttle(register_code)
            candidates = [u for u in uow.users.approvers() if not is_locked(u.locked_until, now)]
        if is_locked(paused_until, now):
            assert paused_until is not None
            raise AuthenticationFailed(_paused(paused_until - now))
        # Every candidate is tried, outside any transaction (scrypt is slow on purpose): the
        # time taken does not tell whose PIN it was, and a PIN held twice is noticed.
        matches = [user for user in candidates if verify_pin(pin, user.pin_hash)]
        with self._uow_factory() as uow:
            if not matches:
                failures += 1
                paused = None
                if failures >= self._policy.max_failures:
                    paused, failures = now + self._policy.lockout, 0
                    uow.journal.append(
                        "approval.paused",
                        register_code,
                        requested_by,
                        now,
                        {"until": paused.isoformat(), "wrong_pins": self._policy.max_failures},
                    )
                uow.registers.set_approval_throttle(register_code, failures, paused)
                uow.commit()
                raise AuthenticationFailed(
                    _paused(self._policy.lockout) if paused else WRONG_APPROVAL_PIN
                )
            if len(matches) > 1:
                raise AuthenticationFailed(
                    "That PIN belongs to more than one manager: the owner must give each "
                    "their own PIN"
                )
            user = matches[0]
            approver = Operator(user.user_id, user.username, user.display_name, user.role)
            if not approver.can(permission):
                raise PermissionDenied(
                    f"{approver.display_name} may not approve {permission.value}"
                )
            if failures:
                uow.registers.set_approval_throttle(register_code, 0, None)
            uow.journal.append(
                "approval.given",
                register_code,
                requested_by,
                now,
                {"permission": permission.value, "approver": approver.user_id},
            )
            uow.commit()
        return approver


WRONG_APPROVAL_PIN = "Wrong PIN: no manager or owner has it"


def _paused(left: timedelta) -> str:
    minutes = max(1, int(left.total_seconds() // 60) + (1 if left.total_seconds() % 60 else 0))
    return (
        f"Approvals on this till are paused after too many wrong PINs; try again in {minutes} min"
    )
