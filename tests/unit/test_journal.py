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
    KEY_FIELD,
    Anchor,
    BodyNotCanonical,
    JournalHead,
    JournalRecord,
    Keying,
    VerifyResult,
    canonical_json,
    chain_hash,
    journal_key_id,
    parse_body,
    verify_chain,
)

PROPERTY = settings(deadline=None, max_examples=200)
SHOP = "0123abcd-0000-4000-8000-00000000cafe"


def build_chain(
    bodies: list[Mapping[str, Any]], key: bytes | None = None, keyed_from: int = 1
) -> list[JournalRecord]:
    """Records for ``bodies`` in order, with ``seq`` and ``kind`` set in each body as the
    repository writes them (keyed from ``keyed_from`` on when a key is given)."""
    records = []
    previous = GENESIS_HASH
    for seq, extra in enumerate(bodies, start=1):
        body = {**extra, "seq": seq, "kind": str(extra.get("kind", "test"))}
        entry_key = key if key is not None and seq >= keyed_from else None
        if entry_key is not None:
            body[KEY_FIELD] = journal_key_id(entry_key)
        text = canonical_json(body)
        digest = chain_hash(previous, text, entry_key)
        records.append(JournalRecord(seq, body["kind"], text, previous, digest))
        previous = digest
    return records


def body_of(record: JournalRecord) -> dict[str, Any]:
    return dict(json.loads(record.body))


def with_body(record: JournalRecord, body: Mapping[str, Any]) -> JournalRecord:
    """The record with its stored body replaced (canonically), hash left as it was."""
    return replace(record, body=canonical_json(body))


def anchor_at(record: JournalRecord, where: str = "head-file") -> Anchor:
    return Anchor(SHOP, record.seq, record.hash, where)


def head_of(records: list[JournalRecord], key_id: str | None = None) -> JournalHead:
    if not records:
        return JournalHead(SHOP, 0, GENESIS_HASH, key_id)
    return JournalHead(SHOP, records[-1].seq, records[-1].hash, key_id)


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
    assert result.ok
    assert (result.entries, result.head_seq, result.head_hash) == (0, 0, GENESIS_HASH)
    assert verify_chain([], require_anchor=True).ok  # nothing to anchor yet


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
    assert verify_chain(records, [anchor_at(records[-1])]).ok
    # An anchor written earlier (the chain has grown since) is fine too.
    assert verify_chain(records, [anchor_at(records[5])]).ok


def test_an_altered_body_is_named() -> None:
    records = build_chain(sale_bodies(10))
    records[3] = with_body(records[3], {**body_of(records[3]), "total": "0.00"})
    result = verify_chain(records)
    assert not result.ok
    assert result.bad_seq == 4
    assert "entry 4 has been altered" in result.problem
    assert result.entries == 3
    assert result.head_seq == 3
    assert result.head_hash == records[2].hash


def test_a_renumbered_body_is_named() -> None:
    records = build_chain(sale_bodies(5))
    records[1] = with_body(records[1], {**body_of(records[1]), "seq": 7})
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
    truncated = records[:7]
    result = verify_chain(truncated, [anchor_at(records[-1])])
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
    result = verify_chain([], [anchor_at(records[-1])])
    assert not result.ok
    assert "removed" in result.problem


def test_an_inserted_forged_entry_is_detected() -> None:
    records = build_chain(sale_bodies(6))
    forged_body = {"kind": "sale", "receipt": "R-FAKE", "total": "0.01", "seq": 4}
    text = canonical_json(forged_body)
    forged = JournalRecord(4, "sale", text, records[2].hash, chain_hash(records[2].hash, text))
    tampered = [*records[:3], forged, *records[3:]]
    result = verify_chain(tampered)
    assert not result.ok
    assert result.bad_seq is not None
    assert result.bad_seq <= 5


def test_a_fully_rewritten_chain_is_caught_only_by_the_anchor() -> None:
    original = build_chain(sale_bodies(6))
    bodies = [body_of(r) for r in original]
    bodies.insert(3, {"kind": "sale", "receipt": "R-FAKE", "total": "0.01"})
    rewritten = build_chain(bodies)[:6]  # same length, recomputed hashes
    assert verify_chain(rewritten).ok
    result = verify_chain(rewritten, [anchor_at(original[-1])])
    assert not result.ok
    assert result.bad_seq == 6
    assert "differs from the head recorded outside the database" in result.problem


def test_verify_chain_accepts_any_iterable() -> None:
    records = build_chain(sale_bodies(4))
    assert verify_chain(iter(records)).ok
    assert verify_chain(r for r in records).entries == 4


# Properties ---------------------------------------------------------------------------

json_values = st.text(max_size=20) | st.integers(min_value=-(10**12), max_value=10**12)
# Entry data: the keyed marker is the repository's to write, never the data's.
bodies = st.dictionaries(
    st.text(max_size=8).filter(lambda k: k != KEY_FIELD), json_values, max_size=4
)


def chains(min_size: int = 1) -> st.SearchStrategy[list[JournalRecord]]:
    return st.lists(bodies, min_size=min_size, max_size=10).map(build_chain)


