"""The fiscal journal's guards: verification, the head kept outside the database, the start-up
check that refuses a replaced or truncated database, and the optional journal key."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.domain.journal import Anchor, JournalHead, VerifyResult, journal_key_id, verify_chain
from app.domain.sale_audit import SaleAudit
from app.domain.users import Operator, Permission
from app.errors import JournalBroken, UserError
from app.ports.storage import UnitOfWorkFactory
from app.ports.system import AnchorStore, Clock, SecretStore
from app.services.acting import acting

log = logging.getLogger(__name__)

KEY_BYTES = 32
REANCHOR_INTERVAL_S = 30.0


def key_name(shop_id: str) -> str:
    """The journal key's name in the secret store: one per shop."""
    return f"journal-key:{shop_id}"


class JournalKeyring:
    """The shop's journal key from the secret store (app.ports.system.JournalKeys); a key
    once found is kept in memory, so a sale never waits for the keyring."""

    def __init__(self, store: SecretStore | None) -> None:
        self.store = store
        self._found: dict[str, bytes] = {}

    def key(self, shop_id: str) -> bytes | None:
        if shop_id in self._found:
            return self._found[shop_id]
        text = self.store.get(key_name(shop_id)) if self.store is not None else None
        if text is None:
            return None
        try:
            key = bytes.fromhex(text)
        except ValueError:
            log.error("the journal key for shop %s in %s is damaged", shop_id, self.store)
            return None
        self._found[shop_id] = key
        return key

    def keep(self, shop_id: str, key: bytes) -> None:
        if self.store is None:
            raise UserError("This till has no secret store for a journal key")
        self.store.check_safe()
        self.store.set(key_name(shop_id), key.hex())
        self._found[shop_id] = key


class AnchorKeeper:
    """Keeps this computer's copy of the journal head (app.ports.system.JournalAnchor).

    Told every new head after its commit. A failure to write the copy is logged and marks it
    stale; it never reaches the caller, whose sale has committed. The next commit, the start-up
    check and the re-anchoring worker write it again.
    """

    def __init__(self, store: AnchorStore, database: str) -> None:
        self.store = store
        self.database = database
        self.stale = False

    def moved(self, head: JournalHead) -> None:
        if head.seq == 0:
            return
        try:
            self.store.write(Anchor(head.shop_id, head.seq, head.hash))
        except Exception:  # after a commit, nothing may fail the sale: log it, retry later
            log.exception("could not keep the journal head %d outside the database", head.seq)
            self.stale = True
        else:
            self.stale = False


class AnchorWorker:
    """A long-lived worker (app.services.workers): re-anchors while the copy is stale."""

    name = "journal-anchor"
    interval_s = REANCHOR_INTERVAL_S

    def __init__(self, journal: JournalService) -> None:
        self._journal = journal

    def run_once(self) -> bool:
        if self._journal.keeper.stale:
            self._journal.reanchor()
        return False


@dataclass(frozen=True, slots=True)
class KeyEnabled:
    key_id: str
    from_seq: int
    store: str
    warning: str


