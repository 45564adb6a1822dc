"""Users as the auth service reads and updates them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain.users import Role
from db import models as m


class UserRow:
    """A user as the auth service reads it (satisfies app.ports.UserRecord)."""

    def __init__(self, user: m.User) -> None:
        self.user_id = user.id
        self.username = user.username
        self.display_name = user.display_name
        self.role = Role(user.role)
        self.pin_hash = user.pin_hash
        self.failed_attempts = user.failed_attempts
        self.locked_until = user.locked_until
        self.active = user.active


class UserRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def by_username(self, username: str) -> UserRow | None:
        user = self._s.scalar(select(m.User).where(m.User.username == username))
        return None if user is None else UserRow(user)

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
        )

    def approvers(self) -> list[UserRow]:
        roles = [Role.MANAGER.value, Role.OWNER.value]
        users = self._s.scalars(
            select(m.User).where(m.User.active, m.User.role.in_(roles)).order_by(m.User.id)
        )
        return [UserRow(user) for user in users]
