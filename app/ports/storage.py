"""Storage: the unit of work and the repositories it holds, and the till's catalog reader.

The adapters live in ``db/``; ``main.py`` picks them. Services depend only on these shapes,
so unit tests hand them fakes (tests/fakes.py).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Literal, Protocol, Self

from app.domain.cart import CartItem
from app.domain.journal import JournalHead, JournalRecord
from app.domain.sale_audit import StoredSale
from app.domain.users import Attempt, Role
from app.dto.catalog import CatalogWrite, CodeOwner, StoredProduct, TaxClassData
from app.dto.sales import ParkedSaleSummary, SaleReceipt


class CatalogReader(Protocol):
    """The till's read path: fast lookups that never load the whole catalog."""

    def item_by_code(self, code: str) -> CartItem | None:
        """The active variant with this barcode (normalised) or SKU."""
        ...

    def search(self, terms: Sequence[str], limit: int) -> list[CartItem]:
        """Active variants whose name or SKU contains every term, best first. Terms come
        already folded (app.domain.text.search_terms), as the indexed text is."""
        ...


class CatalogRepository(Protocol):
    def items_for_sale(self, variant_ids: Sequence[int]) -> dict[int, CartItem]: ...

    def tax_classes(self) -> list[TaxClassData]: ...

    def save_tax_class(self, tax_class: TaxClassData) -> None: ...

    def products(self, handles: Sequence[str]) -> dict[str, StoredProduct]:
        """The stored state of each of these products that exists (in this transaction)."""
        ...

    def code_owners(self, codes: Sequence[str]) -> list[CodeOwner]:
        """Every variant holding one of these codes as a barcode or as its SKU."""
        ...

    def write(self, changes: CatalogWrite, at: datetime) -> dict[str, int]:
        """Write one batch of changes (app.services.catalog_changes works them out); returns
        the id of every written variant by SKU. Products and variants are upserted by
        handle and SKU, so a batch re-run after a crash converges."""
        ...


class CatalogSnapshots(Protocol):
    """Catalog reads for maintenance work (an import): outside any write transaction, so
    they never hold up a till; every list of keys may be as long as the catalog."""

    @property
    def single_writer(self) -> bool:
        """True when the database lets one writer in at a time (SQLite): long work then
        pauses between its transactions so that a till waiting to write gets its turn."""
        ...

    def digests(self, handles: Sequence[str]) -> dict[str, str | None]:
        """For each of these products that exists, its stored import digest (None if it has
        none): which products exist, and which an import may skip."""
        ...

    def products(self, handles: Sequence[str]) -> dict[str, StoredProduct]:
        """The stored state of each of these products that exists."""
        ...

    def code_owners(self, codes: Sequence[str]) -> list[CodeOwner]:
        """Every variant holding one of these codes as a barcode or as its SKU."""
        ...


class StockRepository(Protocol):
    def take(
        self,
        lines: Sequence[tuple[int, Decimal]],
        reason: str,
        reference: str,
        at: datetime,
        user_id: int | None,
        *,
        below_zero: bool = False,
    ) -> None:
        """Take (variant id, quantity) out of stock, one move per line.

        Raises StockShort if a stock-tracked variant would go below zero (two tills can
        never both take the last unit) unless ``below_zero``; the caller rolls back, then
        asks :meth:`shortage`.
        """
        ...

    def shortage(self, lines: Sequence[tuple[int, Decimal]]) -> tuple[str, Decimal, Decimal] | None:
        """(name, held, wanted) of the first item of ``lines`` the shop holds too little of,
        or None if none is short now."""
        ...

    def below_zero(self, variant_ids: Sequence[int]) -> list[tuple[str, Decimal]]:
        """(name, quantity) of the tracked items among these now held below zero."""
        ...

    def count(
        self,
        levels: Mapping[int, Decimal],
        reference: str,
        at: datetime,
        user_id: int | None,
        known: Mapping[int, Decimal] | None = None,
    ) -> set[int]:
        """Stock counted at ``levels``: one "count" move per variant whose balance differs,
        and the balance moved by the same amount (never overwritten); returns changed ids.
        ``known`` are balances the caller knows without reading (a new variant holds 0)."""
        ...

    def level(self, variant_id: int) -> Decimal: ...


class RegisterRepository(Protocol):
    def ensure(self, code: str, name: str) -> None: ...

    def next_receipt_no(self, code: str) -> int:
        """Take the next gapless receipt number inside the current transaction."""
        ...

    def sale_clock(self, code: str) -> tuple[datetime | None, datetime]:
        """When this register's last sale was made, and the database's clock now."""
        ...

    def approval_throttle(self, code: str) -> tuple[int, datetime | None]:
        """Wrong approval PINs in a row on this register, and until when approvals pause."""
        ...

    def set_approval_throttle(
        self, code: str, failures: int, paused_until: datetime | None
    ) -> None: ...


class SaleRepository(Protocol):
    def receipt(self, sale_id: str) -> SaleReceipt | None: ...

    def add(
        self,
        receipt: SaleReceipt,
        user_id: int,
        approved_by: int | None,
        variant_ids: Sequence[int],
        overridden: Sequence[bool],
    ) -> None:
        """Write the sale, its lines and payments. Raises DuplicateSale if the id exists."""
        ...


