"""Rows written through the ORM for db/sql.py's statements to read and change, and the
helpers the tests run statements with: each in its own committed transaction, through
db.driver.Driver, as the repositories run them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.domain.money import Currency
from db import models as m
from db.driver import Driver, driver_for
from db.engine import Engines, make_engines
from db.migrate import upgrade

EUR = Currency.of("EUR")
# A moment given in another zone, on the night the clocks change: stored as UTC.
AT = datetime(2026, 3, 29, 2, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
LATER = datetime(2026, 10, 25, 1, 5, 0, 654321, tzinfo=timezone(timedelta(hours=-5)))
SALE_ID = "6f1f0c2e-8a51-4f7e-9a55-3c8e1d2b7a90"
PIN_HASH = "scrypt$8$8$1$c2FsdA$ZGlnZXN0"

ModelT = TypeVar("ModelT", bound=m.Base)


@dataclass
class ShopRows:
    """Ids of the rows the ORM wrote: two products of a reduced-rate tax class, three
    variants (counted and tracked with a barcode; weighed; not tracked), a cashier and a
    register."""

    engine: Engine
    tax_class: int
    oil: int
    brie: int
    variant: int
    weighed: int
    untracked: int
    user: int
    register: int

    @property
    def postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"


def write_shop(url: str) -> tuple[ShopRows, Engines]:
    """Migrate ``url`` and write the rows; returns them and the engines to dispose of."""
    engines = make_engines(url)
    upgrade(engines.write)
    with Session(engines.write) as session:
        reduced = m.TaxClass(code="reduced", name="Reduced", rate=Decimal("5.5"))
        session.add(reduced)
        session.flush()
        products = {}
        for handle, name, weighed in (("oil", "Olive Oil", False), ("brie", "Brie", True)):
            product = m.Product(
                handle=handle,
                name=name,
                tax_class_id=reduced.id,
                sold_by_weight=weighed,
                active=True,
                created_at=AT,
                updated_at=AT,
            )
            session.add(product)
            session.flush()
            products[handle] = product.id
        variants = [
            m.Variant(
                product_id=products["oil"],
                sku="OIL-750",
                options="Size: 750 ml",
                display_name="Olive Oil (750 ml)",
                search_text="olive oil (750 ml) oil-750",
                price_minor=1299,
                cost_minor=700,
                active=True,
                track_stock=True,
            ),
            m.Variant(
                product_id=products["brie"],
                sku="BRIE",
                options="",
                display_name="Brie",
                search_text="brie brie",
                price_minor=2450,
                cost_minor=None,
                active=True,
                track_stock=True,
            ),
            m.Variant(
                product_id=products["oil"],
                sku="OIL-5L",
                options="Size: 5 l",
                display_name="Olive Oil (5 l)",
                search_text="olive oil (5 l) oil-5l",
                price_minor=5900,
                cost_minor=None,
                active=True,
                track_stock=False,
            ),
        ]
        session.add_all(variants)
        session.flush()
        session.add(m.Barcode(code="5012345678900", variant_id=variants[0].id))
        for variant, quantity in zip(variants, ("12", "3.250", "0"), strict=True):
            session.add(m.StockBalance(variant_id=variant.id, quantity=Decimal(quantity)))
        user = m.User(
            username="casey",
            display_name="Casey Cashier",
            role="cashier",
            pin_hash=PIN_HASH,
            failed_attempts=0,
            locked_until=None,
            active=True,
        )
        register = m.Register(code="T1", name="Front till", last_receipt_no=41)
        session.add_all([user, register])
        session.flush()
        rows = ShopRows(
            engines.write,
            reduced.id,
            products["oil"],
            products["brie"],
            variants[0].id,
            variants[1].id,
            variants[2].id,
            user.id,
            register.id,
        )
        session.commit()
    return rows, engines


@contextmanager
def driver(shop: ShopRows) -> Iterator[Driver]:
    """The Driver of one transaction, committed when the block ends."""
    with Session(shop.engine) as session:
        yield driver_for(session)
        session.commit()


def run(shop: ShopRows, statement: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """One statement through the Driver in its own committed transaction; the rows it gave."""
    with driver(shop) as d:
        cursor = d.execute(statement, params)
        return [tuple(row) for row in cursor.fetchall()] if cursor.description else []


def fetch(shop: ShopRows, model: type[ModelT]) -> list[ModelT]:
    """Every row of ``model``, read back through the ORM, by primary key."""
    keys = model.__mapper__.primary_key
    with Session(shop.engine) as session:
        return list(session.scalars(select(model).order_by(*keys)))


def one(shop: ShopRows, model: type[ModelT], key: Any) -> ModelT:
    with Session(shop.engine) as session:
        found = session.get(model, key)
        assert found is not None, f"no {model.__name__} {key!r}"
        return found
