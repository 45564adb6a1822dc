"""Importing a product file: checked whole, written in short transactions, with progress.

The file is read and checked first; nothing is written for a file that cannot be read. Then
the good products are written in batches, each its own short transaction (sized to take
under a tenth of a second), so a till selling meanwhile waits a moment at most:

- a product always lands whole, in one batch; products that hand a barcode to each other (a
  swap, a move) share a batch, so no batch sees a barcode on two variants;
- a crash leaves the batches committed so far; running the import again converges, because
  products and variants are upserted by handle and SKU, and the committed batches are
  recognised as unchanged;
- a product whose rows are the same as at its last import (the same digest of the cells the
  parser reads) is skipped before it is even checked, so an unchanged re-import reads the
  file and writes nothing;
- stock from the file is taken only for variants the import creates, or for every variant
  when asked (``set_stock``), as a counted adjustment: a "count" move referencing the
  import, never a silent overwrite of the balance. Sales since the last import stay counted.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

from app.domain.catalog import ProductDraft
from app.domain.money import Currency
from app.domain.users import Operator, Permission
from app.dto.catalog import CodeOwner
from app.errors import ParseError
from app.formats.products import RowProblem, read_products_file
from app.ports.storage import CatalogSnapshots, UnitOfWorkFactory
from app.ports.system import Clock, NoProgress, Progress
from app.services import catalog_changes as changes
from app.services.acting import acting
from app.services.shop import settings_from

TARGET_BATCH_S: Final = 0.08
"""How long one write transaction should hold the database; the batch size follows it. Some
take two or three times as long (the name-search index merging its segments, a busy
machine), and the limit is 0.2 s (main.py bench reports the longest)."""
FIRST_BATCH: Final = 200
MIN_BATCH: Final = 20
MAX_BATCH: Final = 20_000
PAUSE_SHARE: Final = 0.05
MIN_PAUSE_S: Final = 0.025
"""After each write transaction on SQLite the import waits PAUSE_SHARE of its length, at
least MIN_PAUSE_S. SQLite grants its write lock to whoever asks first, and a till waiting
for it retries on a backoff (1, 2, 5 … 25 ms apart at first): with 5 ms gaps a sale waited
up to 2.5 s behind an import of 50 000 variants, with 25 ms gaps at most 0.2 s in the same
test (main.py bench, figure h, reports it)."""


@dataclass(frozen=True, slots=True)
class ImportReport:
    format: str
    rows_read: int
    created: int
    updated: int
    unchanged: int
    stock_counted: int = 0
    """Variants whose stock the import counted (one "count" move each)."""
    problems: tuple[RowProblem, ...] = field(default_factory=tuple)
    warnings: tuple[RowProblem, ...] = field(default_factory=tuple)
    rejected_rows: int = 0
    """Rows not imported: rows with a problem, and good rows of the same products."""
    dropped_rows: int = 0
    """Of the rejected rows, the good ones dropped with a bad row of their product."""
    notes: tuple[str, ...] = field(default_factory=tuple)
    batches: int = 0
    """Write transactions the import ran (none when nothing changed)."""
    longest_batch_s: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        text = (
            f"{self.format} file, {self.rows_read} rows: {self.created} products created, "
            f"{self.updated} updated, {self.unchanged} unchanged"
        )
        if self.stock_counted:
            text += f"; stock counted for {self.stock_counted} variants"
        if self.rejected_rows:
            text += f"; {self.rejected_rows} rows rejected"
            if self.dropped_rows:
                text += (
                    f" ({self.rejected_rows - self.dropped_rows} with problems, "
                    f"{self.dropped_rows} dropped with them: a product imports whole or not at all)"
                )
        if self.warnings:
            text += f"; {len(self.warnings)} warnings"
        for note in self.notes:
            text += f"; {note}"
        return text


@dataclass(slots=True)
class _Totals:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    counted: int = 0
    batches: int = 0
    longest: float = 0.0


class ProductImporter:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        snapshots: CatalogSnapshots,
        clock: Clock,
        target_batch_s: float = TARGET_BATCH_S,
    ) -> None:
        self._uow_factory = uow_factory
        self._snapshots = snapshots
        self._clock = clock
        self._target = target_batch_s

    def run(
        self,
        data: bytes | str,
        actor_id: int,
        *,
        format: str = "auto",
        mapping: Mapping[str, str] | None = None,
        set_stock: bool = False,
        source: str = "",
        progress: Progress | None = None,
    ) -> ImportReport:
        progress = progress or NoProgress()
        with self._uow_factory() as uow:  # who imports is checked before the file is read
            actor = acting(uow, actor_id, Permission.MANAGE_CATALOG, "Importing products")
            settings = settings_from(uow.settings.all())
            known = {t.code for t in uow.catalog.tax_classes()}
        at = self._clock.now()
        currency = settings.currency

        progress.report(0, None, "reading the file")
        file = read_products_file(data, format=format, mapping=mapping)
        digests = file.digests(salt=currency.code)
        stored = self._snapshots.digests(file.handles)
        skip: set[str] = set()
        if not set_stock:
            skip = {h for h, d in digests.items() if stored.get(h) == d}
        progress.check()
        progress.report(0, None, f"checking {file.rows_read} rows")
        local_now = at.astimezone(ZoneInfo(settings.timezone)).replace(tzinfo=None)
        parsed = file.parse(now=local_now, skip=skip)
        rejected, owners = self._check(parsed.products, known, currency)
        good = [d for d in parsed.products if d.handle not in rejected]
        problems = list(parsed.problems)
        for handle, reason in rejected.items():
            problems.append(RowProblem(parsed.rows_of[handle][0], f"product {handle}: {reason}"))

        # Which products exist decides which batches need a snapshot read (a first import
        # needs none). A handle the parser cleaned (a stray apostrophe) is looked up again.
        renamed = {d.handle for d in good} - set(file.handles)
        existing = set(stored) | set(self._snapshots.digests(sorted(renamed)))
        reference = f"import {at:%Y-%m-%d %H:%M:%S}" + (f" {source}" if source else "")
        batch = _Batch(digests, existing, set_stock, reference[:64], actor, at, currency)
        totals = _Totals(unchanged=len(parsed.skipped))
        self._write(_units(good, owners), batch, progress, totals, parsed.rows_of)

        bad = set(parsed.bad_rows) | {parsed.rows_of[h][0] for h in rejected}
        dropped = set(parsed.dropped_rows)
        for handle in rejected:
            dropped.update(parsed.rows_of[handle][1:])
        dropped -= bad
        return ImportReport(
            format=parsed.format,
            rows_read=parsed.rows_read,
            created=totals.created,
            updated=totals.updated,
            unchanged=totals.unchanged,
            stock_counted=totals.counted,
            problems=tuple(sorted(problems, key=lambda p: p.row)),
            warnings=parsed.warnings,
            rejected_rows=len(bad | dropped),
            dropped_rows=len(dropped),
            notes=parsed.notes,
            batches=totals.batches,
            longest_batch_s=totals.longest,
        )

    def _check(
        self, drafts: Sequence[ProductDraft], known: set[str], currency: Currency
    ) -> tuple[dict[str, str], list[CodeOwner]]:
        """Why products cannot be written in this shop, by handle; and the stored holders of
        the codes of those that can."""
        rejected: dict[str, str] = {}
        for draft in drafts:
            reason = _shop_problem(draft, known, currency)
            if reason is not None:
                rejected[draft.handle] = reason
        kept = [d for d in drafts if d.handle not in rejected]
        owners = self._snapshots.code_owners(changes.codes_of(kept))
        # A product left out keeps its stored barcodes, which a product that was to take one
        # of them then clashes with: check again until nothing more is left out.
        while kept:
            found = changes.conflicts(kept, owners, {d.handle for d in kept})
            if not found:
                break
            rejected.update(found)
            kept = [d for d in kept if d.handle not in found]
        return rejected, owners

    def _write(
        self,
        units: Sequence[list[ProductDraft]],
        batch: _Batch,
        progress: Progress,
        totals: _Totals,
        rows_of: Mapping[str, tuple[int, ...]],
    ) -> None:
        """Write the units in batches of about the target length; progress in file rows."""
        total = sum(len(rows_of[d.handle]) for unit in units for d in unit)
        done = 0
        size = FIRST_BATCH
        costs: list[float] = []  # seconds per variant of the latest batches
        pending: list[ProductDraft] = []
        progress.report(0, total, "writing")
        variants = 0
        for index, unit in enumerate(units):
            pending.extend(unit)
            variants += sum(len(d.variants) for d in unit)
            if variants < size and index + 1 < len(units):
                continue
            progress.check()
            spent = self._batch(pending, batch, totals)
            done += sum(len(rows_of[d.handle]) for d in pending)
            pending = []
            if spent > 0:
                # Aim at the target length from the median cost of the latest batches (one
                # slow or fast batch says little), and never grow by more than half.
                costs = [*costs[-4:], spent / variants]
                wanted = self._target / sorted(costs)[len(costs) // 2]
                size = int(min(MAX_BATCH, max(MIN_BATCH, min(wanted, 1.5 * size), size / 2)))
            variants = 0
            progress.report(
                done,
                total,
                f"{totals.created} created, {totals.updated} updated, {totals.unchanged} unchanged",
            )

    def _batch(self, drafts: list[ProductDraft], batch: _Batch, totals: _Totals) -> float:
        """Write one batch in one transaction; returns how long it held the database."""
        known = [d.handle for d in drafts if d.handle in batch.existing]
        stored = self._snapshots.products(known) if known else {}
        tracked: dict[str, bool] = {}
        levels: dict[str, Decimal] = {}
        ids: dict[str, int] = {}
        for draft in drafts:
            old = stored.get(draft.handle)
            old_ids = {v.sku: v.id for v in old.variants} if old is not None else {}
            ids.update(old_ids)
            for v in draft.variants:
                take = v.stock is not None and (batch.set_stock or v.sku not in old_ids)
                track = v.track_stock if v.track_stock is not None else (True if take else None)
                if track is not None:
                    tracked[v.sku] = track
                if take and v.stock is not None:
                    levels[v.sku] = v.stock
        plan = changes.plan_changes(drafts, stored, batch.currency, tracked, batch.digests)
        totals.created += plan.outcome.created
        totals.updated += plan.outcome.updated
        totals.unchanged += plan.outcome.unchanged
        if not plan.changes and not levels:
            return 0.0
        start = time.perf_counter()
        with self._uow_factory() as uow:
            ids.update(uow.catalog.write(plan.changes, batch.at))
            changes.journal_prices(uow, plan.prices, batch.currency, batch.actor, batch.at)
            counted = uow.stock.count(
                {ids[sku]: level for sku, level in levels.items()},
                batch.reference,
                batch.at,
                batch.actor.user_id,
                known={ids[sku]: Decimal(0) for sku in plan.created_skus},
            )
            uow.changed("catalog")
            if counted:
                uow.changed("stock")
            uow.commit()
        spent = time.perf_counter() - start
        totals.counted += len(counted)
        totals.batches += 1
        totals.longest = max(totals.longest, spent)
        if self._snapshots.single_writer:
            time.sleep(max(MIN_PAUSE_S, spent * PAUSE_SHARE))
        return spent


@dataclass(frozen=True, slots=True)
class _Batch:
    """What every batch of one import shares."""

    digests: Mapping[str, str]
    existing: set[str]
    """Handles of the products the catalog held when the import began."""
    set_stock: bool
    reference: str
    actor: Operator
    """Who imports, resolved once from the database: the stock moves and prices name them."""
    at: datetime
    currency: Currency


def _shop_problem(draft: ProductDraft, known: set[str], currency: Currency) -> str | None:
    if draft.tax_class not in known:
        return (
            f"tax class {draft.tax_class!r} does not exist in this shop "
            f"(known: {', '.join(sorted(known))})"
        )
    try:
        for v in draft.variants:
            changes.minor_units(v.price, currency, f"price of {v.sku}")
            if v.cost is not None:
                changes.minor_units(v.cost, currency, f"cost of {v.sku}")
    except ParseError as error:
        return error.message
    return None


def _units(drafts: Sequence[ProductDraft], owners: Sequence[CodeOwner]) -> list[list[ProductDraft]]:
    """The drafts in file order, grouped so that products handing a barcode to each other
    (a swap, a move) are written in the same batch."""
    handles = {d.handle for d in drafts}
    moved = [o for o in owners if o.kind == "barcode" and o.handle in handles]
    if not moved:
        return [[d] for d in drafts]
    wanted_by = {code: d.handle for d in drafts for v in d.variants for code in v.barcodes}
    parent = {handle: handle for handle in handles}

    def root(handle: str) -> str:
        while parent[handle] != handle:
            parent[handle] = parent[parent[handle]]
            handle = parent[handle]
        return handle

    for owner in moved:
        taker = wanted_by.get(owner.code)
        if taker is not None and owner.handle != taker:
            parent[root(owner.handle)] = root(taker)
    units: dict[str, list[ProductDraft]] = {}
    for draft in drafts:
        units.setdefault(root(draft.handle), []).append(draft)
    return list(units.values())
