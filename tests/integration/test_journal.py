"""The journal proves what it claims, on a real SQLite file and the real PostgreSQL server:
the sale tables against their entries, the stored bytes, the append-only triggers, the head
kept outside the database, and the forged row after the head."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.errors import JournalBroken
from tests.integration.helpers import cash_sale, packaged, tamper

ROOT = Path(__file__).resolve().parents[2]


def sell(shop, count: int, first: int = 1, register: str = "T1") -> list:  # type: ignore[no-untyped-def]
    sales = shop.sales()
    cashier = shop.auth.login("cashier", "1234")
    receipts = []
    for n in range(count):
        cart = sales.new_cart()
        cart.add(sales.lookup(packaged(sales, first + n)))
        cart.add(sales.lookup(packaged(sales, first + n + 7)))
        receipts.append(sales.complete(cash_sale(sales, cart, register=register), cashier))
    return receipts


def cli(
    home: Path, url: str, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", "--db", url, *args],
        capture_output=True,
        text=True,
        input=stdin,
        env={
            "TILLWRIGHT_HOME": str(home),
            "PATH": "/usr/bin:/bin",
            # This computer's own keyring stays out of it: keyring's failing backend.
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            **(env or {}),
        },
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def head_file(shop, home: Path) -> Path:  # type: ignore[no-untyped-def]
    return home / "journal" / f"{shop.journal.head().shop_id}.head"


# The sale tables against the journal ------------------------------------------------------


def test_verify_checks_every_sale_against_its_entry(shop, home):
    sell(shop, 3)
    result = shop.journal.verify()
    assert result.ok, result.problems
    assert result.checked == 3
    assert result.anchors == (str(head_file(shop, home)),)


def test_a_sale_changed_in_the_tables_is_named_by_register_and_receipt(shop, home):
    receipts = sell(shop, 3)
    with shop.engines.write.begin() as connection:
        connection.execute(
            text("UPDATE sale SET total_minor = total_minor - 100 WHERE id = :id"),
            {"id": receipts[1].sale_id},
        )
        connection.execute(
            text("UPDATE sale_line SET quantity = quantity * 2 WHERE sale_id = :id"),
            {"id": receipts[2].sale_id},
        )
    result = cli(home, shop.engines.url, "journal", "verify")
    assert result.returncode == 4, result.stderr
    entry = receipts[1].journal_seq
    assert f"sale T1/2 was changed in the sale table (journal entry {entry}): total is" in (
        result.stderr
    )
    assert "sale T1/3 was changed" in result.stderr
    assert "line 1 quantity is 2.000 in the sale table but 1 in the journal" in result.stderr


def test_a_sale_deleted_from_the_tables_is_named(shop, home):
    receipts = sell(shop, 3)
    with shop.engines.write.begin() as connection:
        for table in ("sale_line", "sale_tax_band", "payment"):
            connection.execute(
                text(f"DELETE FROM {table} WHERE sale_id = :id"), {"id": receipts[0].sale_id}
            )
        connection.execute(text("DELETE FROM sale WHERE id = :id"), {"id": receipts[0].sale_id})
    problems = shop.journal.verify().problems
    entry = receipts[0].journal_seq
    assert (
        f"sale T1/1 (journal entry {entry}) is missing from the sale table: it was deleted"
        in problems
    )


def test_a_payment_changed_in_the_tables_is_named(shop):
    receipts = sell(shop, 2)
    with shop.engines.write.begin() as connection:
        connection.execute(
            text("UPDATE payment SET reference = 'X' WHERE sale_id = :id"),
            {"id": receipts[1].sale_id},
        )
    (problem,) = shop.journal.verify().problems
    assert problem.startswith("sale T1/2 was changed")
    assert "payment 1 reference is X in the sale table but  in the journal" in problem


# The stored bytes and the kind column -------------------------------------------------------


def test_a_re_indented_body_and_a_changed_kind_are_caught(shop):
    receipts = sell(shop, 3)
    first, second = receipts[1].journal_seq, receipts[2].journal_seq
    with shop.engines.write.connect() as connection:
        body = connection.execute(
            text("SELECT body FROM journal_entry WHERE seq = :seq"), {"seq": first}
        ).scalar()
    tamper(
        shop.engines,
        "UPDATE journal_entry SET body = :body WHERE seq = :seq",
        body=body.replace(",", ", "),
        seq=first,
    )
    result = shop.journal.verify()
    assert result.bad_seq == first
    assert "canonical form" in result.problem
    tamper(
        shop.engines,
        "UPDATE journal_entry SET body = :body WHERE seq = :seq",
        "UPDATE journal_entry SET kind = 'user.locked' WHERE seq = :second",
        body=body,
        seq=first,
        second=second,
    )
    result = shop.journal.verify()
    assert result.bad_seq == second
    assert "kind column says 'user.locked'" in result.problem


# The database keeps the journal append-only ----------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE journal_entry SET body = body WHERE seq = 1",
        "DELETE FROM journal_entry WHERE seq = 2",
        "DELETE FROM journal_entry",
        "UPDATE journal_head SET seq = seq - 1, "
        "hash = (SELECT hash FROM journal_entry WHERE seq = 1)",
        "UPDATE journal_head SET seq = seq + 1",
        "UPDATE journal_head SET shop_id = 'ffffffff-0000-4000-8000-000000000000'",
        "DELETE FROM journal_head",
        "INSERT INTO journal_head (id, seq, hash, shop_id) VALUES (2, 0, 'x', 'y')",
        "INSERT INTO journal_entry (seq, kind, body, prev_hash, hash) "
        "VALUES (9, 'sale', '{}', 'x', 'y')",
    ],
)
def test_the_database_refuses_to_rewrite_the_journal(shop, statement):
    sell(shop, 2)
    with pytest.raises(IntegrityError, match="journal"), shop.engines.write.begin() as c:
        c.execute(text(statement))
    assert shop.journal.verify().ok


@pytest.mark.postgres
def test_postgresql_refuses_truncate(postgres_url, home):
    from tests.conftest import make_shop

    shop = make_shop(postgres_url, home)
    try:
        sell(shop, 1)
        entries = shop.journal.verify().entries
        for table in ("journal_entry", "journal_head"):
            with pytest.raises(IntegrityError), shop.engines.write.begin() as c:
                c.execute(text(f"TRUNCATE {table} CASCADE"))
        assert shop.journal.verify().entries == entries
    finally:
        shop.close()


# A forged row after the head ------------------------------------------------------------


def test_a_forged_row_after_the_head_stops_sales_with_advice_and_is_logged(shop, caplog):
    sell(shop, 2)
    head = shop.journal.head()
    forged_seq = head.seq + 1
    forged = f'{{"kind":"sale","seq":{forged_seq}}}'
    with shop.engines.write.begin() as connection:  # the triggers allow it: it follows the head
        connection.execute(
            text(
                "INSERT INTO journal_entry (seq, kind, body, prev_hash, hash) "
                "VALUES (:seq, 'sale', :body, :prev, :prev)"
            ),
            {"seq": forged_seq, "body": forged, "prev": head.hash},
        )
    with caplog.at_level(logging.ERROR), pytest.raises(JournalBroken) as refused:
        sell(shop, 1, first=9)
    assert "The fiscal journal has been tampered with" in refused.value.message
    assert "Run `main.py journal verify`" in refused.value.message
    assert f"journal entry {forged_seq} already exists after the head" in caplog.text
    with shop.engines.write.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM sale")).scalar() == 2
    result = shop.journal.verify()
    assert result.bad_seq == forged_seq
    assert f"entry {forged_seq} has been altered" in result.problem
