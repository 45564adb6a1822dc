"""Stock balances and their moves: a sale takes stock with one conditional UPDATE per variant."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.errors import StockShort
from db import models as m
from db import sql
from db.driver import driver_for, read_quantity, select_in

_VARIANT = m.table(m.Variant)
# Hot-path statements are built once on the tables, with bound parameters, and run on the
# Session's connection: rebuilding ORM statements per sale line cost more than SQLite took to
# run them (main.py bench).
_BALANCE = m.table(m.StockBalance)
_LEVELS = (
    select(_BALANCE.c.variant_id, _BALANCE.c.quantity, _VARIANT.c.display_name)
    .join(_VARIANT, _VARIANT.c.id == _BALANCE.c.variant_id)
    .where(_VARIANT.c.track_stock)
    .where(_BALANCE.c.variant_id.in_(bindparam("variants", expanding=True)))
)
# One conditional UPDATE per variant: under concurrency the second till re-checks the row it
# waited for, sees the first till's decrement, and matches nothing.


class StockRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

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
        driver = driver_for(self._s)
        quantities = [(variant, driver.quantity(quantity)) for variant, quantity in lines]
        # One UPDATE per variant, in variant order: two tills selling the same items in a
        # different order then lock the rows in the same order and cannot deadlock.
        merged: dict[int, Decimal] = {}
        for variant, quantity in lines:
            merged[variant] = merged.get(variant, Decimal(0)) + quantity
        taken = driver.executemany(
            sql.TAKE_STOCK,
            [
                {
                    "variant": variant,
                    "quantity": driver.quantity(merged[variant]),
                    "below_zero": below_zero,
                }
                for variant in sorted(merged)
            ],
        )
        if taken != len(merged):
            # A tracked item is short: this sale cannot commit. The unit of work rolls back;
            # the service then asks shortage() which item it was.
            raise StockShort(tuple(lines))
        moment = driver.time(at)
        driver.executemany(
            sql.INSERT_MOVE,
            [
                {
                    "variant": v,
                    "delta": -q if q is not None else None,
                    "reason": reason,
                    "reference": reference,
                    "at": moment,
                    "user": user_id,
                }
                for v, q in quantities
            ],
        )

    def shortage(self, lines: Sequence[tuple[int, Decimal]]) -> tuple[str, Decimal, Decimal] | None:
        wanted: dict[int, Decimal] = {}
        for variant_id, quantity in lines:
            wanted[variant_id] = wanted.get(variant_id, Decimal(0)) + quantity
        held = {
            variant_id: (name, quantity)
            for variant_id, quantity, name in self._s.execute(
                _LEVELS, {"variants": list(wanted)}
            ).all()
        }
        for variant_id, quantity in wanted.items():  # in the sale's order
            if variant_id in held and held[variant_id][1] < quantity:
                name, left = held[variant_id]
                return name, left, quantity
        return None

    def below_zero(self, variant_ids: Sequence[int]) -> list[tuple[str, Decimal]]:
        """The tracked items of these that the shop now holds less than nothing of."""
        rows = self._s.execute(_LEVELS, {"variants": list(dict.fromkeys(variant_ids))}).all()
        return [(name, quantity) for _variant, quantity, name in rows if quantity < 0]

    def count(
        self,
        levels: Mapping[int, Decimal],
        reference: str,
        at: datetime,
        user_id: int | None,
        known: Mapping[int, Decimal] | None = None,
    ) -> set[int]:
        """Stock counted at ``levels``: one "count" move per variant whose balance differs,
        and the balance moved by the same amount, never overwritten. Batched: the IN lists
        and executemany calls stay bounded however many variants an import counts."""
        if not levels:
            return set()
        driver = driver_for(self._s)
        current = dict(known or {})
        unknown = [vid for vid in levels if vid not in current]
        current.update(
            (variant_id, read_quantity(stored))
            for variant_id, stored in select_in(driver, sql.BALANCES, "ids", unknown)
        )
        deltas = {vid: level - current.get(vid, Decimal(0)) for vid, level in levels.items()}
        deltas = {vid: delta for vid, delta in deltas.items() if delta != 0}
        moment = driver.time(at)
        driver.bulk(
            sql.MOVE_BALANCE,
            ({"variant": vid, "delta": driver.quantity(delta)} for vid, delta in deltas.items()),
        )
        driver.bulk(
            sql.INSERT_MOVES,
            (
                {
                    "variant": vid,
                    "delta": driver.quantity(delta),
                    "reason": "count",
                    "reference": reference,
                    "at": moment,
                    "user": user_id,
                }
                for vid, delta in deltas.items()
            ),
        )
        return set(deltas)

    def level(self, variant_id: int) -> Decimal:
        found = self._s.scalar(
            select(m.StockBalance.quantity).where(m.StockBalance.variant_id == variant_id)
        )
        return found if found is not None else Decimal(0)