class JournalRepository(Protocol):
    def append(
        self,
        kind: str,
        register_code: str,
        user_id: int | None,
        at: datetime,
        data: Mapping[str, Any],
    ) -> tuple[int, str]:
        """Chain one entry onto the journal (keyed when the head says so); returns its
        (seq, hash). Raises JournalBroken when an entry already follows the head (a row
        inserted by hand) and JournalKeyMissing when the key is needed but not held."""
        ...

    def head(self) -> JournalHead | None:
        """The head row (None only in a database that is not Tillwright's)."""
        ...

    def entry_hash(self, seq: int) -> str | None: ...

    def enable_key(self, key_id: str) -> None:
        """Key every entry appended from now on (in this transaction too) with that key."""
        ...

    def snapshot(self) -> None:
        """Make every read of this unit of work see one moment (call it first)."""
        ...

    def records(self) -> Generator[JournalRecord]:
        """Every entry in order, streamed (close it when stopping early)."""
        ...

    def stored_sales(self) -> Generator[StoredSale]:
        """Every sale with its lines and payments, ordered by the journal entry it names,
        streamed (app.domain.sale_audit; close it when stopping early)."""
        ...

    def receipt_counters(self) -> dict[str, int]:
        """Each register's last receipt number issued."""
        ...


class UserRecord(Protocol):
    user_id: int
    username: str
    display_name: str
    role: Role
    pin_hash: str
    failed_attempts: int
    locked_until: datetime | None
    active: bool


class UserRepository(Protocol):
    def by_username(self, username: str) -> UserRecord | None: ...

    def by_id(self, user_id: int) -> UserRecord | None: ...

    def all(self) -> Sequence[UserRecord]:
        """Every user, active or not, by user name."""
        ...

    def add(self, username: str, display_name: str, role: Role, pin_hash: str) -> int: ...

    def set_failures(
        self, user_id: int, failed_attempts: int, locked_until: datetime | None
    ) -> None: ...

    def count_attempt(
        self, user_id: int, now: datetime, max_failures: int, lock_until: datetime
    ) -> Attempt:
        """Count one sign-in attempt atomically (one conditional UPDATE), BEFORE the PIN is
        checked, so guesses arriving together are each counted: LOCKED (nothing counted)
        while the user is locked or disabled; LAST when this attempt reached
        ``max_failures`` and locked the user until ``lock_until`` (the count starts again
        from 0); COUNTED otherwise."""
        ...

    def set_active(self, user_id: int, active: bool) -> None: ...

    def set_pin_hash(self, user_id: int, pin_hash: str) -> None: ...

    def approvers(self) -> Sequence[UserRecord]:
        """The active managers and owners: who may approve at a till."""
        ...


class SettingsRepository(Protocol):
    def all(self) -> dict[str, str]: ...

    def set(self, key: str, value: str) -> None: ...


class DraftRecord(Protocol):
    @property
    def snapshot(self) -> dict[str, Any]: ...
    @property
    def saved_by(self) -> str: ...
    @property
    def saved_at(self) -> datetime: ...


class ParkedRepository(Protocol):
    """Parked sales, and each register's draft of the sale in progress."""

    def add(
        self,
        register_code: str,
        user_id: int,
        label: str,
        at: datetime,
        snapshot: Mapping[str, Any],
        total_minor: int,
    ) -> int: ...

    def summaries(self, register_code: str) -> list[ParkedSaleSummary]: ...

    def take(self, parked_id: int) -> dict[str, Any] | None:
        """Remove a parked sale and return its snapshot, or None if already recalled."""
        ...

    def save_draft(
        self,
        register_code: str,
        user_id: int,
        at: datetime,
        snapshot: Mapping[str, Any],
        total_minor: int,
    ) -> None:
        """Write the register's draft, replacing the one before."""
        ...

    def draft(self, register_code: str) -> DraftRecord | None: ...

    def drop_draft(self, register_code: str) -> None: ...


class UnitOfWork(Protocol):
    """One write transaction: commits whole on ``commit()``, otherwise rolls back on exit."""

    # Read-only properties, so an adapter may hold its own concrete repository types.
    @property
    def catalog(self) -> CatalogRepository: ...
    @property
    def stock(self) -> StockRepository: ...
    @property
    def registers(self) -> RegisterRepository: ...
    @property
    def sales(self) -> SaleRepository: ...
    @property
    def journal(self) -> JournalRepository: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def settings(self) -> SettingsRepository: ...
    @property
    def parked(self) -> ParkedRepository: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def changed(self, topic: str, key: str | int | None = None) -> None:
        """Note a change to announce on the change feed once (and only if) this commits."""
        ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


DatabaseAccess = Literal["create", "write", "read"]
"""How a command opens the shop's database: ``create`` may make a new one (run, setup, demo,
db upgrade); ``write`` needs an existing shop and may change it; ``read`` needs an existing
shop, opens it read-only and never migrates it (journal verify)."""
