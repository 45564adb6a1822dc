"""Unit and property tests for app.domain.journal: the fiscal journal's hash chain."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.journal import (
    GENESIS_HASH,
    JournalRecord,
    VerifyResult,
    canonical_json,
    chain_hash,
    verify_chain,
)

PROPERTY = settings(deadline=None, max_examples=200)


def build_chain(bodies: list[Mapping[str, Any]]) -> list[JournalRecord]:
    """Records for ``bodies`` in order, with ``seq`` set in each body as verify_chain needs."""
    records = []
    previous = GENESIS_HASH
    for seq, extra in enumerate(bodies, start=1):
        body = {**extra, "seq": seq}
        digest = chain_hash(previous, body)
        records.append(JournalRecord(seq, body, previous, digest))
        previous = digest
    return records


def sale_bodies(count: int) -> list[Mapping[str, Any]]:
    return [
        {"kind": "sale", "receipt": f"R-{n:04d}", "total": f"{n}.50", "cashier": "Zoë"}
        for n in range(1, count + 1)
    ]


def names_entry(result: VerifyResult, seq: int) -> bool:
    return re.search(rf"\bentry {seq}\b", result.problem) is not None


# canonical_json and chain_hash --------------------------------------------------------


def test_canonical_json_sorts_keys_and_drops_white_space() -> None:
    assert canonical_json({"b": 1, "a": [1, 2], "c": {"y": None, "x": True}}) == (
        '{"a":[1,2],"b":1,"c":{"x":true,"y":null}}'
    )


def test_canonical_json_is_independent_of_key_order() -> None:
    one = {"seq": 1, "kind": "sale", "total": "9.99", "lines": [{"b": 2, "a": 1}]}
    other = {"total": "9.99", "lines": [{"a": 1, "b": 2}], "kind": "sale", "seq": 1}
    assert canonical_json(one) == canonical_json(other)


def test_canonical_json_keeps_non_ascii_as_utf8() -> None:
    text = canonical_json({"name": "Crème brûlée", "shop": "Łódź €"})
    assert "Crème brûlée" in text
    assert "Łódź €" in text
    assert "\\u" not in text


def test_chain_hash_is_sha256_of_previous_digest_bytes_and_canonical_json() -> None:
    body = {"seq": 1, "name": "Zoë"}
    expected = hashlib.sha256(bytes(32) + '{"name":"Zoë","seq":1}'.encode()).hexdigest()
    assert chain_hash(GENESIS_HASH, body) == expected
    assert len(expected) == 64


def test_chain_hash_depends_on_the_previous_hash() -> None:
    body = {"seq": 2}
    assert chain_hash(GENESIS_HASH, body) != chain_hash("ab" * 32, body)


# verify_chain -------------------------------------------------------------------------


def test_an_empty_journal_verifies() -> None:
    result = verify_chain([])
    assert result == VerifyResult(True, 0, 0, GENESIS_HASH)


def test_an_intact_chain_verifies_and_reports_its_head() -> None:
    records = build_chain(sale_bodies(10))
    result = verify_chain(records)
    assert result.ok
    assert result.entries == 10
    assert result.head_seq == 10
    assert result.head_hash == records[-1].hash
    assert result.problem == ""
    assert result.bad_seq is None


def test_an_intact_chain_verifies_against_its_anchor() -> None:
    records = build_chain(sale_bodies(10))
    assert verify_chain(records, anchor=(10, records[-1].hash)).ok
    # An anchor written earlier (the chain has grown since) is fine too.
    assert verify_chain(records, anchor=(6, records[5].hash)).ok


def test_an_altered_body_is_named() -> None:
    records = build_chain(sale_bodies(10))
    records[3] = replace(records[3], body={**records[3].body, "total": "0.00"})
    result = verify_chain(records)
    assert not result.ok
    assert result.bad_seq == 4
    assert "entry 4 has been altered" in result.problem
    assert result.entries == 3
    assert result.head_seq == 3
    assert result.head_hash == records[2].hash


def test_a_renumbered_body_is_named() -> None:
    records = build_chain(sale_bodies(5))
    records[1] = replace(records[1], body={**records[1].body, "seq": 7})
    result = verify_chain(records)
    assert not result.ok
    assert result.bad_seq == 2
    assert "entry 2 has been renumbered" in result.problem


def test_a_broken_link_is_named() -> None:
    records = build_chain(sale_bodies(5))
    records[2] = replace(records[2], prev_hash="f" * 64)
    result = verify_chain(records)
    assert result.bad_seq == 3
    assert "entry 3 does not link to entry 2" in result.problem


def test_deleting_a_middle_entry_names_the_missing_seq() -> None:
    records = build_chain(sale_bodies(10))
    del records[4]
    result = verify_chain(records)
    assert not result.ok
    assert result.bad_seq == 5
    assert "entry 5 is missing" in result.problem
    assert result.head_seq == 4


def test_a_duplicated_entry_is_named() -> None:
    records = build_chain(sale_bodies(5))
    records.insert(3, records[2])
    result = verify_chain(records)
    assert not result.ok
    assert result.bad_seq == 4
    assert "duplicated" in result.problem


def test_removing_the_last_entries_fails_against_the_anchor() -> None:
    records = build_chain(sale_bodies(10))
    anchor = (10, records[-1].hash)
    truncated = records[:7]
    result = verify_chain(truncated, anchor=anchor)
    assert not result.ok
    assert "removed" in result.problem
    assert "entry 10" in result.problem
    assert result.head_seq == 7
    assert result.bad_seq == 8


def test_a_truncated_chain_verifies_without_an_anchor_which_is_why_the_anchor_exists() -> None:
    records = build_chain(sale_bodies(10))
    result = verify_chain(records[:7])
    assert result.ok
    assert result.head_seq == 7


def test_removing_every_entry_fails_against_the_anchor() -> None:
    records = build_chain(sale_bodies(3))
    result = verify_chain([], anchor=(3, records[-1].hash))
    assert not result.ok
    assert "removed" in result.problem


def test_an_inserted_forged_entry_is_detected() -> None:
    records = build_chain(sale_bodies(6))
    forged_body = {"kind": "sale", "receipt": "R-FAKE", "total": "0.01", "seq": 4}
    forged = JournalRecord(
        4, forged_body, records[2].hash, chain_hash(records[2].hash, forged_body)
    )
    tampered = [*records[:3], forged, *records[3:]]
    result = verify_chain(tampered)
    assert not result.ok
    assert result.bad_seq is not None
    assert result.bad_seq <= 5


def test_a_fully_rewritten_chain_is_caught_only_by_the_anchor() -> None:
    original = build_chain(sale_bodies(6))
    bodies = [dict(r.body) for r in original]
    bodies.insert(3, {"kind": "sale", "receipt": "R-FAKE", "total": "0.01"})
    rewritten = build_chain(bodies)[:6]  # same length, recomputed hashes
    assert verify_chain(rewritten).ok
    result = verify_chain(rewritten, anchor=(6, original[-1].hash))
    assert not result.ok
    assert result.bad_seq == 6
    assert "differs from the head recorded outside the database" in result.problem


def test_verify_chain_accepts_any_iterable() -> None:
    records = build_chain(sale_bodies(4))
    assert verify_chain(iter(records)).ok
    assert verify_chain(r for r in records).entries == 4


# Properties ---------------------------------------------------------------------------

json_values = st.text(max_size=20) | st.integers(min_value=-(10**12), max_value=10**12)
bodies = st.dictionaries(st.text(max_size=8), json_values, max_size=4)


def chains(min_size: int = 1) -> st.SearchStrategy[list[JournalRecord]]:
    return st.lists(bodies, min_size=min_size, max_size=10).map(build_chain)


FIELDS = ["seq", "body_value", "body_key", "body_seq", "prev_hash", "hash"]


@PROPERTY
@given(records=chains())
def test_any_chain_of_json_bodies_verifies(records: list[JournalRecord]) -> None:
    result = verify_chain(records)
    assert result.ok
    assert result.entries == len(records)
    assert result.head_hash == records[-1].hash
    assert verify_chain(records, anchor=(len(records), records[-1].hash)).ok


@PROPERTY
@given(body=bodies)
def test_canonical_json_is_key_order_independent_and_round_trips(body: dict[str, Any]) -> None:
    reversed_body = dict(reversed(list(body.items())))
    text = canonical_json(body)
    assert canonical_json(reversed_body) == text
    assert json.loads(text) == body
    assert chain_hash(GENESIS_HASH, reversed_body) == chain_hash(GENESIS_HASH, body)


def tamper(record: JournalRecord, field: str, data: st.DataObject) -> JournalRecord:
    if field == "seq":
        new_seq = data.draw(
            st.integers(min_value=-5, max_value=30).filter(lambda s: s != record.seq)
        )
        return replace(record, seq=new_seq)
    if field == "body_value":
        key = data.draw(st.sampled_from(sorted(record.body)))
        old = record.body[key]
        new = data.draw(json_values.filter(lambda v: v != old or type(v) is not type(old)))
        return replace(record, body={**record.body, key: new})
    if field == "body_key":
        key = data.draw(st.text(max_size=10).filter(lambda k: k not in record.body))
        return replace(record, body={**record.body, key: "forged"})
    if field == "body_seq":
        return replace(record, body={**record.body, "seq": record.seq + 1})
    hex_digest = st.binary(min_size=32, max_size=32).map(bytes.hex)
    new_hash = data.draw(hex_digest.filter(lambda h: h != getattr(record, field)))
    return replace(record, **{field: new_hash})


@PROPERTY
@given(records=chains(), data=st.data())
def test_changing_any_field_of_any_entry_names_that_entry(
    records: list[JournalRecord], data: st.DataObject
) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(records) - 1), label="index")
    field = data.draw(st.sampled_from(FIELDS), label="field")
    tampered = list(records)
    tampered[index] = tamper(records[index], field, data)
    result = verify_chain(tampered)
    seq = index + 1
    assert not result.ok
    assert result.bad_seq == seq
    assert names_entry(result, seq), result.problem
    assert result.entries == index


@PROPERTY
@given(records=chains(min_size=3), data=st.data())
def test_deleting_any_entry_but_the_last_names_the_missing_seq(
    records: list[JournalRecord], data: st.DataObject
) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(records) - 2), label="index")
    tampered = records[:index] + records[index + 1 :]
    result = verify_chain(tampered)
    assert not result.ok
    assert result.bad_seq == index + 1
    assert names_entry(result, index + 1)
    assert "missing" in result.problem


@PROPERTY
@given(records=chains(), data=st.data())
def test_dropping_the_tail_is_caught_by_the_anchor_only(
    records: list[JournalRecord], data: st.DataObject
) -> None:
    keep = data.draw(st.integers(min_value=0, max_value=len(records) - 1), label="keep")
    anchor = (records[-1].seq, records[-1].hash)
    assert verify_chain(records[:keep]).ok
    result = verify_chain(records[:keep], anchor=anchor)
    assert not result.ok
    assert "removed" in result.problem
    assert result.head_seq == keep


@pytest.mark.parametrize("count", [1, 2, 10])
def test_chains_of_various_lengths_verify(count: int) -> None:
    assert verify_chain(build_chain(sale_bodies(count))).entries == count
