"""Kill -9 a till in the middle of selling: every acknowledged sale survives, whole.

A child process rings up sales in a loop on a SQLite file and prints each receipt number
after its commit returns. The parent kills it at a random moment, then checks the database.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import main
from tests.conftest import FAST_PINS, make_shop

CHILD = r"""
import sys
sys.path.insert(0, {root!r})
import pytest

import main
from tests.conftest import FAST_PINS
from tests.integration.helpers import cash_sale, packaged

context = main.build_context({url!r}, pin_policy=FAST_PINS, migrate=False)
sales = context.sales()
cashier = context.auth.login("cashier", "1234")
codes = [packaged(sales, n) for n in (1, 5, 9, 13)]
print("ready", flush=True)
while True:
    cart = sales.new_cart()
    for code in codes:
        cart.add(sales.lookup(code))
    receipt = sales.complete(cash_sale(sales, cart), cashier)
    print(receipt.receipt_no, flush=True)
"""


def test_sales_survive_kill_minus_nine_whole_and_gapless(sqlite_url, home, tmp_path):
    shop = make_shop(sqlite_url, home, products=30)
    shop.close()
    root = str(Path(main.__file__).parent)
    acknowledged: list[int] = []
    rng = random.Random(5)
    for _round in range(3):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD.format(root=root, url=sqlite_url)],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "TILLWRIGHT_HOME": str(home)},
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.2, 0.6))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate(timeout=30)
        acknowledged += [int(n) for n in out.split()]

    path = sqlite_url.removeprefix("sqlite:///")
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    numbers = [n for (n,) in db.execute("SELECT receipt_no FROM sale ORDER BY receipt_no")]
    assert numbers == list(range(1, len(numbers) + 1)), "receipt numbers have a gap"
    assert set(acknowledged) <= set(numbers), "an acknowledged sale was lost"
    # Each sale is whole: 4 lines, a payment, 4 moves and its own journal entry.
    assert db.execute(
        "SELECT COUNT(*) FROM sale s WHERE (SELECT COUNT(*) FROM sale_line l "
        "WHERE l.sale_id = s.id) != 4 OR (SELECT COUNT(*) FROM payment p "
        "WHERE p.sale_id = s.id) != 1 OR (SELECT COUNT(*) FROM stock_move m "
        "WHERE m.reference = s.id) != 4"
    ).fetchone() == (0,)
    assert db.execute("SELECT COUNT(*) FROM journal_entry WHERE kind = 'sale'").fetchone() == (
        len(numbers),
    )
    # Stock balance equals the sum of its moves.
    assert db.execute(
        "SELECT COUNT(*) FROM stock_balance b WHERE b.quantity != "
        "(SELECT COALESCE(SUM(quantity), 0) FROM stock_move m WHERE m.variant_id = b.variant_id)"
    ).fetchone() == (0,)
    db.close()
    context = main.build_context(sqlite_url, home=home, pin_policy=FAST_PINS, migrate=False)
    assert context.journal.verify().ok
    context.close()


def test_a_full_disk_refuses_the_sale_with_advice_and_writes_nothing(sqlite_url, home):
    from sqlalchemy import event, func, select

    from app.errors import EnvironmentProblem
    from db import models as m
    from tests.conftest import sales_journaled
    from tests.integration.helpers import cash_sale, packaged

    shop = make_shop(sqlite_url, home, products=30)
    try:
        sales = shop.sales()
        cashier = shop.auth.login("cashier", "1234")
        cart = sales.new_cart()
        for n in range(1, 30):
            try:
                cart.add(sales.lookup(packaged(sales, n)))
            except AssertionError:
                break
        engine = shop.engines.write
        with engine.connect() as connection:
            pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()
        engine.dispose()  # new connections get the cap below: the database cannot grow

        def cap(dbapi_connection, _record):
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

        def sell_until_full() -> None:
            # Fill the free pages first, so a sale itself is what runs out of room.
            for _ in range(200):
                sales.complete(cash_sale(sales, cart), cashier)

        event.listen(engine, "connect", cap)
        with pytest.raises(EnvironmentProblem, match="disk is full"):
            sell_until_full()
        event.remove(engine, "connect", cap)
        engine.dispose()
        with engine.connect() as connection:
            sold = connection.execute(select(func.count()).select_from(m.Sale)).scalar_one()
            lines = connection.execute(select(func.count()).select_from(m.SaleLine)).scalar_one()
            numbers = connection.execute(select(func.max(m.Sale.receipt_no))).scalar_one()
        assert lines == sold * len(cart.lines)
        assert (numbers or 0) == sold  # the refused sale used no receipt number
        assert sales_journaled(shop) == sold
        # Selling resumes once there is room again.
        assert sales.complete(cash_sale(sales, cart), cashier).receipt_no == sold + 1
    finally:
        shop.close()
