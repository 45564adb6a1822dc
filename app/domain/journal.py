"""The fiscal journal's hash chain.

``hash_n = SHA-256(hash_{n-1} || canonical_json(entry_n))``, where ``||`` is byte
concatenation of the previous digest (32 raw bytes) and the UTF-8 canonical JSON. The genesis
``hash_0`` is 32 zero bytes. Canonical JSON: sorted keys, no insignificant white space,
non-ASCII kept as UTF-8, Decimals and datetimes written as strings by the caller.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_json(entry: Mapping[str, Any]) -> str:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(previous_hash: str, entry: Mapping[str, Any]) -> str:
    digest = hashlib.sha256(bytes.fromhex(previous_hash))
    digest.update(canonical_json(entry).encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class JournalRecord:
    """One stored journal row: the hashed body plus the chain fields."""

    seq: int
    body: Mapping[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    problem: str = ""
    bad_seq: int | None = None


def verify_chain(
    records: Iterable[JournalRecord], anchor: tuple[int, str] | None = None
) -> VerifyResult:
    """Walk the chain and name the first entry that was altered, inserted or removed.

    ``anchor`` is the (seq, hash) of the head as last written outside the database; a chain
    that ends before it, or disagrees with it, has lost or rewritten its tail.
    """
    previous = GENESIS_HASH
    expected_seq = 1
    count = 0
    anchor_seen = anchor is None
    for record in records:
        if record.seq != expected_seq:
            what = "missing" if record.seq > expected_seq else "duplicated"
            return VerifyResult(
                False,
                count,
                expected_seq - 1,
                previous,
                f"entry {expected_seq} is {what} (next stored entry is {record.seq})",
                expected_seq,
            )
        if record.body.get("seq") != record.seq:
            return VerifyResult(
                False,
                count,
                record.seq - 1,
                previous,
                f"entry {record.seq} has been renumbered",
                record.seq,
            )
        if record.prev_hash != previous:
            return VerifyResult(
                False,
                count,
                record.seq - 1,
                previous,
                f"entry {record.seq} does not link to entry {record.seq - 1}",
                record.seq,
            )
        computed = chain_hash(previous, record.body)
        if computed != record.hash:
            return VerifyResult(
                False,
                count,
                record.seq - 1,
                previous,
                f"entry {record.seq} has been altered (its hash does not match its content)",
                record.seq,
            )
        if anchor is not None and record.seq == anchor[0]:
            if record.hash != anchor[1]:
                return VerifyResult(
                    False,
                    count,
                    record.seq,
                    record.hash,
                    f"entry {record.seq} differs from the head recorded outside the database",
                    record.seq,
                )
            anchor_seen = True
        previous = computed
        expected_seq += 1
        count += 1
    if not anchor_seen and anchor is not None:
        return VerifyResult(
            False,
            count,
            expected_seq - 1,
            previous,
            f"the journal ends at entry {expected_seq - 1} but entry {anchor[0]} was recorded: "
            "entries at the end have been removed",
            expected_seq,
        )
    return VerifyResult(True, count, expected_seq - 1, previous)