FIELDS = ["seq", "body_value", "body_key", "body_seq", "prev_hash", "hash", "kind", "layout"]


@PROPERTY
@given(records=chains())
def test_any_chain_of_json_bodies_verifies(records: list[JournalRecord]) -> None:
    result = verify_chain(records)
    assert result.ok
    assert result.entries == len(records)
    assert result.head_hash == records[-1].hash
    assert verify_chain(records, [anchor_at(records[-1])], head=head_of(records)).ok


@PROPERTY
@given(body=bodies)
def test_canonical_json_is_key_order_independent_and_round_trips(body: dict[str, Any]) -> None:
    reversed_body = dict(reversed(list(body.items())))
    text = canonical_json(body)
    assert canonical_json(reversed_body) == text
    assert json.loads(text) == body
    assert chain_hash(GENESIS_HASH, reversed_body) == chain_hash(GENESIS_HASH, body)


def tamper(record: JournalRecord, field: str, data: st.DataObject) -> JournalRecord:
    body = body_of(record)
    if field == "seq":
        new_seq = data.draw(
            st.integers(min_value=-5, max_value=30).filter(lambda s: s != record.seq)
        )
        return replace(record, seq=new_seq)
    if field == "body_value":
        key = data.draw(st.sampled_from(sorted(body)))
        old = body[key]
        new = data.draw(json_values.filter(lambda v: v != old or type(v) is not type(old)))
        return with_body(record, {**body, key: new})
    if field == "body_key":
        # Any new key but the keyed marker, which its own tests cover (with the head).
        new_key = data.draw(st.text(max_size=10).filter(lambda k: k not in body | {KEY_FIELD: 0}))
        return with_body(record, {**body, new_key: "forged"})
    if field == "body_seq":
        return with_body(record, {**body, "seq": record.seq + 1})
    if field == "kind":
        new_kind = data.draw(st.text(max_size=8).filter(lambda k: k != record.kind))
        return replace(record, kind=new_kind)
    if field == "layout":
        return replace(record, body=json.dumps(body, sort_keys=True, indent=1))
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
    anchor = anchor_at(records[-1])
    assert verify_chain(records[:keep]).ok
    result = verify_chain(records[:keep], [anchor])
    assert not result.ok
    assert "removed" in result.problem
    assert result.head_seq == keep


@pytest.mark.parametrize("count", [1, 2, 10])
def test_chains_of_various_lengths_verify(count: int) -> None:
    assert verify_chain(build_chain(sale_bodies(count))).entries == count


# The stored body, byte for byte ----------------------------------------------------------


def test_parse_body_takes_exactly_the_canonical_bytes() -> None:
    text = canonical_json({"seq": 1, "kind": "sale", "name": "Zoë"})
    assert parse_body(text) == {"seq": 1, "kind": "sale", "name": "Zoë"}


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('{"kind":"sale","seq":1,"seq":1}', "repeats the key 'seq'"),
        ('{"seq": 1}', "canonical form"),
        ('{"seq":1,\n"kind":"x"}', "canonical form"),
        ('{"seq":1,"kind":"x"}', "canonical form"),  # keys out of order
        ('{"name":"Zo\\u00eb","seq":1}', "canonical form"),  # re-escaped
        ('{"seq":NaN}', "not JSON"),
        ("[1,2]", "not a JSON object"),
        ("{", "not valid JSON"),
    ],
)
def test_parse_body_refuses_anything_else(text: str, why: str) -> None:
    with pytest.raises(BodyNotCanonical, match=re.escape(why)):
        parse_body(text)


def test_a_duplicated_key_whose_last_value_hashes_right_is_still_caught() -> None:
    records = build_chain(sale_bodies(3))
    # json.loads keeps the last of two equal keys: the content "means" the same as before.
    forged_text = records[1].body.replace('"total":', '"total":"9.99","total":', 1)
    assert json.loads(forged_text) == body_of(records[1])
    records[1] = replace(records[1], body=forged_text)
    result = verify_chain(records)
    assert result.bad_seq == 2
    assert "repeats the key 'total'" in result.problem


def test_a_re_indented_body_with_a_hash_of_its_new_bytes_is_caught() -> None:
    records = build_chain(sale_bodies(3))
    pretty = json.dumps(body_of(records[2]), sort_keys=True, indent=2, ensure_ascii=False)
    records[2] = replace(records[2], body=pretty, hash=chain_hash(records[1].hash, pretty))
    result = verify_chain(records)
    assert result.bad_seq == 3
    assert "canonical form" in result.problem


def test_the_kind_column_must_agree_with_the_body() -> None:
    records = build_chain(sale_bodies(3))
    records[0] = replace(records[0], kind="user.locked")
    result = verify_chain(records)
    assert result.bad_seq == 1
    assert "kind column says 'user.locked'" in result.problem


# The head row and the anchors -------------------------------------------------------------


