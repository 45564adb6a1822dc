"""Verifying the fiscal journal: chain, numbering and the head kept outside the database."""

from __future__ import annotations

from app.domain.journal import VerifyResult, verify_chain
from app.ports.storage import UnitOfWorkFactory
from app.ports.system import JournalAnchor


class JournalService:
    def __init__(self, uow_factory: UnitOfWorkFactory, anchor: JournalAnchor | None) -> None:
        self._uow_factory = uow_factory
        self._anchor = anchor

    def verify(self) -> VerifyResult:
        anchor = self._anchor.read() if self._anchor is not None else None
        with self._uow_factory() as uow:
            return verify_chain(uow.journal.records(), anchor)
