"""What the UI needs from the composition root, and a signed-in session.

``main.Context`` satisfies :class:`TillBackend` structurally; the UI cannot import ``main``
(it sits above every layer), so it names only the services it uses. The services are named
for type checking only: this module is on the path to the first paint and must stay light.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from app.errors import EnvironmentProblem

if TYPE_CHECKING:
    from app.domain.users import Operator
    from app.dto.shop import ShopSettings
    from app.services.auth import AuthService
    from app.services.changes import ChangeFeed
    from app.services.sales import SaleService
    from app.services.setup import SetupService
    from app.services.shop import ShopService
    from app.services.users import UserService


class ShopServices(Protocol):
    """The services of one open shop that every way in (the till, the command line) uses;
    ``main.Context`` has them."""

    @property
    def register_code(self) -> str: ...

    @property
    def shop(self) -> ShopService: ...

    @property
    def auth(self) -> AuthService: ...

    @property
    def users(self) -> UserService: ...

    @property
    def setup(self) -> SetupService: ...


class TillBackend(ShopServices, Protocol):
    """The services a till window uses; ``main.Context`` is one."""

    @property
    def changes(self) -> ChangeFeed: ...

    def sales(self) -> SaleService: ...


class BackendHolder:
    """The backend, once the job that opens it has stored it.

    Written and read on the database worker only: the opening job is the runner's first and
    the runner has one worker, so a sign-in job queued while the shop is opening runs after
    it and finds the backend (or the reason there is none) here.
    """

    def __init__(self) -> None:
        self._backend: TillBackend | None = None
        self._failure: Exception | None = None

    def set(self, backend: TillBackend) -> None:
        self._backend = backend
        self._failure = None

    def fail(self, error: Exception) -> None:
        self._failure = error

    def get(self) -> TillBackend:
        if self._backend is not None:
            return self._backend
        if self._failure is not None:
            raise EnvironmentProblem("The shop could not be opened") from self._failure
        raise EnvironmentProblem("The shop is not open yet")


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
