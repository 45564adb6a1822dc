"""What the UI needs from the composition root, and a signed-in session.

``main.Context`` satisfies :class:`TillBackend` structurally; the UI cannot import ``main``
(it sits above every layer), so it names only the services it uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from app.domain.users import Operator
from app.services.auth import AuthService
from app.services.dto import ShopSettings
from app.services.sales import SaleService
from app.services.shop import ShopService


class TillBackend(Protocol):
    """The services a till window uses; ``main.Context`` is one."""

    @property
    def register_code(self) -> str: ...

    @property
    def shop(self) -> ShopService: ...

    @property
    def auth(self) -> AuthService: ...

    def sales(self) -> SaleService: ...


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in cashier with the shop's settings as they were at sign-in."""

    operator: Operator
    settings: ShopSettings
    sales: SaleService
    register_code: str


def open_session(backend: TillBackend, username: str, pin: str) -> Session:
    """Check the PIN and load the settings; runs on the worker thread (both touch the
    database, and scrypt is slow on purpose)."""
    operator = backend.auth.login(username, pin)
    sales = backend.sales()
    return Session(operator, sales.settings, sales, backend.register_code)
