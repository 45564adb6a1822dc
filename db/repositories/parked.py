"""Parked carts: a snapshot per parked sale, taken back once (by one till only)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.money import Currency, Money
from app.dto.sales import ParkedSaleSummary
from db import models as m
from db import sql
from db.driver import driver_for


class ParkedRepository:
    def __init__(self, session: Session, currency: Currency) -> None:
        self._s = session
        self._currency = currency

    def add(
        self,
        register_code: str,
        user_id: int,
        label: str,
        at: datetime,
        snapshot: Mapping[str, Any],
        total_minor: int,
    ) -> int:
        parked = m.ParkedSale(
            register_code=register_code,
            user_id=user_id,
            label=label,
            parked_at=at,
            snapshot=json.dumps(snapshot),
            total_minor=total_minor,
        )
        self._s.add(parked)
        self._s.flush()
        return parked.id

    def summaries(self, register_code: str) -> list[ParkedSaleSummary]:
        rows = self._s.execute(
            select(m.ParkedSale, m.User.display_name)
            .join(m.User, m.User.id == m.ParkedSale.user_id)
            .where(m.ParkedSale.register_code == register_code)
            .order_by(m.ParkedSale.parked_at)
        )
        return [
            ParkedSaleSummary(
                p.id,
                p.label,
                p.parked_at,
                name,
                len(json.loads(p.snapshot)["lines"]),
                Money.from_minor(p.total_minor, self._currency),
            )
            for p, name in rows
        ]

    def take(self, parked_id: int) -> dict[str, Any] | None:
        # DELETE … RETURNING: of two tills recalling the same sale, the second one's DELETE
        # waits for the first to commit, then matches nothing: only one gets the cart.
        row = driver_for(self._s).execute(sql.TAKE_PARKED, {"id": parked_id}).fetchone()
        if row is None:
            return None
        snapshot: dict[str, Any] = json.loads(row[0])
        return snapshot
