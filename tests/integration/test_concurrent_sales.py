"""Tills in separate processes selling at once: two on one SQLite file, four on PostgreSQL.

Each process rings up sales through the services and says, per sale, whether it was reported
done or failed. Afterwards: no sale reported as failed was committed, every sale reported as
done is there, each register's receipt numbers run without a gap, and the journal verifies.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

import main
from tests.conftest import FAST_PINS, make_shop

ROOT = Path(__file__).resolve().parents[2]
SALES_EACH = 30

CHILD = r"""
import sys, uuid
sys.path.insert(0, {root!r})
import main
from tests.conftest import FAST_PINS
from tests.integration.helpers import cash_sale, packaged

context = main.build_context({url!r}, pin_policy=FAST_PINS, migrate=False, register_code={reg!r})
sales = context.sales()
cashier = context.auth.login("cashier", "1234")
codes = [packaged(sales, n) for n in (1, 5, 9, 13)]
items = [sales.lookup(code) for code in codes]
for n in range({count}):
    cart = sales.new_cart()
    for item in items[n % 2:] + items[:n % 2]:
        cart.add(item)
    sale_id = str(uuid.uuid4())
    try:
        receipt = sales.complete(cash_sale(sales, cart, sale_id=sale_id, register={reg!r}), cashier)
    except Exception as error:
        print("failed", sale_id, type(error).__name__, str(error).replace(chr(10), " "), flush=True)
    else:
        print("done", sale_id, receipt.receipt_no, flush=True)
context.close()
"""


def run_tills(url: str, tills: list[tuple[str, Path]]) -> tuple[set[str], set[str], list[str]]:
    """Start one process per (register, data directory) at once; returns the sale ids
    reported done and failed, and what each failure said."""
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                CHILD.format(root=str(ROOT), url=url, reg=register, count=SALES_EACH),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "TILLWRIGHT_HOME": str(home)},
        )
        for register, home in tills
    ]
    done: set[str] = set()
    failed: set[str] = set()
    reasons: list[str] = []
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        assert "Traceback" not in err, err
        for line in out.splitlines():
            outcome, sale_id, *rest = line.split(" ", 2)
            (done if outcome == "done" else failed).add(sale_id)
            if outcome == "failed":
                reasons.append(" ".join(rest))
    return done, failed, reasons


def check(url: str, home: Path, done: set[str], failed: set[str], registers: set[str]) -> None:
    context = main.build_context(url, home=home, pin_policy=FAST_PINS, migrate=False)
    try:
        with context.engines.write.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT s.id, r.code, s.receipt_no FROM sale s "
                    "JOIN register r ON r.id = s.register_id"
                )
            ).all()
        committed = {sale_id for sale_id, _, _ in rows}
        assert not failed & committed, "a committed sale was reported as failed"
        assert done <= committed, "a sale reported as done is missing"
        for register in registers:
            numbers = sorted(no for _, code, no in rows if code == register)
            assert numbers == list(range(1, len(numbers) + 1)), f"gap on register {register}"
        result = context.journal.verify()
        assert result.ok, result.problems
        assert result.checked == len(committed)
    finally:
        context.close()


def stocked_shop(url: str, home: Path):  # type: ignore[no-untyped-def]
    """The demo shop with plenty of everything: these tills must never run short."""
    shop = make_shop(url, home, products=30)
    with shop.engines.write.begin() as connection:
        connection.execute(text("UPDATE stock_balance SET quantity = 100000000"))
    return shop


def test_two_processes_selling_on_one_sqlite_file(sqlite_url, home):
    stocked_shop(sqlite_url, home).close()
    # Both tills on this PC share the data directory, and so the copy of the journal head.
    done, failed, reasons = run_tills(sqlite_url, [("T1", home), ("T1", home)])
    check(sqlite_url, home, done, failed, {"T1"})
    assert len(done) == 2 * SALES_EACH, reasons


@pytest.mark.postgres
def test_four_processes_selling_on_postgresql(postgres_url, home, tmp_path):
    shop = stocked_shop(postgres_url, home)
    shop.shop.ensure_register("T2", "Till 2")
    shop.close()
    other = tmp_path / "other-pc"
    other.mkdir()
    # Two registers, two tills each; three of them on this PC, one on another.
    tills = [("T1", home), ("T1", home), ("T2", home), ("T2", other)]
    done, failed, reasons = run_tills(postgres_url, tills)
    check(postgres_url, home, done, failed, {"T1", "T2"})
    assert len(done) == 4 * SALES_EACH, reasons
