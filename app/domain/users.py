"""Users, roles and permissions, PIN hashing and lockout rules.

PINs are hashed with scrypt (memory-hard, in the standard library) and a per-user salt; the
cost is stored in the hash string so it can be raised later without a migration. A 4–6 digit
PIN can be guessed by trying them all, so repeated failures lock the account for a while.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from app.errors import UserError


class Role(StrEnum):
    CASHIER = "cashier"
    MANAGER = "manager"
    OWNER = "owner"


class Attempt(StrEnum):
    """How a sign-in attempt was counted, before its PIN is checked."""

    LOCKED = "locked"
    """Refused unchecked: the user is locked (or disabled)."""
    COUNTED = "counted"
    LAST = "last"
    """The last attempt allowed: it locked the user, to be lifted if its PIN is right."""


class Permission(StrEnum):
    SELL = "sell"
    PARK_SALE = "park_sale"
    OVERRIDE_PRICE = "override_price"
    GIVE_DISCOUNT = "give_discount"
    SELL_BELOW_ZERO = "sell_below_zero"
    MANAGE_CATALOG = "manage_catalog"
    MANAGE_CASHIERS = "manage_cashiers"
    """Add, disable, unlock cashiers and reset their PINs."""
    MANAGE_USERS = "manage_users"
    """The same for managers and owners too."""
    MANAGE_SETTINGS = "manage_settings"
    """Shop settings and tax classes."""
    VIEW_JOURNAL = "view_journal"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CASHIER: frozenset({Permission.SELL, Permission.PARK_SALE}),
    Role.MANAGER: frozenset(
        {
            Permission.SELL,
            Permission.PARK_SALE,
            Permission.OVERRIDE_PRICE,
            Permission.GIVE_DISCOUNT,
            Permission.SELL_BELOW_ZERO,
            Permission.MANAGE_CATALOG,
            Permission.MANAGE_CASHIERS,
            Permission.VIEW_JOURNAL,
        }
    ),
    Role.OWNER: frozenset(Permission),
}


@dataclass(frozen=True, slots=True)
class Operator:
    """The signed-in person, as services see them."""

    user_id: int
    username: str
    display_name: str
    role: Role

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def may_manage(self, role: Role) -> bool:
        """A manager manages cashiers; only an owner manages managers and owners."""
        return self.can(managing_permission(role))


def managing_permission(role: Role) -> Permission:
    """What it takes to add, disable, unlock or re-PIN a user of ``role``."""
    return Permission.MANAGE_CASHIERS if role is Role.CASHIER else Permission.MANAGE_USERS


def who_can_unlock(role: Role) -> str:
    """Who to ask, in words, when a user of ``role`` is locked out."""
    return "a manager or the owner" if role is Role.CASHIER else "the owner"


@dataclass(frozen=True, slots=True)
class PinPolicy:
    """How PINs are hashed and how many wrong tries lock an account, for how long."""

    scrypt_log2_n: int = 15
    scrypt_r: int = 8
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=5)


def check_pin_format(pin: str) -> str:
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise UserError("A PIN is 4 to 8 digits")
    return pin


def check_pin_strength(pin: str) -> str:
    """The rules for a PIN a person chooses: 4 to 8 digits, not one digit repeated (1111)
    and not a simple run up or down (1234, 4321, 7890): those are tried first."""
    check_pin_format(pin)
    if len(set(pin)) == 1:
        raise UserError("A PIN of one digit repeated (like 1111) is too easy to guess")
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    if steps in ({1}, {9}):
        raise UserError("A PIN that counts up or down (like 1234 or 4321) is too easy to guess")
    return pin


def hash_pin(pin: str, policy: PinPolicy) -> str:
    """Salted scrypt hash, stored as ``scrypt$ln$r$p$salt$digest`` (base64)."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(pin, salt, policy.scrypt_log2_n, policy.scrypt_r, 1)
    return "$".join(
        ["scrypt", str(policy.scrypt_log2_n), str(policy.scrypt_r), "1", _b64(salt), _b64(digest)]
    )


def dummy_pin_hash(policy: PinPolicy) -> str:
    """A well-formed hash at the policy's cost that no PIN matches: checking a PIN for an
    unknown or disabled user against it takes as long as for a real one."""
    zero_salt, zero_digest = _b64(bytes(16)), _b64(bytes(32))
    return "$".join(
        ["scrypt", str(policy.scrypt_log2_n), str(policy.scrypt_r), "1", zero_salt, zero_digest]
    )


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, ln, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    try:
        computed = _scrypt(pin, base64.b64decode(salt), int(ln), int(r), int(p))
        return hmac.compare_digest(computed, base64.b64decode(digest))
    except (ValueError, OverflowError, TypeError):  # bad cost, base64 or digest
        return False


def _scrypt(pin: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    n = 1 << log2_n
    return hashlib.scrypt(
        pin.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r + (1 << 20), dklen=32
    )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until


def check_username(username: str) -> str:
    """Lower-case letters, digits and underscores, starting with a letter, at most 40."""
    username = username.strip().lower()
    if not (username.isidentifier() and username.isascii() and len(username) <= 40):
        raise UserError(
            "A user name is up to 40 letters, digits and underscores, starting with a letter"
        )
    return username


def check_display_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise UserError("A full name is needed (it shows on the till and on receipts)")
    if len(name) > 80:
        raise UserError("A full name is at most 80 characters")
    return name
