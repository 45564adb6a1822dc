"""Signing in with user name and PIN, lockout, and on-the-spot manager approval.

Every attempt is counted in the database BEFORE its PIN is checked, by one conditional
UPDATE: guesses arriving together (several tills, a script) are each counted, and once
``max_failures`` have been counted the rest are refused unchecked. An unknown or disabled user
costs the same scrypt as a real one (checked against a dummy hash), so timing does not tell
which user names exist.

The stored lock is a UTC time, which is what counts across runs and tills. Within a run the
lock is also timed with a monotonic clock, so setting the wall clock (forwards or back) does
not lift it early.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from app.domain.users import (
    Attempt,
    Operator,
    Permission,
    PinPolicy,
    dummy_pin_hash,
    is_locked,
    verify_pin,
    who_can_unlock,
)
from app.errors import AuthenticationFailed, PermissionDenied
from app.ports.storage import UnitOfWorkFactory, UserRecord
from app.ports.system import Clock
from app.services.acting import operator_of

WRONG = "Unknown user or wrong PIN"


def unlock_advice(user: UserRecord) -> str:
    """Who can lift a lock, and where: the lockout message points at unlocks that exist."""
    return (
        f"{who_can_unlock(user.role).capitalize()} can unlock it now: Staff (F2) at the till, "
        f"or `main.py users unlock {user.username}`"
    )


class AuthService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        policy: PinPolicy,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._policy = policy
        self._monotonic = monotonic
        self._dummy_hash = dummy_pin_hash(policy)
        # user id -> (the stored lock we saw, when it ends on the monotonic clock)
        self._locks: dict[int, tuple[datetime | None, float]] = {}
        self._guard = threading.Lock()

    @property
    def policy(self) -> PinPolicy:
        return self._policy

    def login(self, username: str, pin: str) -> Operator:
        """Check the PIN; after ``max_failures`` wrong tries the account locks for a while."""
        username = username.strip().lower()
        with self._uow_factory() as uow:
            user = uow.users.by_username(username)
        if user is None or not user.active:
            verify_pin(pin, self._dummy_hash)  # as long as a real check, then the same answer
            raise AuthenticationFailed(WRONG)
        now = self._clock.now()
        if self._still_locked(user, now):
            raise self._locked(user, now)
        lock_until = now + self._policy.lockout
        # Counted first, in its own short transaction: scrypt is slow on purpose and must not
        # run while the database's write lock is held.
        with self._uow_factory() as uow:
            attempt = uow.users.count_attempt(
                user.user_id, now, self._policy.max_failures, lock_until
            )
            uow.commit()
        if attempt is Attempt.LOCKED:
            with self._uow_factory() as uow:
                current = uow.users.by_id(user.user_id)
            if current is None or not current.active:
                raise AuthenticationFailed(WRONG)
            self._remember_lock(current.user_id, current.locked_until, now)
            raise self._locked(current, now)
        if attempt is Attempt.LAST:
            self._remember_lock(user.user_id, lock_until, now)
        if verify_pin(pin, user.pin_hash):
            with self._uow_factory() as uow:
                uow.users.set_failures(user.user_id, 0, None)
                uow.changed("users", user.user_id)
                uow.commit()
            self._forget_lock(user.user_id)
            return operator_of(user)
        if attempt is Attempt.LAST:
            with self._uow_factory() as uow:
                uow.journal.append(
                    "user.locked",
                    "",
                    user.user_id,
                    now,
                    {"username": username, "until": lock_until.isoformat()},
                )
                uow.changed("users", user.user_id)
                uow.commit()
            minutes = math.ceil(self._policy.lockout.total_seconds() / 60)
            raise AuthenticationFailed(
                f"Too many wrong PINs: {username} is locked for {minutes} min. "
                f"{unlock_advice(user)}."
            )
        raise AuthenticationFailed(WRONG)

    def forget_lock(self, user_id: int) -> None:
        """A lock lifted by a manager: stop timing it here too."""
        self._forget_lock(user_id)

    # The lock as this run has timed it ------------------------------------------------
    def _still_locked(self, user: UserRecord, now: datetime) -> bool:
        if is_locked(user.locked_until, now):
            self._remember_lock(user.user_id, user.locked_until, now)
            return True
        with self._guard:
            known = self._locks.get(user.user_id)
        # The same stored lock (not lifted or replaced since) still running on the monotonic
        # clock: the wall clock was moved forward.
        return known is not None and known[0] == user.locked_until and self._monotonic() < known[1]

    def _remember_lock(self, user_id: int, locked_until: datetime | None, now: datetime) -> None:
        if locked_until is None:
            return
        remaining = max(0.0, (locked_until - now).total_seconds())
        with self._guard:
            known = self._locks.get(user_id)
            if known is None or known[0] != locked_until:
                self._locks[user_id] = (locked_until, self._monotonic() + remaining)

    def _forget_lock(self, user_id: int) -> None:
        with self._guard:
            self._locks.pop(user_id, None)

    def _remaining_seconds(self, user: UserRecord, now: datetime) -> float:
        by_wall = 0.0 if user.locked_until is None else (user.locked_until - now).total_seconds()
        with self._guard:
            known = self._locks.get(user.user_id)
        by_run = 0.0 if known is None else known[1] - self._monotonic()
        return max(by_wall, by_run, 0.0)

    def _locked(self, user: UserRecord, now: datetime) -> AuthenticationFailed:
        minutes = max(1, math.ceil(self._remaining_seconds(user, now) / 60))
        return AuthenticationFailed(
            f"{user.username} is locked after too many wrong PINs; try again in {minutes} min. "
            f"{unlock_advice(user)}."
        )

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
