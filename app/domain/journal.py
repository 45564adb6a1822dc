"""The fiscal journal's hash chain, and how it is verified.

``hash_n = SHA-256(hash_{n-1} || body_n)``, where ``||`` is byte concatenation of the previous
digest (32 raw bytes) and the entry's stored body (UTF-8 canonical JSON: sorted keys, no
insignificant white space, non-ASCII kept as UTF-8, Decimals and datetimes written as strings
by the caller). The genesis ``hash_0`` is 32 zero bytes. Once the shop has a journal key, each
new entry names it in its body (``"key": <key id>``) and its hash is
``HMAC-SHA-256(key, hash_{n-1} || body_n)``: someone who can write the database but does not
hold the key cannot recompute the chain.

Verification reads the stored body strictly (duplicate keys refused, the bytes must be exactly
the canonical form), checks numbering, linking, hashes and the ``kind`` column, compares the
head row and every copy of the head kept outside the database (anchors), and hands each entry
to an audit (the sale tables' cross-check) as it goes: it streams, whatever the journal's size.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

GENESIS_HASH = "0" * 64
KEY_FIELD = "key"
"""A keyed entry's body names, under this key, the id of the journal key its hash used."""
MAX_PROBLEMS = 50
"""Verification names at most this many problems (the first ones); the count is kept."""


def canonical_json(entry: Mapping[str, Any]) -> str:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class BodyNotCanonical(ValueError):
    """A stored body that is not exactly the canonical JSON of one object."""


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise BodyNotCanonical(f"repeats the key {key!r}")
        seen[key] = value
    return seen


def _refuse_constant(name: str) -> Any:
    raise BodyNotCanonical(f"holds {name}, which is not JSON")


def parse_body(text: str) -> dict[str, Any]:
    """The stored body as an object; refuses duplicate keys and anything but the exact
    canonical bytes (re-indented, re-ordered or re-escaped text is not what was hashed)."""
    try:
        body = json.loads(
            text, object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant
        )
    except json.JSONDecodeError as error:
        raise BodyNotCanonical(f"is not valid JSON ({error.msg})") from None
    if not isinstance(body, dict):
        raise BodyNotCanonical("is not a JSON object")
    if canonical_json(body) != text:
        raise BodyNotCanonical("is not stored in canonical form (re-indented or re-ordered)")
    return body


def journal_key_id(key: bytes) -> str:
    """A short public name for a journal key, written into each keyed entry."""
    return hashlib.sha256(b"tillwright journal key\x00" + key).hexdigest()[:16]


def chain_hash(previous_hash: str, body: Mapping[str, Any] | str, key: bytes | None = None) -> str:
    """The entry's hash: SHA-256, or HMAC-SHA-256 under the journal key when keyed."""
    text = body if isinstance(body, str) else canonical_json(body)
    message = bytes.fromhex(previous_hash) + text.encode("utf-8")
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class JournalRecord:
    """One stored journal row: its columns as stored, the body verbatim."""

    seq: int
    kind: str
    body: str
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class JournalHead:
    """The journal's head row: which shop this database is, its last entry, and the id of
    the key new entries are keyed with (None until the shop has a journal key)."""

    shop_id: str
    seq: int
    hash: str
    key_id: str | None = None


@dataclass(frozen=True, slots=True)
class Anchor:
    """A copy of the head kept outside the database; ``where`` says where (a file)."""

    shop_id: str
    seq: int
    hash: str
    where: str = ""


class Keying(StrEnum):
    KEYED = "keyed"
    NOT_KEYED = "not keyed"
    KEY_MISSING = "key missing"


class EntryAudit(Protocol):
    """Checks something outside the journal against each entry (the sale tables)."""

    def entry(self, seq: int, hash_: str, body: Mapping[str, Any]) -> list[str]:
        """Problems found for this entry (entries arrive in order, each once)."""
        ...

    def finish(self) -> list[str]:
        """Problems found once every entry was seen."""
        ...

    @property
    def checked(self) -> int:
        """How many records were compared."""
        ...


@dataclass(frozen=True, slots=True)
class VerifyResult:
    entries: int
    head_seq: int
    head_hash: str
    problems: tuple[str, ...] = ()
    bad_seq: int | None = None
    """The first entry the chain broke at, if it broke."""
    keying: Keying = Keying.NOT_KEYED
    anchors: tuple[str, ...] = ()
    """Where the copies of the head that were checked are."""
    unanchored: bool = False
    checked: int = 0
    """Records the audit compared (sales against the sale tables)."""
    more_problems: int = 0
    """Problems found beyond the first MAX_PROBLEMS."""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem(self) -> str:
        return self.problems[0] if self.problems else ""


@dataclass
class _Walk:
    """What the verifier has learnt so far; its problems are capped."""

    problems: list[str] = field(default_factory=list)
    more: int = 0

    def add(self, *found: str) -> None:
        for problem in found:
            if len(self.problems) < MAX_PROBLEMS:
                self.problems.append(problem)
            else:
                self.more += 1


