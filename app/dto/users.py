"""Users as the staff screens and the ``users`` command list them (never a PIN or its hash)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.users import Role


@dataclass(frozen=True, slots=True)
class UserSummary:
    user_id: int
    username: str
    display_name: str
    role: Role
    active: bool
    locked_until: datetime | None
    """Set while the account is locked after too many wrong PINs."""

    @property
    def locked(self) -> bool:
        return self.locked_until is not None
