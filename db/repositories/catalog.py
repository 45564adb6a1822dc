"""Products, variants, barcodes and tax classes: the catalog's writes and the sale's re-read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.domain.cart import CartItem
from app.domain.catalog import ProductDraft, VariantDraft
from app.domain.money import Currency, Money
from app.domain.text import searchable
from app.dto.catalog import TaxClassData, UpsertOutcome
from app.errors import UserError
from db import models as m
from db import sql
from db.driver import driver_for, in_list


def options_text(options: Sequence[tuple[str, str]]) -> str:
    return " / ".join(f"{name}: {value}" for name, value in options)


def display_name(product_name: str, options: Sequence[tuple[str, str]]) -> str:
    values = " / ".join(value for _, value in options)
    return f"{product_name} ({values})" if values else product_name


class CatalogRepository:
    def __init__(self, session: Session, currency: Currency) -> None:
        self._s = session
        self._currency = currency

    def items_for_sale(self, variant_ids: Sequence[int]) -> dict[int, CartItem]:
        ids, params = in_list("v", set(variant_ids))
        rows = driver_for(self._s).execute(
            sql.ITEMS_FOR_SALE.format(ids=ids),
            params,
        )
        return {row[0]: sql.item_from_row(row, self._currency) for row in rows.fetchall()}

    def tax_classes(self) -> list[TaxClassData]:
        rows = self._s.scalars(select(m.TaxClass).order_by(m.TaxClass.rate.desc()))
        return [TaxClassData(t.code, t.name, t.rate) for t in rows]

    def save_tax_class(self, tax_class: TaxClassData) -> None:
        row = self._s.scalar(select(m.TaxClass).where(m.TaxClass.code == tax_class.code))
        if row is None:
            self._s.add(m.TaxClass(code=tax_class.code, name=tax_class.name, rate=tax_class.rate))
        else:
            row.name, row.rate = tax_class.name, tax_class.rate
        self._s.flush()

    def barcode_owners(self, codes: Sequence[str]) -> dict[str, str]:
        rows = self._s.execute(
            select(m.Barcode.code, m.Product.handle)
            .join(m.Variant, m.Variant.id == m.Barcode.variant_id)
            .join(m.Product, m.Product.id == m.Variant.product_id)
            .where(m.Barcode.code.in_(set(codes)))
        )
        return {row.code: row.handle for row in rows}

    def sku_owners(self, skus: Sequence[str]) -> dict[str, str]:
        rows = self._s.execute(
            select(m.Variant.sku, m.Product.handle)
            .join(m.Product, m.Product.id == m.Variant.product_id)
            .where(m.Variant.sku.in_(set(skus)))
        )
        return {row.sku: row.handle for row in rows}

    def prices_by_sku(self, skus: Sequence[str]) -> dict[str, Decimal]:
        prices: dict[str, Decimal] = {}
        wanted = list(set(skus))
        # Chunked: PostgreSQL takes at most 65 535 parameters in one statement.
        for start in range(0, len(wanted), 10_000):
            rows = self._s.execute(
                select(m.Variant.sku, m.Variant.price_minor).where(
                    m.Variant.sku.in_(wanted[start : start + 10_000])
                )
            )
            for row in rows:
                prices[row.sku] = Money.from_minor(row.price_minor, self._currency).amount
        return prices

    def _category_id(self, name: str) -> int | None:
        name = name.strip()
        if not name:
            return None
        found = self._s.scalar(select(m.Category.id).where(m.Category.name == name))
        if found is not None:
            return found
        category = m.Category(name=name)
        self._s.add(category)
        self._s.flush()
        return category.id

    def upsert_products(
        self, drafts: Sequence[ProductDraft], at: datetime
    ) -> tuple[UpsertOutcome, dict[str, int]]:
        """Create or update many products; new ones are written with one statement per table
        (an import of 100 000 products takes seconds, not minutes)."""
        existing = set(
            self._s.scalars(
                select(m.Product.handle).where(m.Product.handle.in_({d.handle for d in drafts}))
            )
        )
        fresh = [d for d in drafts if d.handle not in existing]
        ids = self._create(fresh, at) if fresh else {}
        created, updated, unchanged = len(fresh), 0, 0
        for draft in drafts:
            if draft.handle in existing:
                outcome, variant_ids = self._upsert_one(draft, at)
                ids.update(variant_ids)
                updated += outcome.updated
                unchanged += outcome.unchanged
        return UpsertOutcome(created, updated, unchanged), ids

    def _create(self, drafts: Sequence[ProductDraft], at: datetime) -> dict[str, int]:
        taxes = {
            row.code: row.id for row in self._s.execute(select(m.TaxClass.code, m.TaxClass.id))
        }
        categories = {name: self._category_id(name) for name in {d.category for d in drafts}}
        for draft in drafts:
            if draft.tax_class not in taxes:
                raise UserError(f"Unknown tax class {draft.tax_class!r}")
        product_ids = self._s.scalars(
            insert(m.Product).returning(m.Product.id, sort_by_parameter_order=True),
            [
                {
                    "handle": d.handle,
                    "name": d.name,
                    "category_id": categories[d.category],
                    "tax_class_id": taxes[d.tax_class],
                    "sold_by_weight": d.sold_by_weight,
                    "active": d.active,
                    "created_at": at,
                    "updated_at": at,
                }
                for d in drafts
            ],
        ).all()
        variants = [
            (pid, d, v) for pid, d in zip(product_ids, drafts, strict=True) for v in d.variants
        ]
        variant_ids = self._s.scalars(
            insert(m.Variant).returning(m.Variant.id, sort_by_parameter_order=True),
            [self._variant_row(pid, d.name, v) for pid, d, v in variants],
        ).all()
        ids = {v.sku: vid for (_, _, v), vid in zip(variants, variant_ids, strict=True)}
        codes = [{"code": c, "variant_id": ids[v.sku]} for _, _, v in variants for c in v.barcodes]
        if codes:
            self._s.execute(insert(m.Barcode), codes)
        # Every variant has a balance row from birth, so a sale's stock UPDATE always finds one.
        self._s.execute(
            insert(m.StockBalance),
            [{"variant_id": vid, "quantity": Decimal(0)} for vid in variant_ids],
        )
        return ids

    def _variant_row(self, product_id: int, product_name: str, vd: VariantDraft) -> dict[str, Any]:
        name = display_name(product_name, vd.options)
        return {
            "product_id": product_id,
            "sku": vd.sku,
            "options": options_text(vd.options),
            "display_name": name,
            "search_text": searchable(name, vd.sku),
            "price_minor": Money.of(vd.price, self._currency).minor,
            "cost_minor": None if vd.cost is None else Money.of(vd.cost, self._currency).minor,
            "active": vd.active,
            "track_stock": vd.stock is not None,
        }

    def _upsert_one(
        self, draft: ProductDraft, at: datetime
    ) -> tuple[UpsertOutcome, dict[str, int]]:
        """Create or update by handle. Variants are matched by SKU; a variant missing from the
        draft is deactivated, never deleted, because past sales point at it."""
        tax_id = self._s.scalar(select(m.TaxClass.id).where(m.TaxClass.code == draft.tax_class))
        if tax_id is None:
            raise UserError(f"Unknown tax class {draft.tax_class!r}")
        category_id = self._category_id(draft.category)
        product = self._s.scalar(select(m.Product).where(m.Product.handle == draft.handle))
        created = product is None
        changed = False
        if product is None:
            product = m.Product(handle=draft.handle, created_at=at, updated_at=at)
            self._s.add(product)
        wanted = {
            "name": draft.name,
            "category_id": category_id,
            "tax_class_id": tax_id,
            "sold_by_weight": draft.sold_by_weight,
            "active": draft.active,
        }
        for key, value in wanted.items():
            if getattr(product, key) != value:
                setattr(product, key, value)
                changed = True
        self._s.flush()
        existing = {
            v.sku: v
            for v in self._s.scalars(select(m.Variant).where(m.Variant.product_id == product.id))
        }
        ids: dict[str, int] = {}
        for vd in draft.variants:
            variant = existing.pop(vd.sku, None)
            is_new = variant is None
            if variant is None:
                variant = m.Variant(product_id=product.id, sku=vd.sku, track_stock=False)
                self._s.add(variant)
                changed = True
            changed |= self._apply_variant(variant, draft.name, vd)
            self._s.flush()
            if is_new:
                self._s.add(m.StockBalance(variant_id=variant.id, quantity=Decimal(0)))
            ids[vd.sku] = variant.id
            changed |= self._sync_barcodes(variant.id, vd.barcodes)
        for leftover in existing.values():
            if leftover.active:
                leftover.active = False
                changed = True
        if changed and not created:
            product.updated_at = at
        self._s.flush()
        if created:
            return UpsertOutcome(created=1), ids
        return (UpsertOutcome(updated=1) if changed else UpsertOutcome(unchanged=1)), ids

    def _apply_variant(self, variant: m.Variant, product_name: str, vd: VariantDraft) -> bool:
        wanted = self._variant_row(variant.product_id, product_name, vd)
        if vd.stock is None:
            del wanted["track_stock"]  # only a stock count switches tracking on
        changed = False
        for key, value in wanted.items():
            if getattr(variant, key, None) != value:
                setattr(variant, key, value)
                changed = True
        return changed

    def _sync_barcodes(self, variant_id: int, codes: Sequence[str]) -> bool:
        current = set(
            self._s.scalars(select(m.Barcode.code).where(m.Barcode.variant_id == variant_id))
        )
        wanted = set(codes)
        if current == wanted:
            return False
        for code in current - wanted:
            self._s.execute(delete(m.Barcode).where(m.Barcode.code == code))
        new = wanted - current
        if new:
            self._s.execute(
                insert(m.Barcode), [{"code": c, "variant_id": variant_id} for c in sorted(new)]
            )
        return True