def verify_chain(
    records: Iterable[JournalRecord],
    anchors: Sequence[Anchor] = (),
    *,
    key: bytes | None = None,
    head: JournalHead | None = None,
    audit: EntryAudit | None = None,
    require_anchor: bool = False,
) -> VerifyResult:
    """Walk the chain once and name what was altered, inserted, removed or rewritten.

    ``anchors`` are copies of the head kept outside the database: a chain that ends before
    one, or disagrees with it, has lost or rewritten its tail. ``require_anchor``: with
    entries but no anchor for this shop the result is "unanchored", not OK. ``key`` is the
    shop's journal key if this machine holds it; ``head`` the stored head row.
    """
    walk = _Walk()
    shop_id = head.shop_id if head is not None else None
    mine = [a for a in anchors if shop_id is None or a.shop_id == shop_id]
    for other in anchors:
        if other not in mine:
            walk.add(
                f"the head copy in {other.where} belongs to another shop ({other.shop_id}), "
                f"not to this database's ({shop_id})"
            )
    by_seq: dict[int, list[Anchor]] = {}
    for anchor in mine:
        by_seq.setdefault(anchor.seq, []).append(anchor)

    previous = GENESIS_HASH
    expected_seq = 1
    count = 0
    bad_seq: int | None = None
    keyed_from: int | None = None
    key_missing = False
    own_key_id = journal_key_id(key) if key is not None else None
    for record in records:
        seq = record.seq
        problem = ""
        body: dict[str, Any] = {}
        if seq != expected_seq:
            what = "missing" if seq > expected_seq else "duplicated"
            problem = f"entry {expected_seq} is {what} (next stored entry is {seq})"
            seq = expected_seq
        else:
            try:
                body = parse_body(record.body)
            except BodyNotCanonical as error:
                problem = f"entry {seq} has been altered: its body {error}"
        if not problem:
            problem = _check_entry(record, body, previous, key, own_key_id, keyed_from)
        if not problem:
            for anchor in by_seq.get(seq, ()):
                if anchor.hash != record.hash:
                    problem = (
                        f"entry {seq} differs from the head recorded outside the database "
                        f"in {anchor.where}: the journal was rewritten"
                    )
                    break
        if problem:
            walk.add(problem)
            bad_seq = seq
            break
        if body.get(KEY_FIELD) is not None:
            keyed_from = keyed_from or seq
            key_missing = key_missing or key is None
        if audit is not None:
            walk.add(*audit.entry(seq, record.hash, body))
        previous = record.hash
        expected_seq += 1
        count += 1
    last = expected_seq - 1
    if bad_seq is None:
        for anchor in mine:
            if anchor.seq > last:
                bad_seq = last + 1
                walk.add(
                    f"the journal ends at entry {last} but entry {anchor.seq} was recorded "
                    f"in {anchor.where}: entries at the end have been removed"
                )
        if head is not None:
            walk.add(*_check_head(head, last, previous, keyed_from))
        if audit is not None:
            walk.add(*audit.finish())
    keying = Keying.NOT_KEYED
    if keyed_from is not None:
        keying = Keying.KEY_MISSING if key_missing else Keying.KEYED
    if keying is Keying.KEY_MISSING:
        walk.add(
            f"key missing: entries from {keyed_from} on are keyed, but this computer does not "
            "hold the shop's journal key, so their content cannot be checked"
        )
    elif keyed_from is None and key is not None and count:
        walk.add(
            "this computer holds a journal key for this shop, but no entry is keyed: the "
            "journal may have been rewritten without the key"
        )
    unanchored = require_anchor and count > 0 and not mine
    if unanchored:
        walk.add(
            "unanchored: no copy of the journal head is kept outside the database for this "
            "shop, so entries removed at the end could not be noticed"
        )
    return VerifyResult(
        entries=count,
        head_seq=last,
        head_hash=previous,
        problems=tuple(walk.problems),
        bad_seq=bad_seq,
        keying=keying,
        anchors=tuple(a.where for a in mine),
        unanchored=unanchored,
        checked=audit.checked if audit is not None else 0,
        more_problems=walk.more,
    )


def _check_entry(
    record: JournalRecord,
    body: Mapping[str, Any],
    previous: str,
    key: bytes | None,
    own_key_id: str | None,
    keyed_from: int | None,
) -> str:
    """The first thing wrong with one entry whose body parsed, or ""."""
    seq = record.seq
    if body.get("seq") != seq:
        return f"entry {seq} has been renumbered"
    if body.get("kind") != record.kind:
        return (
            f"entry {seq} has been altered: its kind column says {record.kind!r} "
            f"but its body says {body.get('kind')!r}"
        )
    if record.prev_hash != previous:
        return f"entry {seq} does not link to entry {seq - 1}"
    entry_key = body.get(KEY_FIELD)
    if entry_key is None:
        if keyed_from is not None:
            return (
                f"entry {seq} is not keyed although the journal is keyed from entry "
                f"{keyed_from}: it was written without the key"
            )
        computed = chain_hash(previous, record.body)
    elif key is None:
        return ""  # keyed, but this machine cannot check the content: reported as key missing
    elif entry_key != own_key_id:
        return f"entry {seq} is keyed with key {entry_key}, not with this shop's key {own_key_id}"
    else:
        computed = chain_hash(previous, record.body, key)
    if computed != record.hash:
        return f"entry {seq} has been altered (its hash does not match its content)"
    return ""


def _check_head(head: JournalHead, last: int, last_hash: str, keyed_from: int | None) -> list[str]:
    """The stored head row against the chain that was walked."""
    problems: list[str] = []
    if head.seq < last:
        problems.append(
            f"entries {head.seq + 1}–{last} come after the journal head (entry {head.seq}): "
            "no till wrote them, they were added by hand"
        )
    elif head.seq > last:
        problems.append(
            f"the journal head names entry {head.seq} but the journal ends at entry {last}: "
            "entries at the end have been removed"
        )
    elif head.hash != last_hash:
        problems.append(f"the journal head does not match entry {last}: it was changed")
    if head.key_id is not None and keyed_from is None and last:
        problems.append(
            f"the journal head says new entries are keyed (key {head.key_id}) but no entry is keyed"
        )
    elif head.key_id is None and keyed_from is not None:
        problems.append(
            f"entries are keyed from entry {keyed_from} but the journal head says they are not"
        )
    return problems
