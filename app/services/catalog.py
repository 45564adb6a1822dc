"""Catalog maintenance: create and update products, import product CSV files.

An import parses the whole file first, then writes every good product in ONE transaction:
a bad row drops its product (reported with the row number and reason), never half of it.
Importing the same file again changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from app.domain.barcode import validate_barcode
from app.domain.catalog import ProductDraft
from app.domain.users import Operator, Permission
from app.dto.catalog import TaxClassData, UpsertOutcome
from app.errors import ParseError, UserError
from app.formats.product_csv import ParsedCatalog, RowProblem, parse_products_csv
from app.ports.storage import UnitOfWork, UnitOfWorkFactory
from app.ports.system import Clock
from app.services.acting import acting


@dataclass(frozen=True, slots=True)
class ImportReport:
    format: str
    rows_read: int
    created: int
    updated: int
    unchanged: int
    stock_recounted: int = 0
    problems: tuple[RowProblem, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        text = (
            f"{self.format} file, {self.rows_read} rows: {self.created} products created, "
            f"{self.updated} updated, {self.unchanged} unchanged"
        )
        if self.stock_recounted:
            text += f", stock set for {self.stock_recounted}"
        if self.problems:
            text += f", {len(self.problems)} rows rejected"
        return text


PRICES_PER_ENTRY = 500
"""Price changes per "price.changed" journal entry: an import of 100 000 new prices makes
200 entries, not one of megabytes or 100 000 of a few bytes."""


def _authorised(uow: UnitOfWork, actor_id: int, permission: Permission) -> Operator:
    """The acting user, resolved from the database; managers and owners change the catalog."""
    return acting(uow, actor_id, permission, "Changing the catalog")


def _rate_text(rate: Decimal) -> str:
    return f"{rate.normalize():f}"  # 5.5000 as stored reads 5.5; 20 stays 20


def _money_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


class CatalogService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def save_tax_classes(self, classes: Sequence[TaxClassData], actor_id: int) -> None:
        """Create or change tax classes as the owner (a tax rate is a shop setting)."""
        with self._uow_factory() as uow:
            actor = _authorised(uow, actor_id, Permission.MANAGE_SETTINGS)
            self.save_tax_classes_in(uow, actor, classes)
            uow.commit()

    def save_tax_classes_in(
        self, uow: UnitOfWork, actor: Operator, classes: Sequence[TaxClassData]
    ) -> None:
        """The same inside ``uow`` (the set-up's one transaction); journaled."""
        before = {t.code: t for t in uow.catalog.tax_classes()}
        for tax_class in classes:
            if tax_class.rate < 0 or tax_class.rate >= 100:
                raise UserError(f"Tax rate {tax_class.rate} % is not between 0 and 100")
            old = before.get(tax_class.code)
            if old == tax_class:
                continue
            uow.catalog.save_tax_class(tax_class)
            uow.journal.append(
                "tax_class.saved",
                "",
                actor.user_id,
                self._clock.now(),
                {
                    "code": tax_class.code,
                    "name": tax_class.name,
                    "rate": _rate_text(tax_class.rate),
                    "previous_rate": None if old is None else _rate_text(old.rate),
                },
            )
        uow.changed("catalog")

    def save_products(self, drafts: Sequence[ProductDraft], actor_id: int) -> UpsertOutcome:
        """Create or update products in one transaction; any bad product aborts them all."""
        with self._uow_factory() as uow:
            operator = _authorised(uow, actor_id, Permission.MANAGE_CATALOG)
            problems = self._conflicts(uow, drafts)
            if problems:
                raise UserError("; ".join(problems.values()))
            outcome, _ = self._write(uow, drafts, operator)
            uow.changed("catalog")
            uow.changed("stock")
            uow.commit()
        return outcome

    def import_csv(
        self,
        text: str,
        actor_id: int,
        *,
        format: str = "auto",
        mapping: Mapping[str, str] | None = None,
    ) -> ImportReport:
        with self._uow_factory() as uow:  # refused before the file is read
            _authorised(uow, actor_id, Permission.MANAGE_CATALOG)
        parsed = parse_products_csv(text, format=format, mapping=mapping)
        with self._uow_factory() as uow:
            operator = _authorised(uow, actor_id, Permission.MANAGE_CATALOG)
            known = {t.code for t in uow.catalog.tax_classes()}
            problems = list(parsed.problems)
            good: list[ProductDraft] = []
            conflicts = self._conflicts(uow, parsed.products)
            for draft in parsed.products:
                reason = conflicts.get(draft.handle)
                if reason is None and draft.tax_class not in known:
                    reason = (
                        f"tax class {draft.tax_class!r} does not exist in this shop "
                        f"(known: {', '.join(sorted(known))})"
                    )
                if reason is None:
                    good.append(draft)
                else:
                    problems.extend(_rows_problem(parsed, draft.handle, reason))
            outcome, recounted = self._write(uow, good, operator)
            uow.changed("catalog")
            uow.changed("stock")
            uow.commit()
        return ImportReport(
            parsed.format,
            parsed.rows_read,
            outcome.created,
            outcome.updated,
            outcome.unchanged,
            recounted,
            tuple(sorted(problems, key=lambda p: p.row)),
        )

    def _conflicts(self, uow: UnitOfWork, drafts: Sequence[ProductDraft]) -> dict[str, str]:
        """SKUs or barcodes that another product already owns, by the offending handle."""
        problems: dict[str, str] = {}
        skus = [v.sku for d in drafts for v in d.variants]
        codes: list[str] = []
        for draft in drafts:
            for variant in draft.variants:
                for code in variant.barcodes:
                    try:
                        codes.append(validate_barcode(code))
                    except ParseError as error:
                        problems[draft.handle] = error.message
        sku_owner = uow.catalog.sku_owners(skus)
        code_owner = uow.catalog.barcode_owners(codes)
        for draft in drafts:
            for variant in draft.variants:
                owner = sku_owner.get(variant.sku)
                if owner is not None and owner != draft.handle:
                    problems[draft.handle] = f"SKU {variant.sku} already belongs to {owner}"
                for code in variant.barcodes:
                    owner = code_owner.get(code)
                    if owner is not None and owner != draft.handle:
                        problems[draft.handle] = f"barcode {code} already belongs to {owner}"
        return problems

    def _write(
        self, uow: UnitOfWork, drafts: Sequence[ProductDraft], operator: Operator
    ) -> tuple[UpsertOutcome, int]:
        """Upsert the products, then set stock levels by one "count" move where they differ.
        Returns the outcome and how many products had their stock recounted."""
        now = self._clock.now()
        before = uow.catalog.prices_by_sku([v.sku for d in drafts for v in d.variants])
        outcome, ids = uow.catalog.upsert_products(drafts, now)
        self._journal_prices(uow, drafts, before, operator)
        user_id = operator.user_id
        counted = {
            ids[variant.sku]: (variant.stock, draft.handle)
            for draft in drafts
            for variant in draft.variants
            if variant.stock is not None
        }
        changed = uow.stock.count(
            {vid: level for vid, (level, _) in counted.items()}, "import", now, user_id
        )
        recounted = {counted[vid][1] for vid in changed}
        return outcome, len(recounted)

    def _journal_prices(
        self,
        uow: UnitOfWork,
        drafts: Sequence[ProductDraft],
        before: Mapping[str, Decimal],
        operator: Operator,
    ) -> None:
        """One "price.changed" entry per PRICES_PER_ENTRY prices set or changed: SKU, the
        price before (None for a new variant) and after, by whom."""
        changes = [
            {"sku": v.sku, "from": _money_text(before.get(v.sku)), "to": str(v.price)}
            for d in drafts
            for v in d.variants
            if before.get(v.sku) != v.price
        ]
        now = self._clock.now()
        for start in range(0, len(changes), PRICES_PER_ENTRY):
            uow.journal.append(
                "price.changed",
                "",
                operator.user_id,
                now,
                {"by": operator.username, "prices": changes[start : start + PRICES_PER_ENTRY]},
            )

    def stock_level(self, variant_id: int) -> Decimal:
        with self._uow_factory() as uow:
            return uow.stock.level(variant_id)


def _rows_problem(parsed: ParsedCatalog, handle: str, reason: str) -> list[RowProblem]:
    rows = parsed.rows_of.get(handle, ())
    first = rows[0] if rows else 0
    return [RowProblem(first, f"product {handle}: {reason}")]
