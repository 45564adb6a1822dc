"""Parked carts: a snapshot per parked sale, taken back once (by one till only); and each
register's draft of the sale in progress, rewritten as it changes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, insert, select, update
from sqlalchemy.orm import Session

from app.domain.money import Currency, Money
from app.dto.sales import ParkedSaleSummary
from db import models as m
from db import sql
from db.driver import driver_for

_DRAFT = m.table(m.SaleDraft)
# Built once: the draft is rewritten every few hundred milliseconds while a till sells.
_UPDATE_DRAFT = (
    update(_DRAFT)
    .where(_DRAFT.c.register_code == bindparam("code"))
    .values(
        user_id=bindparam("user_id"),
        saved_at=bindparam("saved_at"),
        snapshot=bindparam("snapshot"),
        total_minor=bindparam("total_minor"),
    )
)
_INSERT_DRAFT = insert(_DRAFT).values(
    register_code=bindparam("code"),
    user_id=bindparam("user_id"),
    saved_at=bindparam("saved_at"),
    snapshot=bindparam("snapshot"),
    total_minor=bindparam("total_minor"),
)


@dataclass(frozen=True, slots=True)
class DraftRow:
    """A register's draft as the sale service reads it (app.ports.storage.DraftRecord)."""

    snapshot: dict[str, Any]
    saved_by: str
    saved_at: datetime


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

    def save_draft(
        self,
        register_code: str,
        user_id: int,
        at: datetime,
        snapshot: Mapping[str, Any],
        total_minor: int,
    ) -> None:
        values = {
            "code": register_code,
            "user_id": user_id,
            "saved_at": at,
            "snapshot": json.dumps(snapshot),
            "total_minor": total_minor,
        }
        # One till per register writes its draft, so update-else-insert cannot race.
        updated = cast(CursorResult[Any], self._s.execute(_UPDATE_DRAFT, values))
        if updated.rowcount == 0:
            self._s.execute(_INSERT_DRAFT, values)

    def draft(self, register_code: str) -> DraftRow | None:
        row = self._s.execute(
            select(_DRAFT.c.snapshot, _DRAFT.c.saved_at, m.User.display_name)
            .join(m.User, m.User.id == _DRAFT.c.user_id)
            .where(_DRAFT.c.register_code == register_code)
        ).first()
        if row is None:
            return None
        return DraftRow(json.loads(row.snapshot), row.display_name, row.saved_at)

    def drop_draft(self, register_code: str) -> None:
        # In every sale's transaction: the hand-written statement, as the sale's own are.
        driver_for(self._s).execute(sql.DROP_DRAFT, {"code": register_code})
