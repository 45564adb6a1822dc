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
from app.errors import ParseError, PermissionDenied, UserError
from app.formats.product_csv import ParsedCatalog, RowProblem, parse_products_csv
from app.ports.storage import UnitOfWork, UnitOfWorkFactory
from app.ports.system import Clock


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


def _check(operator: Operator | None) -> None:
    # operator None is the command line, run by whoever administers the shop PC.
    if operator is not None and not operator.can(Permission.MANAGE_CATALOG):
        raise PermissionDenied("Changing the catalog needs a manager")


class CatalogService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def save_tax_classes(self, classes: Sequence[TaxClassData], operator: Operator | None) -> None:
        _check(operator)
        with self._uow_factory() as uow:
            for tax_class in classes:
                if tax_class.rate < 0 or tax_class.rate >= 100:
                    raise UserError(f"Tax rate {tax_class.rate} % is not between 0 and 100")
                uow.catalog.save_tax_class(tax_class)
            uow.changed("catalog")
            uow.commit()

    def save_products(
        self, drafts: Sequence[ProductDraft], operator: Operator | None
    ) -> UpsertOutcome:
        """Create or update products in one transaction; any bad product aborts them all."""
        _check(operator)
        with self._uow_factory() as uow:
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
        operator: Operator | None,
        *,
        format: str = "auto",
        mapping: Mapping[str, str] | None = None,
    ) -> ImportReport:
        _check(operator)
        parsed = parse_products_csv(text, format=format, mapping=mapping)
        with self._uow_factory() as uow:
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
        self, uow: UnitOfWork, drafts: Sequence[ProductDraft], operator: Operator | None
    ) -> tuple[UpsertOutcome, int]:
        """Upsert the products, then set stock levels by one "count" move where they differ.
        Returns the outcome and how many products had their stock recounted."""
        now = self._clock.now()
        outcome, ids = uow.catalog.upsert_products(drafts, now)
        user_id = operator.user_id if operator else None
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

    def stock_level(self, variant_id: int) -> Decimal:
        with self._uow_factory() as uow:
            return uow.stock.level(variant_id)


def _rows_problem(parsed: ParsedCatalog, handle: str, reason: str) -> list[RowProblem]:
    rows = parsed.rows_of.get(handle, ())
    first = rows[0] if rows else 0
    return [RowProblem(first, f"product {handle}: {reason}")]
