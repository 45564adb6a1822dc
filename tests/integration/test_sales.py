"""Completing sales against real databases: one transaction, idempotent, gapless, journaled."""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from app.domain.catalog import ProductDraft, VariantDraft
from app.domain.pricing import Discount
from app.domain.users import Permission
from app.errors import InsufficientStock, NotFound, PermissionDenied, SaleNotPayable
from app.services.sale_records import draft_of
from db import models as m
from tests.conftest import sales_journaled
from tests.integration.helpers import card_sale, cash_sale, packaged, tamper


def _count(context, model) -> int:
    with context.engines.write.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_cash_sale_writes_everything_in_one_transaction(shop):
    sales = shop.sales()
    cashier = shop.auth.login("cashier", "1234")
    cart = sales.new_cart()
    first, second = packaged(sales, 1), packaged(sales, 20)
    cart.add(sales.lookup(first))
    cart.add(sales.lookup(first))
    cart.add(sales.lookup(second), Decimal(3))
    stock_before = shop.catalog.stock_level(sales.lookup(first).variant_id)

    receipt = sales.complete(cash_sale(sales, cart, handed="100"), cashier)

    assert receipt.receipt_no == 1
    assert receipt.total == cart.totals().total
    assert receipt.change.amount == Decimal(100) - receipt.amount_paid.amount
    assert [line.quantity for line in receipt.lines] == [2, 3]
    assert shop.catalog.stock_level(sales.lookup(first).variant_id) == stock_before - 2
    assert _count(shop, m.Sale) == 1
    assert _count(shop, m.SaleLine) == 2
    assert _count(shop, m.Payment) == 1
    assert sales_journaled(shop) == 1
    with shop.engines.write.connect() as connection:
        moves = connection.execute(
            select(m.StockMove.reason, func.sum(m.StockMove.quantity))
            .where(m.StockMove.reference == receipt.sale_id)
            .group_by(m.StockMove.reason)
        ).all()
    assert moves == [("sale", Decimal(-5))]
    verified = shop.journal.verify()
    assert verified.ok
    assert verified.head_hash == receipt.journal_hash


def test_completing_the_same_sale_twice_yields_one_sale(shop):
    sales = shop.sales()
    cashier = shop.auth.login("cashier", "1234")
    cart = sales.new_cart()
    cart.add(sales.lookup(packaged(sales, 3)))
    command = cash_sale(sales, cart)

    first = sales.complete(command, cashier)
    again = sales.complete(command, cashier)

    assert again.already_existed
    assert not first.already_existed
    assert again.receipt_no == first.receipt_no
    assert _count(shop, m.Sale) == 1
    assert sales_journaled(shop) == 1


def test_concurrent_retries_of_one_sale_commit_it_once(shop):
    sales = shop.sales()
    cashier = shop.auth.login("cashier", "1234")
    cart = sales.new_cart()
    cart.add(sales.lookup(packaged(sales, 4)))
    command = cash_sale(sales, cart)
    results = []

    def submit() -> None:
        results.append(shop.sales().complete(command, cashier))

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 4
    assert {r.receipt_no for r in results} == {1}
    assert _count(shop, m.Sale) == 1


def test_receipt_numbers_stay_gapless_when_a_sale_fails(shop):
    sales = shop.sales()
    cashier = shop.auth.login("cashier", "1234")
    code = packaged(sales, 5)
    item = sales.lookup(code)
    in_stock = shop.catalog.stock_level(item.variant_id)

    cart = sales.new_cart()
    cart.add(item)
    assert sales.complete(cash_sale(sales, cart), cashier).receipt_no == 1

    too_many = sales.new_cart()
    too_many.add(item, in_stock)  # one more than is left now
    with pytest.raises(InsufficientStock, match="Not enough"):
        sales.complete(cash_sale(sales, too_many), cashier)

    cart = sales.new_cart()
    cart.add(item)
    assert sales.complete(cash_sale(sales, cart), cashier).receipt_no == 2
    assert sales_journaled(shop) == 2


def test_payments_that_do_not_cover_the_total_are_refused(shop):
    sales = shop.sales()
    cashier = shop.auth.login("cashier", "1234")
    cart = sales.new_cart()
    cart.add(sales.lookup(packaged(sales, 6)))
    command = cash_sale(sales, cart)
    short = command.tenders[0]
    cheap = replace(short, amount=short.amount - short.amount, tendered=short.tendered)
    with pytest.raises(SaleNotPayable):
        sales.complete(replace(command, tenders=(cheap,)), cashier)
    assert _count(shop, m.Sale) == 0


