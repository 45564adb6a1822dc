"""Who is acting: the user a change is made by, resolved from the database every time.

Services that change settings, users or prices take the acting user's id, never an Operator
handed in: the role is read here, in the change's own transaction, so a user disabled or
demoted a moment ago can no longer act, and nobody can make up a manager.
"""

from __future__ import annotations

from app.domain.users import Operator, Permission
from app.errors import PermissionDenied
from app.ports.storage import UnitOfWork, UserRecord

NEEDS = {
    Permission.MANAGE_CASHIERS: "a manager or the owner",
    Permission.MANAGE_USERS: "the owner",
    Permission.MANAGE_SETTINGS: "the owner",
    Permission.MANAGE_CATALOG: "a manager or the owner",
}


def operator_of(user: UserRecord) -> Operator:
    return Operator(user.user_id, user.username, user.display_name, user.role)


def acting(uow: UnitOfWork, user_id: int, permission: Permission, what: str) -> Operator:
    """The active user ``user_id`` as an Operator, if they hold ``permission``."""
    user = uow.users.by_id(user_id)
    if user is None or not user.active:
        raise PermissionDenied(f"{what}: the acting user is unknown or disabled")
    operator = operator_of(user)
    if not operator.can(permission):
        who = NEEDS.get(permission, "a manager or the owner")
        raise PermissionDenied(f"{what} needs {who}; {operator.display_name} may not")
    return operator
