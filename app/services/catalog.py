"""Catalog maintenance: create and update products, import product CSV files.

Saving products from a screen writes them in one transaction; any bad product aborts them all.
An import (app.services.product_import) checks the whole file first, then writes its good
products in short transactions; a bad row drops its product (reported with the row number
and reason), never half of it. Importing the same file again changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from app.domain.catalog import ProductDraft, refuse_controls_in
from app.domain.users import Operator, Permission
from app.dto.catalog import TaxClassData, UpsertOutcome
from app.errors import PermissionDenied, UserError
from app.ports.storage import CatalogSnapshots, UnitOfWorkFactory
from app.ports.system import Clock, Progress
from app.services import catalog_changes as changes
from app.services.product_import import ImportReport, ProductImporter
from app.services.shop import settings_from

__all__ = ["CatalogService", "ImportReport"]


def _check(operator: Operator | None) -> None:
    # operator None is the command line, run by whoever administers the shop PC.
    if operator is not None and not operator.can(Permission.MANAGE_CATALOG):
        raise PermissionDenied("Changing the catalog needs a manager")


class CatalogService:
    def __init__(
        self, uow_factory: UnitOfWorkFactory, clock: Clock, snapshots: CatalogSnapshots
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._importer = ProductImporter(uow_factory, snapshots, clock)

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
        """Create or update products in one transaction; any bad product aborts them all.
        A variant given a stock level has its stock counted at it."""
        _check(operator)
        for draft in drafts:
            refuse_controls_in(draft)
        problems = changes.batch_conflicts(drafts)
        if problems:
            raise UserError("; ".join(problems.values()))
        now = self._clock.now()
        with self._uow_factory() as uow:
            currency = settings_from(uow.settings.all()).currency
            owners = uow.catalog.code_owners(changes.codes_of(drafts))
            problems = changes.conflicts(drafts, owners, {d.handle for d in drafts})
            if problems:
                raise UserError("; ".join(problems.values()))
            stored = uow.catalog.products([d.handle for d in drafts])
            levels = {v.sku: v.stock for d in drafts for v in d.variants if v.stock is not None}
            tracked = {
                v.sku: v.track_stock if v.track_stock is not None else True
                for d in drafts
                for v in d.variants
                if v.track_stock is not None or v.stock is not None
            }
            plan = changes.plan_changes(drafts, stored, currency, tracked)
            ids = {v.sku: v.id for p in stored.values() for v in p.variants}
            ids.update(uow.catalog.write(plan.changes, now))
            uow.stock.count(
                {ids[sku]: level for sku, level in levels.items()}, "catalog", now, None
            )
            uow.changed("catalog")
            uow.changed("stock")
            uow.commit()
        return plan.outcome

    def import_csv(
        self,
        data: bytes | str,
        operator: Operator | None,
        *,
        format: str = "auto",
        mapping: Mapping[str, str] | None = None,
        set_stock: bool = False,
        source: str = "",
        progress: Progress | None = None,
    ) -> ImportReport:
        """Import a product file (its bytes, or its text); see app.services.product_import.
        ``set_stock`` takes every variant's stock from the file (a counted adjustment), not
        only new variants'; ``source`` (the file's name) goes into the stock moves' reference."""
        _check(operator)
        return self._importer.run(
            data,
            operator.user_id if operator else None,
            format=format,
            mapping=mapping,
            set_stock=set_stock,
            source=source,
            progress=progress,
        )

    def stock_level(self, variant_id: int) -> Decimal:
        with self._uow_factory() as uow:
            return uow.stock.level(variant_id)