def test_a_cashier_needs_a_manager_to_override_a_price(shop):
    sales = shop.sales()
    cashier = shop.auth.login("cashier", "1234")
    cart = sales.new_cart()
    line = cart.add(sales.lookup(packaged(sales, 7)))
    cart.override_price(line.line_id, line.unit_price.times(Decimal("0.5")))
    command = card_sale(sales, cart)

    with pytest.raises(PermissionDenied, match="manager"):
        sales.complete(command, cashier)

    manager = shop.auth.approve_by_pin("4321", Permission.OVERRIDE_PRICE, "T1", cashier.user_id)
    receipt = sales.complete(command, cashier, approver=manager)
    with shop.engines.write.connect() as connection:
        approved_by = connection.execute(select(m.Sale.approved_by)).scalar_one()
    assert approved_by == manager.user_id
    assert receipt.lines[0].unit_price == cart.lines[0].unit_price


def test_discounts_are_priced_and_spread_for_tax(shop):
    sales = shop.sales()
    manager = shop.auth.login("manager", "4321")
    cart = sales.new_cart()
    a = cart.add(sales.lookup(packaged(sales, 8)))
    cart.add(sales.lookup(packaged(sales, 30)), Decimal(2))
    cart.set_line_discount(a.line_id, Discount.percent(10))
    cart.set_order_discount(Discount.amount("1.00"))
    receipt = sales.complete(card_sale(sales, cart), manager)
    assert receipt.total == cart.totals().total
    assert receipt.discount == cart.totals().discount
    assert (
        sum((b.net + b.tax for b in receipt.bands), receipt.total - receipt.total) == receipt.total
    )


def test_a_card_number_is_never_accepted_as_a_reference(shop):
    sales = shop.sales()
    cashier = shop.auth.login("cashier", "1234")
    cart = sales.new_cart()
    cart.add(sales.lookup(packaged(sales, 9)))
    with pytest.raises(Exception, match="card number"):
        sales.complete(card_sale(sales, cart, reference="4111 1111 1111 1111"), cashier)
    assert _count(shop, m.Payment) == 0


def test_lookup_finds_barcodes_skus_and_upc_a_forms(shop):
    sales = shop.sales()
    code = packaged(sales, 10)
    item = sales.lookup(code)
    with shop.engines.write.connect() as connection:
        ean = connection.execute(
            select(m.Barcode.code).where(m.Barcode.variant_id == item.variant_id)
        ).scalar_one()
    assert sales.lookup(ean) == item
    assert sales.lookup(f"  {ean}\n") == item
    with pytest.raises(NotFound, match="No product has the barcode or SKU 999"):
        sales.lookup("999")


def test_upc_a_scans_find_the_ean13_they_are_part_of(shop):
    from app.domain.barcode import make_ean13

    upc_as_ean = make_ean13("003600029145")
    shop.catalog.save_products(
        [
            ProductDraft(
                "upc-item",
                "UPC Item",
                "standard",
                (VariantDraft("UPC-1", Decimal("2.50"), barcodes=(upc_as_ean,)),),
            )
        ],
        shop.auth.login("manager", "4321").user_id,
    )
    assert shop.sales().lookup(upc_as_ean[1:]).sku == "UPC-1"


def test_name_search_is_prefix_substring_accent_and_case_insensitive(shop):

    shop.catalog.save_products(
        [
            ProductDraft(
                "creme", "Crème Brûlée Pot", "reduced", (VariantDraft("CB-1", Decimal("3.20")),)
            )
        ],
        shop.auth.login("manager", "4321").user_id,
    )
    sales = shop.sales()
    for query in ("creme", "CRÈME", "brul", "rulee", "pot creme", "cb-1"):
        assert "Crème Brûlée Pot" in [i.name for i in sales.search(query).items], query
    assert sales.search("zzzzqqq").items == ()
    assert len(sales.search("a").items) <= 50


def test_park_and_recall_round_trip(shop):
    sales = shop.sales()
    cashier = shop.auth.login("cashier", "1234")
    cart = sales.new_cart()
    cart.add(sales.lookup(packaged(sales, 11)), Decimal(2))
    parked_id = sales.park(draft_of(cart, "T1"), cashier, "Mrs Byrne")
    [summary] = sales.parked("T1")
    assert summary.label == "Mrs Byrne"
    assert summary.total == cart.totals().total
    recalled = sales.recall(parked_id, cashier)
    assert recalled.cart.totals() == cart.totals()
    with pytest.raises(NotFound):
        sales.recall(parked_id, cashier)


