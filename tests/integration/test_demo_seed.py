"""``main.py demo``: a demo shop with sales is made whole, or not at all.

It used to commit the catalog and users first and then fail at about 30 sales on an apparel
size with no stock left, leaving a half-seeded shop that ``demo`` then refused to seed again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

import main
from app.errors import EnvironmentProblem, InsufficientStock
from db import models as m
from tests.conftest import FAST_PINS
from tests.integration.cli import run_main


def _counts(context: Any) -> tuple[int, int, int, int]:
    with context.engines.write.connect() as connection:
        return tuple(  # type: ignore[return-value]
            connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (m.Product, m.User, m.Sale, m.JournalEntry)
        )


def test_demo_with_2000_products_and_300_sales_works(tmp_path: Path) -> None:
    shop = tmp_path / "demo.db"
    done = run_main(
        "demo", "--products", "2000", "--sales", "300", "--db", str(shop), home=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "2000 products" in done.stdout
    assert "300 sales" in done.stdout
    verified = run_main("journal", "verify", "--db", str(shop), home=tmp_path)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("Journal OK: ")
    assert "300 sales match the sale tables" in verified.stdout


def test_a_demo_that_fails_half_way_leaves_nothing_and_can_be_seeded_again(
    db_url: str, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.services.demo as demo

    real = demo.ring_up_demo_sales

    def fails_after_30(sales: Any, operator: Any, count: int, products: int) -> int:
        real(sales, operator, 30, products)
        raise InsufficientStock("Not enough Denim Cardigan (M / Sky) in stock: 0 left, 1 wanted")

    context = main.build_context(db_url, home=home, pin_policy=FAST_PINS)
    try:
        monkeypatch.setattr(demo, "ring_up_demo_sales", fails_after_30)
        with pytest.raises(InsufficientStock):
            main.seed_demo(context, 200, sales=300)
        assert _counts(context) == (0, 0, 0, 0)
        assert main.shop_is_empty(context)
        assert not list((home / "journal").glob("*.head"))  # nothing committed: no head kept

        monkeypatch.setattr(demo, "ring_up_demo_sales", real)
        assert main.seed_demo(context, 200, sales=300).sales == 300
        assert _counts(context)[1:3] == (3, 300)
        with context.engines.write.connect() as connection:
            kinds = connection.execute(
                select(m.JournalEntry.kind, func.count()).group_by(m.JournalEntry.kind)
            ).all()
        assert dict(kinds)["sale"] == 300  # beside the set-up's own entries
        assert context.journal.verify().ok
    finally:
        context.close()


def test_a_disk_that_fills_up_while_seeding_leaves_an_empty_shop(
    sqlite_url: str, home: Path
) -> None:
    context = main.build_context(sqlite_url, home=home, pin_policy=FAST_PINS)
    engine = context.engines.write
    with engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()
    engine.dispose()

    def cap(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 40}")

    event.listen(engine, "connect", cap)
    try:
        with pytest.raises(EnvironmentProblem, match="disk is full"):
            main.seed_demo(context, 2000, sales=50)
        event.remove(engine, "connect", cap)
        engine.dispose()
        assert _counts(context) == (0, 0, 0, 0)
        assert main.seed_demo(context, 100, sales=50).sales == 50
    finally:
        context.close()
