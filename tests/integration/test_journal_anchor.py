"""The journal head kept outside the database: named by the shop id, written safely, never
failing a committed sale; verify checks every copy; start-up refuses a replaced database."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest

import main
from app.domain.journal import Anchor
from app.errors import JournalBroken
from db.anchor import FileAnchorStore
from tests.conftest import FAST_PINS, make_shop
from tests.integration.helpers import tamper
from tests.integration.test_journal import cli, head_file, sell


def test_the_head_is_kept_in_the_data_directory_under_the_shop_id(shop, home):
    receipts = sell(shop, 2)
    head = shop.journal.head()
    assert len(head.shop_id) == 36  # a random UUID made by the migration
    path = head_file(shop, home)
    last = receipts[-1]
    assert path.read_text() == f"{head.shop_id} {last.journal_seq} {last.journal_hash}\n"
    leftovers = [p.name for p in path.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []  # every temporary file was renamed into place


def test_the_copy_never_moves_back_and_concurrent_writers_keep_the_newest(tmp_path):
    store = FileAnchorStore(tmp_path / "journal")
    shop_id = "0123abcd-0000-4000-8000-00000000cafe"
    heads = [Anchor(shop_id, seq, f"{seq:064x}") for seq in range(1, 201)]
    errors: list[BaseException] = []

    def writer(offset: int) -> None:
        try:
            for anchor in heads[offset::4]:
                store.write(anchor)
                store.read(shop_id)  # always a whole line
        except BaseException as error:  # pragma: no cover - the failure is the assertion
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    found = store.read(shop_id)
    assert found is not None
    assert (found.seq, found.hash) == (200, heads[-1].hash)
    store.write(heads[10])  # an older head changes nothing
    assert store.read(shop_id) == found


def test_a_failure_to_keep_the_head_never_fails_the_sale(shop, home, caplog):
    sell(shop, 1)
    path = head_file(shop, home)
    path.unlink()
    path.mkdir()  # the copy cannot be replaced now: os.replace onto a directory fails
    with caplog.at_level(logging.ERROR):
        receipt = sell(shop, 1, first=3)[0]
    assert receipt.receipt_no == 2  # committed and reported as done
    assert shop.journal.keeper.stale
    seq = receipt.journal_seq
    assert f"could not keep the journal head {seq} outside the database" in caplog.text
    worker = shop.journal.anchor_worker()
    assert worker.run_once() is False  # still failing: stays stale, the host backs off
    assert shop.journal.keeper.stale
    path.rmdir()
    worker.run_once()  # the re-anchoring worker writes it once it can
    assert not shop.journal.keeper.stale
    assert path.read_text().split()[1:] == [str(seq), receipt.journal_hash]
    assert shop.journal.verify().ok


def test_no_copy_of_the_head_means_unanchored_never_ok(shop, home):
    sell(shop, 2)
    head_file(shop, home).unlink()
    result = cli(home, shop.engines.url, "journal", "verify")
    assert result.returncode == 4
    assert "Journal UNANCHORED" in result.stderr
    assert "OK" not in result.stdout + result.stderr
    assert "unanchored: no copy of the journal head" in result.stderr


@pytest.mark.postgres
def test_verify_checks_every_tills_copy_and_a_removed_tail_shows_in_any(postgres_url, tmp_path):
    till_1, till_2 = tmp_path / "till-1", tmp_path / "till-2"
    for home in (till_1, till_2):
        home.mkdir()
    first = make_shop(postgres_url, till_1)
    second = main.build_context(postgres_url, home=till_2, pin_policy=FAST_PINS, migrate=False)
    try:
        second.shop.ensure_register("T2", "Till 2")
        kept = sell(first, 2)[-1].journal_seq
        newest = sell(second, 2, first=5, register="T2")[-1].journal_seq  # till 2's head
        copy_1, copy_2 = head_file(first, till_1), head_file(second, till_2)
        assert copy_1.read_text().split()[1] == str(kept)
        assert copy_2.read_text().split()[1] == str(newest)
        ok = cli(till_1, postgres_url, "journal", "verify", "--anchor", str(copy_2))
        assert ok.returncode == 0, ok.stderr
        assert f"head kept in 2 place(s): {copy_2}, {copy_1}" in ok.stdout

        tamper(
            first.engines,
            "DELETE FROM payment WHERE sale_id IN (SELECT id FROM sale WHERE journal_seq > :kept)",
            "DELETE FROM sale_line WHERE sale_id IN "
            "(SELECT id FROM sale WHERE journal_seq > :kept)",
            "DELETE FROM sale_tax_band WHERE sale_id IN "
            "(SELECT id FROM sale WHERE journal_seq > :kept)",
            "DELETE FROM sale WHERE journal_seq > :kept",
            "DELETE FROM journal_entry WHERE seq > :kept",
            "UPDATE journal_head SET seq = :kept, "
            "hash = (SELECT hash FROM journal_entry WHERE seq = :kept)",
            "UPDATE register SET last_receipt_no = 0 WHERE code = 'T2'",
            kept=kept,
        )
        # Till 1's own copy agrees with the cut journal; till 2's shows the removed tail.
        assert cli(till_1, postgres_url, "journal", "verify").returncode == 0
        broken = cli(till_1, postgres_url, "journal", "verify", "--anchor", str(copy_2))
        assert broken.returncode == 4
        removed = f"entry {newest} was recorded in {copy_2}: entries at the end have been removed"
        assert removed in broken.stderr
    finally:
        first.close()
        second.close()


def test_a_copy_given_for_another_shop_is_named(shop, home, tmp_path):
    sell(shop, 1)
    stranger = tmp_path / "other.head"
    stranger.write_text(f"ffffffff-0000-4000-8000-000000000000 1 {'ab' * 32}\n")
    result = cli(home, shop.engines.url, "journal", "verify", "--anchor", str(stranger))
    assert result.returncode == 4
    assert f"the head copy in {stranger} belongs to another shop" in result.stderr
    missing = cli(home, shop.engines.url, "journal", "verify", "--anchor", str(tmp_path / "no"))
    assert missing.returncode == 2
    assert "Cannot read the journal head copy" in missing.stderr
    assert "Traceback" not in missing.stderr


# Start-up --------------------------------------------------------------------------------


@pytest.fixture
def till_db(sqlite_url: str, home: Path) -> tuple[str, Path]:
    """A demo shop that a till has opened (and sold in) once, and its database file."""
    shop = make_shop(sqlite_url, home, products=30)
    shop.journal.check_startup()
    sell(shop, 2)
    shop.close()
    return sqlite_url, Path(sqlite_url.removeprefix("sqlite:///"))


def opener(url: str) -> main.TillBackendOpener:
    return main.TillBackendOpener(url, None)


def test_start_up_accepts_the_database_it_served_and_re_anchors(till_db, home):
    url, _ = till_db
    open_till = opener(url)
    try:
        context = open_till()
        head = context.journal.head()
        assert head.seq == context.journal.verify().entries
        assert head.seq > 0
        served = (home / "journal" / "served.json").read_text()
        assert head.shop_id in served
    finally:
        open_till.close()


def test_start_up_refuses_a_deleted_database_and_never_seeds_a_new_shop(till_db, home):
    url, path = till_db
    path.unlink()
    for leftover in path.parent.glob(path.name + "-*"):
        leftover.unlink()
    open_till = opener(url)
    try:
        with pytest.raises(JournalBroken, match="deleted or replaced") as refused:
            open_till()
        assert "a new, empty shop" in refused.value.message
        assert "Restore the shop's database from a backup" in refused.value.message
        context = open_till.context
        assert context is not None
        assert main.shop_is_empty(context)  # no demo shop was seeded behind the cashier's back
        # and it stays refused on the next start
        with pytest.raises(JournalBroken, match="deleted or replaced"):
            opener(url)()
    finally:
        open_till.close()


def test_start_up_refuses_a_database_restored_from_an_older_copy(till_db, home, tmp_path):
    url, path = till_db
    backup = tmp_path / "backup.db"
    with closing(sqlite3.connect(path)) as live, closing(sqlite3.connect(backup)) as copy:
        live.backup(copy)
    context = main.build_context(url, home=home, pin_policy=FAST_PINS, migrate=False)
    held = context.journal.head().seq
    recorded = sell(context, 2, first=5)[-1].journal_seq
    context.close()
    shutil.copy(backup, path)
    with pytest.raises(JournalBroken, match="the latest entries are gone") as refused:
        opener(url)()
    assert f"holds {held} journal entries, but this till recorded entry {recorded}" in (
        refused.value.message
    )


def test_start_up_refuses_a_rewritten_journal(till_db, home):
    url, _ = till_db
    context = main.build_context(url, home=home, pin_policy=FAST_PINS, migrate=False)
    head = context.journal.head().seq
    tamper(
        context.engines, "UPDATE journal_entry SET hash = :h WHERE seq = :seq", h="0" * 64, seq=head
    )
    context.close()
    with pytest.raises(JournalBroken, match="the journal was rewritten"):
        opener(url)()