class JournalService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        keeper: AnchorKeeper,
        keys: JournalKeyring,
        clock: Clock,
    ) -> None:
        self._uow_factory = uow_factory
        self.keeper = keeper
        self.keys = keys
        self._clock = clock

    def head(self) -> JournalHead:
        with self._uow_factory() as uow:
            head = uow.journal.head()
        if head is None:
            raise JournalBroken(
                "The database has no journal head: it is damaged or not a Tillwright database"
            )
        return head

    # Verifying --------------------------------------------------------------------------
    def verify(self, anchor_files: Sequence[str] = ()) -> VerifyResult:
        """Chain, sale tables and every head copy: this computer's for the shop, and each
        file named. Entries with no copy of the head anywhere are "unanchored", not OK."""
        head = self.head()
        anchors = [self.keeper.store.load(where) for where in anchor_files]
        own = self.keeper.store.read(head.shop_id)
        if own is not None and own.where not in anchor_files:
            anchors.append(own)
        key = self.keys.key(head.shop_id)
        with self._uow_factory() as uow:
            uow.journal.snapshot()
            records, sales = uow.journal.records(), uow.journal.stored_sales()
            try:
                audit = SaleAudit(sales, uow.journal.receipt_counters())
                result = verify_chain(
                    records, anchors, key=key, head=head, audit=audit, require_anchor=True
                )
            finally:  # a broken chain stops the walk early: let go of both streams
                records.close()
                sales.close()
        served = self.keeper.store.served(self.keeper.database)
        if served is not None and served != head.shop_id:
            problem = (
                f"this computer last served shop {served} at this database, which now holds "
                f"shop {head.shop_id}: the database was replaced"
            )
            result = _with_problem(result, problem)
        return result

    # Start-up -----------------------------------------------------------------------------
    def check_startup(self) -> None:
        """Refuse to sell on a database that was deleted, replaced or cut back behind this
        till's back (raises JournalBroken with advice); otherwise note which shop this
        database is and bring this computer's head copy up to date."""
        head = self.head()
        served = self.keeper.store.served(self.keeper.database)
        database = self.keeper.database
        if served is not None and served != head.shop_id:
            now = "a new, empty shop" if head.seq == 0 else f"another shop ({head.shop_id})"
            raise JournalBroken(
                f"This till sold for shop {served} at {database}, but that database now holds "
                f"{now}: it was deleted or replaced. The till will not sell, which would start "
                "receipt numbers again. Restore the shop's database from a backup, then run "
                "`main.py journal verify`. If the old shop is closed for good, remove its "
                f"entry from {self.keeper.store.location}/served.json to start afresh."
            )
        anchor = self.keeper.store.read(head.shop_id)
        if anchor is not None:
            if anchor.seq > head.seq:
                raise JournalBroken(
                    f"The database holds {head.seq} journal entries, but this till recorded "
                    f"entry {anchor.seq} ({anchor.where}): the latest entries are gone (an "
                    "older backup restored, or entries deleted). The till will not sell until "
                    "the newest backup is restored; then run `main.py journal verify`."
                )
            with self._uow_factory() as uow:
                recorded = uow.journal.entry_hash(anchor.seq)
            if recorded != anchor.hash:
                raise JournalBroken(
                    f"Journal entry {anchor.seq} is not the one this till recorded "
                    f"({anchor.where}): the journal was rewritten. The till will not sell; "
                    "run `main.py journal verify` and restore the newest backup."
                )
        self.keeper.store.record_served(database, head.shop_id)
        if anchor is None or anchor.seq < head.seq:
            self.keeper.moved(head)

    def reanchor(self) -> None:
        """Write this computer's copy of the head again (after a failed write)."""
        self.keeper.moved(self.head())

    def anchor_worker(self) -> AnchorWorker:
        return AnchorWorker(self)

    # The journal key ----------------------------------------------------------------------
    def _owner(self, actor_id: int) -> Operator:
        """The acting user, read from the database, if they are the shop's owner."""
        with self._uow_factory() as uow:
            return acting(uow, actor_id, Permission.MANAGE_SETTINGS, "Managing the journal key")

    def create_key(self, actor_id: int, register_code: str) -> KeyEnabled:
        """Make the shop's journal key, keep it in the secret store, and key every entry from
        now on; the first keyed entry records that the key was made, and by whom."""
        owner = self._owner(actor_id)
        store = self.keys.store
        if store is None:
            raise UserError("This till has no secret store for a journal key")
        store.check_safe()
        head = self.head()
        if head.key_id is not None:
            raise UserError(f"The journal is already keyed (key {head.key_id})")
        # Keep the key before the journal depends on it; a key left over from an attempt that
        # did not commit is used again rather than replaced.
        key = self.keys.key(head.shop_id)
        if key is None:
            key = secrets.token_bytes(KEY_BYTES)
            self.keys.keep(head.shop_id, key)
        key_id = journal_key_id(key)
        with self._uow_factory() as uow:
            uow.journal.enable_key(key_id)
            seq, _ = uow.journal.append(
                "journal.keyed", register_code, owner.user_id, self._clock.now(), {"key_id": key_id}
            )
            uow.changed("journal")
            uow.commit()
        log.info("journal keyed from entry %d with key %s by %s", seq, key_id, owner.username)
        return KeyEnabled(key_id, seq, store.description, store.warning)

    def export_key(self, actor_id: int) -> str:
        """The key as hex, for another till sharing this database (``journal key import``)."""
        self._owner(actor_id)
        head = self.head()
        key = self.keys.key(head.shop_id)
        if head.key_id is None or key is None or journal_key_id(key) != head.key_id:
            raise UserError("This computer does not hold the shop's journal key")
        return key.hex()

    def import_key(self, actor_id: int, text: str) -> str:
        """Keep the key made on another till; it must be the one the journal names."""
        self._owner(actor_id)
        head = self.head()
        try:
            key = bytes.fromhex(text.strip())
        except ValueError:
            raise UserError("A journal key is 64 hexadecimal digits") from None
        if head.key_id is None:
            raise UserError("This shop's journal is not keyed: there is no key to import")
        if len(key) != KEY_BYTES or journal_key_id(key) != head.key_id:
            raise UserError(f"That is not this shop's journal key (key {head.key_id})")
        self.keys.keep(head.shop_id, key)
        return head.key_id


def _with_problem(result: VerifyResult, problem: str) -> VerifyResult:
    return replace(result, problems=(*result.problems, problem))