def test_wrong_pins_lock_the_account(shop):
    from app.errors import AuthenticationFailed

    for _ in range(4):
        with pytest.raises(AuthenticationFailed, match="wrong PIN"):
            shop.auth.login("cashier", "0000")
    with pytest.raises(AuthenticationFailed, match="locked"):
        shop.auth.login("cashier", "0000")
    with pytest.raises(AuthenticationFailed, match="locked"):
        shop.auth.login("cashier", "1234")  # even the right PIN waits out the lockout
    assert shop.journal.verify().ok


@pytest.mark.postgres
def test_two_tills_never_sell_the_last_unit_twice(postgres_url, home):
    from tests.conftest import make_shop

    shop = make_shop(postgres_url, home)
    try:
        sales = shop.sales()
        item = sales.lookup(packaged(sales, 12))
        with shop.engines.write.begin() as connection:
            connection.execute(
                text("UPDATE stock_balance SET quantity = 1000 WHERE variant_id = :v"),
                {"v": item.variant_id},
            )
        cashier = shop.auth.login("cashier", "1234")
        outcomes: list[str] = []
        barrier = threading.Barrier(6)

        def till() -> None:
            service = shop.sales()
            cart = service.new_cart()
            cart.add(item)
            barrier.wait()
            try:
                service.complete(cash_sale(service, cart), cashier)
                outcomes.append("sold")
            except InsufficientStock:
                outcomes.append("refused")

        threads = [threading.Thread(target=till) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["refused"] * 5 + ["sold"]
        assert shop.catalog.stock_level(item.variant_id) == 0
        assert sales_journaled(shop) == 1
    finally:
        shop.close()


def _cli(home, url, *args):
    return subprocess.run(
        [sys.executable, "main.py", "--db", url, *args],
        capture_output=True,
        text=True,
        env={"TILLWRIGHT_HOME": str(home), "PATH": "/usr/bin:/bin"},
        timeout=120,
        check=False,
    )


def test_journal_verify_detects_an_altered_row(shop, home):
    sales = shop.sales()
    cashier = shop.auth.login("cashier", "1234")
    for n in range(3):
        cart = sales.new_cart()
        cart.add(sales.lookup(packaged(sales, 13 + n)))
        sales.complete(cash_sale(sales, cart), cashier)
    url = shop.engines.url
    assert _cli(home, url, "journal", "verify").returncode == 0
    second_sale = shop.journal.verify().head_seq - 1  # the set-up's entries come first

    tamper(
        shop.engines,
        'UPDATE journal_entry SET body = REPLACE(body, \'"total":"\', \'"total":"1\') '
        "WHERE seq = :seq",
        seq=second_sale,
    )
    result = _cli(home, url, "journal", "verify")
    assert result.returncode != 0
    assert f"entry {second_sale}" in result.stderr
    assert "altered" in result.stderr


def test_journal_verify_detects_a_removed_tail(shop, home):
    sales = shop.sales()
    cashier = shop.auth.login("cashier", "1234")
    for n in range(3):
        cart = sales.new_cart()
        cart.add(sales.lookup(packaged(sales, 16 + n)))
        sales.complete(cash_sale(sales, cart), cashier)
    last = shop.journal.verify().head_seq
    tamper(
        shop.engines,
        "DELETE FROM journal_entry WHERE seq = :seq",
        "UPDATE journal_head SET seq = :before, "
        "hash = (SELECT hash FROM journal_entry WHERE seq = :before)",
        seq=last,
        before=last - 1,
    )
    result = _cli(home, shop.engines.url, "journal", "verify")
    assert result.returncode != 0
    assert "removed" in result.stderr


def test_sale_ids_are_client_made_uuids(shop):
    sales = shop.sales()
    cashier = shop.auth.login("cashier", "1234")
    cart = sales.new_cart()
    cart.add(sales.lookup(packaged(sales, 19)))
    sale_id = str(uuid.uuid4())
    assert sales.complete(cash_sale(sales, cart, sale_id=sale_id), cashier).sale_id == sale_id


def test_open_screens_hear_of_a_sale_only_once_it_has_committed(shop):
    sales = shop.sales()
    cashier = shop.auth.login("cashier", "1234")
    heard = []
    shop.changes.subscribe(heard.append)
    item = sales.lookup(packaged(sales, 3))
    left = shop.catalog.stock_level(item.variant_id)

    too_many = sales.new_cart()
    too_many.add(item, left + 1)
    with pytest.raises(InsufficientStock):
        sales.complete(cash_sale(sales, too_many), cashier)
    assert heard == []

    cart = sales.new_cart()
    cart.add(item)
    receipt = sales.complete(cash_sale(sales, cart), cashier)
    assert [(c.topic, c.key) for c in heard] == [("sale", receipt.sale_id), ("stock", None)]
