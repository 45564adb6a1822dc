"""Storage: the unit of work and the repositories it holds, and the till's catalog reader.

The adapters live in ``db/``; ``main.py`` picks them. Services depend only on these shapes,
so unit tests hand them fakes (tests/fakes.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Protocol, Self

from app.domain.cart import CartItem
from app.domain.journal import JournalRecord
from app.domain.users import Role
from app.dto.catalog import CatalogWrite, CodeOwner, StoredProduct, TaxClassData
from app.dto.sales import ParkedSaleSummary, SaleReceipt
from app.errors import InsufficientStock


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
    ) -> None:
        """Take (variant id, quantity) out of stock, one move per line.

        Raises StockShort if a stock-tracked variant would go below zero (two tills can
        never both take the last unit); the caller rolls back, then asks :meth:`shortage`.
        """
        ...

    def shortage(self, lines: Sequence[tuple[int, Decimal]]) -> InsufficientStock:
        """The error naming the first item of ``lines`` the shop holds too little of."""
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
        """Chain one entry onto the journal; returns its (seq, hash)."""
        ...

    def records(self) -> Iterator[JournalRecord]: ...


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

    def add(self, username: str, display_name: str, role: Role, pin_hash: str) -> int: ...

    def set_failures(
        self, user_id: int, failed_attempts: int, locked_until: datetime | None
    ) -> None: ...


class SettingsRepository(Protocol):
    def all(self) -> dict[str, str]: ...

    def set(self, key: str, value: str) -> None: ...


class ParkedRepository(Protocol):
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
