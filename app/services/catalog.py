"""Catalog maintenance: create and update products and tax classes, import product CSV files.

Every change is made as a user resolved from the database (app.services.acting) and journaled
with who made it: tax classes as "tax_class.saved", prices as "price.changed". Saving products
from a screen writes them in one transaction; any bad product aborts them all. An import
(app.services.product_import) checks the whole file first, then writes its good products in
short transactions; a bad row drops its product (reported with the row number and reason),
never half of it. Importing the same file again changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from app.domain.catalog import ProductDraft, refuse_controls_in
from app.domain.users import Operator, Permission
from app.dto.catalog import TaxClassData, UpsertOutcome
from app.errors import UserError
from app.ports.storage import CatalogSnapshots, UnitOfWork, UnitOfWorkFactory
from app.ports.system import Clock, Progress
from app.services import catalog_changes as changes
from app.services.acting import acting
from app.services.product_import import ImportReport, ProductImporter
from app.services.shop import settings_from

__all__ = ["CatalogService", "ImportReport"]


def authorised(uow: UnitOfWork, actor_id: int, permission: Permission) -> Operator:
    """The acting user, resolved from the database; managers and owners change the catalog."""
    return acting(uow, actor_id, permission, "Changing the catalog")


def _rate_text(rate: Decimal) -> str:
    return f"{rate.normalize():f}"  # 5.5000 as stored reads 5.5; 20 stays 20


class CatalogService:
    def __init__(
        self, uow_factory: UnitOfWorkFactory, clock: Clock, snapshots: CatalogSnapshots
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._importer = ProductImporter(uow_factory, snapshots, clock)

    def save_tax_classes(self, classes: Sequence[TaxClassData], actor_id: int) -> None:
        """Create or change tax classes as the owner (a tax rate is a shop setting)."""
        with self._uow_factory() as uow:
            actor = authorised(uow, actor_id, Permission.MANAGE_SETTINGS)
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
        """Create or update products in one transaction; any bad product aborts them all.
        A variant given a stock level has its stock counted at it; prices are journaled."""
        for draft in drafts:
            refuse_controls_in(draft)
        problems = changes.batch_conflicts(drafts)
        if problems:
            raise UserError("; ".join(problems.values()))
        now = self._clock.now()
        with self._uow_factory() as uow:
            operator = authorised(uow, actor_id, Permission.MANAGE_CATALOG)
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
            changes.journal_prices(uow, plan.prices, currency, operator, now)
            uow.stock.count(
                {ids[sku]: level for sku, level in levels.items()}, "catalog", now, actor_id
            )
            uow.changed("catalog")
            uow.changed("stock")
            uow.commit()
        return plan.outcome

    def import_csv(
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
        """Import a product file (its bytes, or its text) as ``actor_id``, a manager or the
        owner; see app.services.product_import. ``set_stock`` takes every variant's stock
        from the file (a counted adjustment), not only new variants'; ``source`` (the file's
        name) goes into the stock moves' reference."""
        return self._importer.run(
            data,
            actor_id,
            format=format,
            mapping=mapping,
            set_stock=set_stock,
            source=source,
            progress=progress,
        )

    def stock_level(self, variant_id: int) -> Decimal:
        with self._uow_factory() as uow:
            return uow.stock.level(variant_id)
