"""Users as the auth and user services read and update them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, literal, null, or_, select, update
from sqlalchemy.orm import Session

from app.domain.users import Attempt, Role
from db import models as m
from db.types import UTCDateTime


class UserRow:
    """A user as the services read it (satisfies app.ports.UserRecord)."""

    def __init__(self, user: m.User) -> None:
        self.user_id = user.id
        self.username = user.username
        self.display_name = user.display_name
        self.role = Role(user.role)
        self.pin_hash = user.pin_hash
        self.failed_attempts = user.failed_attempts
        self.locked_until = user.locked_until
        self.active = user.active

    def __repr__(self) -> str:  # the hash stays out of logs and tracebacks
        return f"UserRow({self.user_id}, {self.username!r}, {self.role.value})"


class UserRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def by_username(self, username: str) -> UserRow | None:
        user = self._s.scalar(select(m.User).where(m.User.username == username))
        return None if user is None else UserRow(user)

    def by_id(self, user_id: int) -> UserRow | None:
        user = self._s.get(m.User, user_id)
        return None if user is None else UserRow(user)

    def all(self) -> list[UserRow]:
        return [UserRow(u) for u in self._s.scalars(select(m.User).order_by(m.User.username))]

    def add(self, username: str, display_name: str, role: Role, pin_hash: str) -> int:
        user = m.User(
            username=username,
            display_name=display_name,
            role=role.value,
            pin_hash=pin_hash,
            failed_attempts=0,
            active=True,
        )
        self._s.add(user)
        self._s.flush()
        return user.id

    def set_failures(
        self, user_id: int, failed_attempts: int, locked_until: datetime | None
    ) -> None:
        self._s.execute(
            update(m.User)
            .where(m.User.id == user_id)
            .values(failed_attempts=failed_attempts, locked_until=locked_until)
            .execution_options(synchronize_session=False)
        )

    def count_attempt(
        self, user_id: int, now: datetime, max_failures: int, lock_until: datetime
    ) -> Attempt:
        # One statement: concurrent guesses queue on the row (SQLite's write lock, a row lock
        # on PostgreSQL, which re-checks the WHERE on the row as the previous guess left it).
        reaches_limit = m.User.failed_attempts + 1 >= max_failures
        counted = self._s.execute(
            update(m.User)
            .where(
                m.User.id == user_id,
                m.User.active.is_(True),
                or_(m.User.locked_until.is_(None), m.User.locked_until <= now),
            )
            .values(
                failed_attempts=case((reaches_limit, 0), else_=m.User.failed_attempts + 1),
                locked_until=case(
                    (reaches_limit, literal(lock_until, UTCDateTime())), else_=null()
                ),
            )
            .returning(m.User.locked_until)
            .execution_options(synchronize_session=False)
        ).first()
        if counted is None:
            return Attempt.LOCKED
        return Attempt.COUNTED if counted.locked_until is None else Attempt.LAST

    def set_active(self, user_id: int, active: bool) -> None:
        self._s.execute(
            update(m.User)
            .where(m.User.id == user_id)
            .values(active=active)
            .execution_options(synchronize_session=False)
        )

    def set_pin_hash(self, user_id: int, pin_hash: str) -> None:
        self._s.execute(
            update(m.User)
            .where(m.User.id == user_id)
            .values(pin_hash=pin_hash, failed_attempts=0, locked_until=None)
            .execution_options(synchronize_session=False)
        )

    def approvers(self) -> list[UserRow]:
        roles = [Role.MANAGER.value, Role.OWNER.value]
        users = self._s.scalars(
            select(m.User).where(m.User.active, m.User.role.in_(roles)).order_by(m.User.id)
        )
        return [UserRow(user) for user in users]
