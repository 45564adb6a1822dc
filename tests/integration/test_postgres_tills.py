"""Several tills on the real PostgreSQL server: a till role that cannot rewrite the journal,
no deadlock between opposite orders, one recall of a parked sale, and a lost connection."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

import main
from app.errors import EnvironmentProblem, NotFound
from app.services.sale_records import draft_of
from tests.conftest import FAST_PINS, make_shop
from tests.integration.helpers import cash_sale, packaged
from tests.integration.test_journal import sell


def schema_of(url: str) -> str:
    return url.split("search_path%3D", 1)[1].split("&", 1)[0]


# The README's till role, tested -----------------------------------------------------------

TILL_ROLE_SQL = """
CREATE ROLE {role} LOGIN;
GRANT USAGE ON SCHEMA {schema} TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role};
GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {role};
REVOKE UPDATE, DELETE ON journal_entry FROM {role};
REVOKE INSERT, DELETE ON journal_head FROM {role};
REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {role};
"""


@pytest.mark.postgres
def test_readme_shows_the_till_role_tested_here() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for line in TILL_ROLE_SQL.format(role="till", schema="public").strip().splitlines():
        assert line in readme, line


@pytest.mark.postgres
def test_a_till_role_sells_but_cannot_change_the_journal(postgres_url, home, tmp_path):
    role = f"till_{uuid.uuid4().hex[:10]}"
    schema = schema_of(postgres_url)
    owner = make_shop(postgres_url, home)
    owner.close()
    admin = create_engine(postgres_url)
    with admin.begin() as connection:
        connection.exec_driver_sql(TILL_ROLE_SQL.format(role=role, schema=schema))
    till_url = postgres_url.replace("postgres@", f"{role}@", 1)
    till_home = tmp_path / "till"
    till_home.mkdir()
    till = main.build_context(till_url, home=till_home, pin_policy=FAST_PINS)
    try:
        with till.engines.write.connect() as connection:
            assert connection.exec_driver_sql("SELECT current_user").scalar() == role
        entries = sell(till, 2)[-1].journal_seq  # INSERT and moving the head: all a till needs
        parked = till.sales().park(
            draft_of(_cart(till), till.register_code), till.auth.login("cashier", "1234")
        )
        till.sales().recall(parked, till.auth.login("cashier", "1234"))
        for statement in (
            "UPDATE journal_entry SET body = body",
            "DELETE FROM journal_entry",
            "TRUNCATE journal_entry",
            "ALTER TABLE journal_entry DISABLE TRIGGER USER",
            "DROP TRIGGER journal_entry_append_only ON journal_entry",
            "DELETE FROM journal_head",
        ):
            with (
                pytest.raises(ProgrammingError, match=r"permission denied|must be owner"),
                till.engines.write.begin() as connection,
            ):
                connection.exec_driver_sql(statement)
        assert till.journal.verify().entries == entries
    finally:
        till.close()
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP OWNED BY {role}")
            connection.exec_driver_sql(f"DROP ROLE {role}")
        admin.dispose()


def _cart(shop: Any) -> Any:
    sales = shop.sales()
    cart = sales.new_cart()
    cart.add(sales.lookup(packaged(sales, 3)))
    return cart


@pytest.mark.postgres
def test_verify_reads_one_snapshot_while_tills_keep_selling(postgres_url, home):
    shop = make_shop(postgres_url, home)
    try:
        entries = sell(shop, 2)[-1].journal_seq
        with shop.uow_factory() as uow:
            uow.journal.snapshot()
            counters = uow.journal.receipt_counters()
            sell(shop, 1, first=5)  # another till commits between verification's reads
            records = list(uow.journal.records())
            stored = list(uow.journal.stored_sales())
        assert counters == {"T1": 2}
        assert len(records) == entries
        assert len(stored) == 2
        assert shop.journal.verify().ok
    finally:
        shop.close()


# Two tills, opposite orders ---------------------------------------------------------------


@pytest.mark.postgres
def test_two_tills_selling_the_same_items_in_opposite_orders_never_deadlock(postgres_url, home):
    shop = make_shop(postgres_url, home)
    try:
        shop.shop.ensure_register("T2", "Till 2")
        sales = shop.sales()
        first, second = sales.lookup(packaged(sales, 2)), sales.lookup(packaged(sales, 11))
        with shop.engines.write.begin() as connection:
            connection.execute(
                text("UPDATE stock_balance SET quantity = 1000000 WHERE variant_id IN (:a, :b)"),
                {"a": first.variant_id, "b": second.variant_id},
            )
        cashier = shop.auth.login("cashier", "1234")
        rounds = 25
        barrier = threading.Barrier(2)
        failures: list[BaseException] = []

        def till(register: str, items: list[Any]) -> None:
            service = shop.sales()
            for _ in range(rounds):
                cart = service.new_cart()
                for item in items:
                    cart.add(item, Decimal(2))
                barrier.wait()
                try:
                    service.complete(cash_sale(service, cart, register=register), cashier)
                except BaseException as error:
                    failures.append(error)

        tills = [
            threading.Thread(target=till, args=("T1", [first, second])),
            threading.Thread(target=till, args=("T2", [second, first])),
        ]
        for thread in tills:
            thread.start()
        for thread in tills:
            thread.join()
        assert failures == []
        result = shop.journal.verify()
        assert result.ok, result.problems
        assert result.checked == 2 * rounds
    finally:
        shop.close()


def test_lines_of_one_variant_are_taken_as_one_update(shop):
    sales = shop.sales()
    item = sales.lookup(packaged(sales, 4))
    left = shop.catalog.stock_level(item.variant_id)
    cart = sales.new_cart()
    cart.add(item, Decimal(3))
    cart.add(sales.lookup(packaged(sales, 8)))
    command = cash_sale(sales, cart)
    whole, other = command.lines
    # The till merges a repeated scan into one line; a command may still carry two (shelf
    # prices include tax, so 1 + 2 costs what 3 does).
    split = (replace(whole, quantity=Decimal(1)), other, replace(whole, quantity=Decimal(2)))
    receipt = sales.complete(replace(command, lines=split), shop.auth.login("cashier", "1234"))
    assert [ln.quantity for ln in receipt.lines if ln.sku == item.sku] == [1, 2]
    assert shop.catalog.stock_level(item.variant_id) == left - 3


# Recalling a parked sale --------------------------------------------------------------------


@pytest.mark.postgres
def test_two_tills_recalling_one_parked_sale_only_one_gets_it(postgres_url, home):
    shop = make_shop(postgres_url, home)
    try:
        cashier = shop.auth.login("cashier", "1234")
        parked = shop.sales().park(draft_of(_cart(shop), "T1"), cashier)
        barrier = threading.Barrier(4)
        outcomes: list[str] = []

        def till() -> None:
            service = shop.sales()
            barrier.wait()
            try:
                service.recall(parked, cashier)
                outcomes.append("got it")
            except NotFound:
                outcomes.append("already recalled")

        threads = [threading.Thread(target=till) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["already recalled"] * 3 + ["got it"]
    finally:
        shop.close()


# A lost connection ------------------------------------------------------------------------


@pytest.fixture
def named_shop(postgres_url: str, home: Path) -> Iterator[tuple[Any, str]]:
    """A shop whose connections carry an application name of their own, to kill them."""
    name = f"tw_{uuid.uuid4().hex[:10]}"
    shop = make_shop(f"{postgres_url}&application_name={name}", home)
    yield shop, name
    shop.close()


def kill_connections(postgres_url: str, name: str) -> int:
    """What a server restart does to this shop's connections."""
    admin = create_engine(postgres_url)
    with admin.begin() as connection:
        killed = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
                "WHERE application_name = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        ).scalar_one()
    admin.dispose()
    return int(killed)


@pytest.mark.postgres
def test_the_first_scan_after_a_server_restart_just_works(named_shop, postgres_url):
    shop, name = named_shop
    sales = shop.sales()
    code = packaged(sales, 5)
    item = sales.lookup(code)
    assert kill_connections(postgres_url, name) >= 1
    assert sales.lookup(code) == item  # reconnected and retried once
    assert sales.search("pasta").items is not None


@pytest.mark.postgres
def test_a_connection_lost_mid_sale_reports_the_lost_connection_not_the_rollback(
    named_shop, postgres_url
):
    shop, name = named_shop

    def number_across_a_restart() -> None:
        with shop.uow_factory() as uow:
            uow.registers.next_receipt_no("T1")
            kill_connections(postgres_url, name)
            uow.registers.next_receipt_no("T1")  # the connection is gone, so is the rollback

    with pytest.raises(EnvironmentProblem, match="Cannot reach the database server") as lost:
        number_across_a_restart()
    assert "terminating connection" in str(lost.value.__cause__)
    # The till carries on once the server is back: a new transaction on a new connection.
    assert sell(shop, 1)[0].receipt_no == 1
