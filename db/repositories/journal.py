"""The fiscal journal: append one chained entry, read the chain back."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.journal import JournalRecord, canonical_json, chain_hash
from db import models as m
from db import sql
from db.driver import driver_for


class JournalRepository:
    def __init__(self, session: Session) -> None:
        self._s = session
        self.last: tuple[int, str] | None = None

    def append(
        self,
        kind: str,
        register_code: str,
        user_id: int | None,
        at: datetime,
        data: Mapping[str, Any],
    ) -> tuple[int, str]:
        driver = driver_for(self._s)
        # FOR UPDATE serialises tills on PostgreSQL; SQLite's BEGIN IMMEDIATE already has.
        lock = " FOR UPDATE" if driver.postgres else ""
        head_seq, head_hash = driver.execute(sql.JOURNAL_HEAD + lock, {}).fetchone()
        seq = head_seq + 1
        body = {
            "seq": seq,
            "kind": kind,
            "register": register_code,
            "user": user_id,
            "at": at.isoformat(),
            "data": dict(data),
        }
        digest = chain_hash(head_hash, body)
        driver.execute(
            sql.INSERT_ENTRY,
            {
                "seq": seq,
                "kind": kind,
                "body": canonical_json(body),
                "prev_hash": head_hash,
                "hash": digest,
            },
        )
        driver.execute(sql.MOVE_HEAD, {"seq": seq, "hash": digest})
        self.last = (seq, digest)
        return seq, digest

    def records(self) -> Iterator[JournalRecord]:
        result = self._s.execute(
            select(
                m.JournalEntry.seq,
                m.JournalEntry.body,
                m.JournalEntry.prev_hash,
                m.JournalEntry.hash,
            )
            .order_by(m.JournalEntry.seq)
            .execution_options(yield_per=1000)
        )
        for row in result:
            yield JournalRecord(row.seq, json.loads(row.body), row.prev_hash, row.hash)
