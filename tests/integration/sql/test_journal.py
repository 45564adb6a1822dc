"""The journal's statements under its append-only triggers: entries appended from the genesis
head the migration writes, the head moved onto each, the key id set once, the read snapshot."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.domain.journal import GENESIS_HASH, canonical_json, chain_hash
from db import models as m
from db import sql
from db.driver import Driver, driver_for
from tests.integration.sql.rows import AT, SALE_ID, ShopRows, driver, fetch, one, run


def _body(seq: int, user: int, data: dict[str, Any]) -> str:
    return canonical_json(
        {
            "seq": seq,
            "kind": "sale",
            "register": "T1",
            "user": user,
            "at": AT.isoformat(),
            "data": data,
        }
    )


def _append(d: Driver, user: int, data: dict[str, Any]) -> tuple[int, str, str]:
    """As JournalRepository.append does it: read the head, insert the entry after it, move
    the head onto it. Returns the entry's seq, body and hash."""
    head_seq, head_hash, _shop, _key = d.execute(sql.JOURNAL_HEAD, {}).fetchone()
    seq = head_seq + 1
    body = _body(seq, user, data)
    digest = chain_hash(head_hash, body)
    d.execute(
        sql.INSERT_ENTRY,
        {"seq": seq, "kind": "sale", "body": body, "prev_hash": head_hash, "hash": digest},
    )
    d.execute(sql.MOVE_HEAD, {"seq": seq, "hash": digest})
    return seq, body, digest


def test_journal_head_reads_the_genesis_head_the_migration_wrote(rows: ShopRows) -> None:
    ((seq, hash_, shop_id, key_id),) = run(rows, sql.JOURNAL_HEAD, {})

    head = one(rows, m.JournalHead, 1)
    assert (seq, hash_, shop_id, key_id) == (head.seq, head.hash, head.shop_id, head.key_id)
    assert (seq, hash_, key_id) == (0, GENESIS_HASH, None)
    assert str(uuid.UUID(shop_id)) == shop_id  # the random id that names the anchors


def test_entries_append_after_the_head_and_the_head_follows(rows: ShopRows) -> None:
    ((_, _, shop_id, _),) = run(rows, sql.JOURNAL_HEAD, {})
    with driver(rows) as d:
        first = _append(d, rows.user, {"sale_id": SALE_ID, "note": "Łódź €", "total": "12.99"})
    with driver(rows) as d:
        second = _append(d, rows.user, {"sale_id": "another", "total": "0.50"})

    entries = fetch(rows, m.JournalEntry)
    assert [(e.seq, e.kind, e.body, e.hash) for e in entries] == [
        (1, "sale", first[1], first[2]),
        (2, "sale", second[1], second[2]),
    ]
    assert [e.prev_hash for e in entries] == [GENESIS_HASH, first[2]]
    assert second[2] == chain_hash(first[2], second[1])
    head = one(rows, m.JournalHead, 1)
    assert (head.seq, head.hash, head.shop_id, head.key_id) == (2, second[2], shop_id, None)
    assert run(rows, sql.JOURNAL_HEAD, {}) == [(2, second[2], shop_id, None)]


def test_the_triggers_refuse_an_entry_or_a_head_move_out_of_turn(rows: ShopRows) -> None:
    with Session(rows.engine) as session:
        d = driver_for(session)
        with pytest.raises(d.integrity_error, match="next after the journal head"):
            d.execute(
                sql.INSERT_ENTRY,
                {
                    "seq": 2,
                    "kind": "sale",
                    "body": _body(2, rows.user, {}),
                    "prev_hash": GENESIS_HASH,
                    "hash": "22" * 32,
                },
            )
        session.rollback()
        d = driver_for(session)
        with pytest.raises(d.integrity_error, match="only moves forward"):
            d.execute(sql.MOVE_HEAD, {"seq": 1, "hash": "11" * 32})  # no entry 1
        session.rollback()

    assert fetch(rows, m.JournalEntry) == []
    assert one(rows, m.JournalHead, 1).seq == 0


def test_entry_hash_reads_one_entrys_hash(rows: ShopRows) -> None:
    with driver(rows) as d:
        _, _, digest = _append(d, rows.user, {"sale_id": SALE_ID})

    assert run(rows, sql.ENTRY_HASH, {"seq": 1}) == [(digest,)]
    assert run(rows, sql.ENTRY_HASH, {"seq": 2}) == []
    assert one(rows, m.JournalEntry, 1).hash == digest


def test_key_head_names_the_journal_key_once(rows: ShopRows) -> None:
    with driver(rows) as d:
        _, _, digest = _append(d, rows.user, {"sale_id": SALE_ID})
    key_id = "0123456789abcdef"

    run(rows, sql.KEY_HEAD, {"key_id": key_id})

    head = one(rows, m.JournalHead, 1)
    assert (head.seq, head.hash, head.key_id) == (1, digest, key_id)
    with Session(rows.engine) as session:
        d = driver_for(session)
        with pytest.raises(d.integrity_error, match="only moves forward"):
            d.execute(sql.KEY_HEAD, {"key_id": "fedcba9876543210"})
    assert one(rows, m.JournalHead, 1).key_id == key_id


@pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_read_snapshot_keeps_one_view_of_the_database_and_writes_nothing(
    rows: ShopRows,
) -> None:
    from psycopg.errors import ReadOnlySqlTransaction

    count = "SELECT count(*) FROM journal_entry"
    with Session(rows.engine) as verifier:
        d = driver_for(verifier)
        d.execute(sql.READ_SNAPSHOT, {})  # the first statement of verification's transaction
        before = d.execute(count, {}).fetchone()[0]
        with driver(rows) as till:  # a till sells meanwhile
            _append(till, rows.user, {"sale_id": SALE_ID})
        assert d.execute(count, {}).fetchone()[0] == before == 0
        with pytest.raises(ReadOnlySqlTransaction):
            d.execute(sql.KEY_HEAD, {"key_id": "0123456789abcdef"})

    assert len(fetch(rows, m.JournalEntry)) == 1
    assert one(rows, m.JournalHead, 1).key_id is None
