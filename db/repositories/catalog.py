"""Products, variants, barcodes and tax classes: the catalog's writes and the sale's re-read.

Catalog maintenance (an import, the catalog screens) reads and writes in batches on the
driver's cursor with the statements of :mod:`db.sql`: every IN list is cut into chunks of
``sql.IN_CHUNK`` keys, so a file of a million variants stays inside PostgreSQL's 65 535
parameters per statement. :class:`SqlCatalogSnapshots` runs the same reads outside any write
transaction (on the read engine), so an import that finds nothing to change never takes the
database's write lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.domain.cart import CartItem
from app.domain.money import Currency
from app.dto.catalog import CatalogWrite, CodeOwner, StoredProduct, StoredVariant, TaxClassData
from app.errors import UserError
from db import models as m
from db import sql
from db.driver import Driver, chunks, driver_for, in_clause, in_list, select_in


class CatalogReads:
    """The catalog reads an import needs, on one driver connection."""

    def __init__(self, driver: Driver) -> None:
        self._driver = driver

    def digests(self, handles: Sequence[str]) -> dict[str, str | None]:
        rows = select_in(self._driver, sql.DIGESTS_BY_HANDLE, "handles", handles)
        return {handle: digest for handle, digest in rows}

    def products(self, handles: Sequence[str]) -> dict[str, StoredProduct]:
        driver = self._driver
        heads = select_in(driver, sql.PRODUCTS_BY_HANDLE, "handles", handles)
        if not heads:
            return {}
        variants_of: dict[int, list[tuple[Any, ...]]] = {}
        for row in select_in(driver, sql.VARIANTS_OF_PRODUCTS, "ids", (h[0] for h in heads)):
            variants_of.setdefault(row[0], []).append(row)
        codes_of: dict[int, set[str]] = {}
        variant_ids = (v[1] for rows in variants_of.values() for v in rows)
        for variant_id, code in select_in(driver, sql.BARCODES_OF_VARIANTS, "ids", variant_ids):
            codes_of.setdefault(variant_id, set()).add(code)
        found: dict[str, StoredProduct] = {}
        for product_id, handle, name, category, tax, weighed, active, digest in heads:
            variants = tuple(
                StoredVariant(
                    id=variant_id,
                    sku=sku,
                    options=options,
                    display_name=display,
                    price_minor=price,
                    cost_minor=cost,
                    active=bool(v_active),
                    track_stock=bool(tracked),
                    barcodes=frozenset(codes_of.get(variant_id, ())),
                )
                for _, variant_id, sku, options, display, price, cost, v_active, tracked in (
                    variants_of.get(product_id, ())
                )
            )
            found[handle] = StoredProduct(
                id=product_id,
                handle=handle,
                name=name,
                category=category,
                tax_class=tax,
                sold_by_weight=bool(weighed),
                active=bool(active),
                import_digest=digest,
                variants=variants,
            )
        return found

    def code_owners(self, codes: Sequence[str]) -> list[CodeOwner]:
        rows = select_in(self._driver, sql.CODE_OWNERS, "codes", codes)
        return [CodeOwner(code, kind, handle, sku) for code, kind, handle, sku in rows]


class SqlCatalogSnapshots:
    """Implements app.ports.storage.CatalogSnapshots on the read engine (autocommit)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @property
    def single_writer(self) -> bool:
        return self._engine.dialect.name == "sqlite"

    def digests(self, handles: Sequence[str]) -> dict[str, str | None]:
        with self._engine.connect() as connection:
            return CatalogReads(Driver(connection)).digests(handles)

    def products(self, handles: Sequence[str]) -> dict[str, StoredProduct]:
        with self._engine.connect() as connection:
            return CatalogReads(Driver(connection)).products(handles)

    def code_owners(self, codes: Sequence[str]) -> list[CodeOwner]:
        with self._engine.connect() as connection:
            return CatalogReads(Driver(connection)).code_owners(codes)


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

    def products(self, handles: Sequence[str]) -> dict[str, StoredProduct]:
        return CatalogReads(driver_for(self._s)).products(handles)

    def code_owners(self, codes: Sequence[str]) -> list[CodeOwner]:
        return CatalogReads(driver_for(self._s)).code_owners(codes)

    def write(self, changes: CatalogWrite, at: datetime) -> dict[str, int]:
        driver = driver_for(self._s)
        moment = driver.time(at)
        taxes = dict(driver.execute(sql.TAX_CLASS_IDS, {}).fetchall())
        categories = self._category_ids(driver, {p.category for p in changes.products})
        product_ids = {p.handle: p.id for p in changes.products if p.id is not None}
        rows = []
        for p in changes.products:
            if p.tax_class not in taxes:
                raise UserError(f"Unknown tax class {p.tax_class!r}")
            rows.append(
                {
                    "handle": p.handle,
                    "name": p.name,
                    "category": categories.get(p.category),
                    "tax": taxes[p.tax_class],
                    "weighed": p.sold_by_weight,
                    "active": p.active,
                    "at": moment,
                    "digest": p.import_digest,
                }
            )
        driver.bulk(sql.UPSERT_PRODUCT, rows)
        fresh = [p.handle for p in changes.products if p.id is None]
        product_ids.update(select_in(driver, sql.PRODUCT_IDS, "handles", fresh))
        missing = {v.handle for v in changes.variants} - product_ids.keys()
        if missing:
            product_ids.update(select_in(driver, sql.PRODUCT_IDS, "handles", missing))
        driver.bulk(
            sql.UPSERT_VARIANT,
            (
                {
                    "product": product_ids[v.handle],
                    "sku": v.sku,
                    "options": v.options,
                    "display_name": v.display_name,
                    "search_text": v.search_text,
                    "price": v.price_minor,
                    "cost": v.cost_minor,
                    "active": v.active,
                    "tracked": v.track_stock,
                }
                for v in changes.variants
            ),
        )
        ids = {v.sku: v.id for v in changes.variants if v.id is not None}
        new_skus = [v.sku for v in changes.variants if v.id is None]
        ids.update(select_in(driver, sql.VARIANT_IDS, "codes", new_skus))
        driver.bulk(sql.NEW_BALANCE, ({"variant": ids[sku]} for sku in new_skus))
        for chunk in chunks(changes.deactivated):
            placeholders, params = in_clause(driver, chunk)
            driver.execute(
                sql.DEACTIVATE_VARIANTS.format(ids=placeholders), {**params, "off": False}
            )
        for codes in chunks(changes.released):
            placeholders, params = in_clause(driver, codes)
            driver.execute(sql.RELEASE_BARCODES.format(codes=placeholders), params)
        holders = {sku for _, sku in changes.barcodes} - ids.keys()
        if holders:
            ids.update(select_in(driver, sql.VARIANT_IDS, "codes", holders))
        driver.bulk(
            sql.PLACE_BARCODE,
            ({"code": code, "variant": ids[sku]} for code, sku in changes.barcodes),
        )
        driver.bulk(sql.SET_DIGEST, ({"handle": h, "digest": d} for h, d in changes.digests))
        return ids

    def _category_ids(self, driver: Driver, names: set[str]) -> dict[str, int]:
        names.discard("")
        if not names:
            return {}
        found = dict(select_in(driver, sql.CATEGORY_IDS, "names", names))
        new = names - found.keys()
        if new:
            driver.bulk(sql.INSERT_CATEGORY, ({"name": name} for name in sorted(new)))
            found.update(select_in(driver, sql.CATEGORY_IDS, "names", new))
        return found