def test_an_entry_after_the_head_row_is_named() -> None:
    records = build_chain(sale_bodies(5))
    result = verify_chain(records, head=head_of(records[:4]))
    assert not result.ok
    assert "entries 5–5 come after the journal head (entry 4)" in result.problem


def test_a_head_row_beyond_the_last_entry_means_entries_were_removed() -> None:
    records = build_chain(sale_bodies(5))
    result = verify_chain(records[:3], head=head_of(records))
    assert "the journal head names entry 5 but the journal ends at entry 3" in result.problem


def test_every_anchor_is_checked_and_each_is_named() -> None:
    records = build_chain(sale_bodies(8))
    near = anchor_at(records[7], "till-2/head")
    old = anchor_at(records[3], "till-1/head")
    result = verify_chain(records, [old, near], head=head_of(records), require_anchor=True)
    assert result.ok
    assert result.anchors == ("till-1/head", "till-2/head")
    result = verify_chain(records[:6], [old, near], require_anchor=True)
    assert not result.ok
    assert "entry 8 was recorded in till-2/head" in result.problem


def test_an_anchor_of_another_shop_does_not_count_and_is_named() -> None:
    records = build_chain(sale_bodies(3))
    stranger = Anchor("ffffffff-0000-4000-8000-000000000000", 3, records[-1].hash, "x.head")
    result = verify_chain(records, [stranger], head=head_of(records), require_anchor=True)
    assert not result.ok
    assert result.unanchored
    assert any("belongs to another shop" in p for p in result.problems)
    assert any(p.startswith("unanchored") for p in result.problems)


def test_entries_without_any_anchor_are_unanchored_never_ok() -> None:
    records = build_chain(sale_bodies(2))
    result = verify_chain(records, head=head_of(records), require_anchor=True)
    assert not result.ok
    assert result.unanchored
    assert result.problems == (result.problem,)
    assert "unanchored" in result.problem


# The journal key ----------------------------------------------------------------------------

KEY = bytes(range(32))


def test_a_keyed_chain_verifies_only_with_its_key() -> None:
    records = build_chain(sale_bodies(6), key=KEY, keyed_from=3)
    head = head_of(records, journal_key_id(KEY))
    keyed = verify_chain(records, head=head, key=KEY)
    assert keyed.ok
    assert keyed.keying is Keying.KEYED
    missing = verify_chain(records, head=head)
    assert not missing.ok
    assert missing.keying is Keying.KEY_MISSING
    assert "key missing: entries from 3 on are keyed" in missing.problem
    plain = build_chain(sale_bodies(2))
    assert verify_chain(plain, head=head_of(plain)).keying is Keying.NOT_KEYED


def test_a_keyed_entry_rewritten_with_plain_sha256_is_caught() -> None:
    records = build_chain(sale_bodies(4), key=KEY)
    body = {**body_of(records[2]), "total": "0.01"}
    text = canonical_json(body)  # still names the key, but hashed by someone without it
    records[2] = replace(records[2], body=text, hash=chain_hash(records[1].hash, text))
    result = verify_chain(records, key=KEY)
    assert result.bad_seq == 3
    assert "altered" in result.problem


def test_dropping_the_key_from_the_tail_is_caught() -> None:
    records = build_chain(sale_bodies(5), key=KEY, keyed_from=2)
    body = {k: v for k, v in body_of(records[3]).items() if k != KEY_FIELD}
    text = canonical_json(body)
    records[3] = replace(records[3], body=text, hash=chain_hash(records[2].hash, text))
    result = verify_chain(records, key=KEY)
    assert result.bad_seq == 4
    assert "entry 4 is not keyed although the journal is keyed from entry 2" in result.problem


def test_an_entry_keyed_with_another_key_is_named() -> None:
    records = build_chain(sale_bodies(3), key=bytes(32))
    result = verify_chain(records, key=KEY)
    assert result.bad_seq == 1
    assert f"not with this shop's key {journal_key_id(KEY)}" in result.problem


def test_a_key_held_for_a_chain_that_has_none_means_it_was_rewritten() -> None:
    records = build_chain(sale_bodies(3))
    result = verify_chain(records, head=head_of(records), key=KEY)
    assert not result.ok
    assert "no entry is keyed" in result.problem


def test_a_head_that_says_keyed_over_unkeyed_entries_is_named() -> None:
    records = build_chain(sale_bodies(3))
    result = verify_chain(records, head=head_of(records, "00" * 8))
    assert "says new entries are keyed" in result.problem


@PROPERTY
@given(records=chains(), data=st.data())
def test_a_keyed_chain_names_any_changed_field_with_the_key(
    records: list[JournalRecord], data: st.DataObject
) -> None:
    keyed = build_chain([body_of(r) for r in records], key=KEY)
    index = data.draw(st.integers(min_value=0, max_value=len(keyed) - 1), label="index")
    field = data.draw(st.sampled_from(FIELDS), label="field")
    tampered = list(keyed)
    tampered[index] = tamper(keyed[index], field, data)
    result = verify_chain(tampered, key=KEY)
    assert result.bad_seq == index + 1
    assert names_entry(result, index + 1), result.problem
