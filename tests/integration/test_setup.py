"""Setting up a real shop, on SQLite and PostgreSQL: by the service, ``setup --answers`` and
the prompts. A real shop has its own owner and no demo users; a bad answer writes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

import main
from app.dto.setup import ShopSetup
from app.errors import UserError
from app.services.shop import ShopState
from db import models as m
from tests.conftest import FAST_PINS
from tests.terminal import ROOT, on_terminal
from tests.unit.test_shop_setup import GOOD

ANSWERS = """\
[shop]
name = "Harbour Books"
address = ["3 Quay Street", "Galway"]
tax_id = "IE9876543X"
country = "IE"
currency = "EUR"
timezone = "Europe/Dublin"
locale = "en_IE"
prices_include_tax = true
cash_rounding = "0.05"
register = "T1"

[[tax_class]]
code = "standard"
name = "Standard"
rate = "23"

[owner]
username = "aoife"
name = "Aoife Byrne"
"""
PIN = "482916"


@pytest.fixture
def empty(db_url, home):
    context = main.build_context(db_url, home=home, pin_policy=FAST_PINS)
    yield context
    context.close()


def rows_everywhere(context) -> dict[str, int]:
    """Rows in every table but the schema's own (the journal head row comes with it)."""
    with context.engines.write.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in m.Base.metadata.sorted_tables
            if table.name != "journal_head"
        }


def journal(context) -> list[dict]:
    with context.engines.write.connect() as connection:
        bodies = connection.execute(select(m.JournalEntry.body).order_by(m.JournalEntry.seq))
        return [json.loads(body) for (body,) in bodies]


def cli(home: Path, url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", "--db", url, *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"TILLWRIGHT_HOME": str(home), "PATH": os.environ["PATH"]},
    )


def test_the_service_sets_up_a_real_shop_acting_as_its_owner(empty):
    assert empty.shop.state() is ShopState.EMPTY
    owner_id = empty.setup.create(ShopSetup.from_answers(GOOD))

    assert empty.shop.state() is ShopState.READY
    settings = empty.shop.settings()
    assert (settings.name, settings.country, settings.currency.code) == (
        "Harbour Books",
        "IE",
        "EUR",
    )
    assert settings.address == "3 Quay Street\nGalway"
    assert settings.cash_increment == Decimal("0.05")
    assert [(u.username, u.role.value) for u in empty.users.staff(owner_id)] == [("aoife", "owner")]
    with empty.uow_factory() as uow:
        assert [(t.code, t.rate) for t in uow.catalog.tax_classes()] == [
            ("standard", Decimal(23)),
            ("reduced", Decimal("13.5")),
        ]
    entries = journal(empty)
    assert [e["kind"] for e in entries] == [
        "user.added",
        "settings.changed",
        "tax_class.saved",
        "tax_class.saved",
        "register.added",
    ]
    assert {e["user"] for e in entries} == {owner_id}
    assert entries[0]["data"] == {"username": "aoife", "name": "Aoife Byrne", "role": "owner"}
    assert entries[1]["data"]["changes"]["shop.currency"] == {"from": None, "to": "EUR"}
    assert empty.journal.verify().ok
    assert empty.auth.login("aoife", "482916").display_name == "Aoife Byrne"


def test_no_demo_user_is_written_and_no_pin_is_journaled(empty):
    empty.setup.create(ShopSetup.from_answers(GOOD))
    with empty.uow_factory() as uow:
        assert [u.username for u in uow.users.all()] == ["aoife"]
    text = json.dumps(journal(empty))
    assert "482916" not in text
    assert "scrypt" not in text


def test_a_database_that_holds_a_shop_is_refused(empty):
    empty.setup.create(ShopSetup.from_answers(GOOD))
    before = rows_everywhere(empty)
    other = {**GOOD, "owner": {"username": "niamh", "name": "Niamh", "pin": "583920"}}
    with pytest.raises(UserError, match="already holds a shop"):
        empty.setup.create(ShopSetup.from_answers(other))
    assert rows_everywhere(empty) == before


def test_a_failure_half_way_writes_nothing(empty, monkeypatch):
    def broken(*_args, **_kwargs):
        raise UserError("the tax classes could not be saved")

    monkeypatch.setattr(empty.catalog, "save_tax_classes_in", broken)
    with pytest.raises(UserError, match="could not be saved"):
        empty.setup.create(ShopSetup.from_answers(GOOD))
    assert set(rows_everywhere(empty).values()) == {0}
    assert empty.shop.state() is ShopState.EMPTY


def test_setup_answers_file_makes_the_shop(sqlite_url, home, tmp_path):
    answers = tmp_path / "shop.toml"
    answers.write_text(
        ANSWERS.replace('name = "Aoife Byrne"\n', f'name = "Aoife Byrne"\npin = "{PIN}"\n')
    )
    done = cli(home, sqlite_url, "setup", "--answers", str(answers))
    assert done.returncode == 0, done.stderr
    assert "Harbour Books is set up" in done.stdout
    assert "sign in as aoife" in done.stdout
    context = main.build_context(sqlite_url, home=home, migrate=False)
    try:
        assert context.shop.settings().name == "Harbour Books"
        assert context.auth.login("aoife", PIN).role.value == "owner"
        with context.uow_factory() as uow:
            assert [u.username for u in uow.users.all()] == ["aoife"]
    finally:
        context.close()
    again = cli(home, sqlite_url, "setup", "--answers", str(answers))
    assert again.returncode == 2
    assert "already holds a shop" in again.stderr


def test_bad_answers_are_each_named_and_nothing_is_written(db_url, home, tmp_path, empty):
    answers = tmp_path / "shop.toml"
    answers.write_text(
        ANSWERS.replace('"EUR"', '"EUX"').replace('rate = "23"', 'rate = "123"') + 'pin = "1111"\n'
    )
    done = cli(home, db_url, "setup", "--answers", str(answers))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "shop.currency: Currency 'EUX' is not an ISO 4217 code" in done.stderr
    assert "tax_class.1.rate: Tax rate 123 % is not between 0 and 100" in done.stderr
    assert "owner.pin: A PIN of one digit repeated" in done.stderr
    assert set(rows_everywhere(empty).values()) == {0}


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('[shop\nname = "x"', "is not a valid answers file"),
        (b"\xff\xfe[shop]", "is not UTF-8"),
    ],
)
def test_an_unreadable_answers_file_is_named(sqlite_url, home, tmp_path, content, says):
    answers = tmp_path / "shop.toml"
    if isinstance(content, bytes):
        answers.write_bytes(content)
    else:
        answers.write_text(content)
    done = cli(home, sqlite_url, "setup", "--answers", str(answers))
    assert done.returncode == 2
    assert says in done.stderr
    assert "Traceback" not in done.stderr


def test_a_pin_left_out_is_asked_twice_and_never_echoed(sqlite_url, home, tmp_path):
    answers = tmp_path / "shop.toml"
    answers.write_text(ANSWERS)
    code, shown = on_terminal(
        [sys.executable, "main.py", "--db", sqlite_url, "setup", "--answers", str(answers)],
        [("Owner's PIN: ", PIN), ("Owner's PIN again: ", PIN)],
        env={"TILLWRIGHT_HOME": str(home), "PATH": os.environ["PATH"]},
    )
    assert code == 0, shown
    assert "Harbour Books is set up" in shown
    assert PIN not in shown
    context = main.build_context(sqlite_url, home=home, migrate=False)
    try:
        assert context.auth.login("aoife", PIN).username == "aoife"
    finally:
        context.close()


def test_the_prompts_ask_again_after_a_bad_answer(sqlite_url, home):
    lines = [
        "Harbour Books",  # name
        "3 Quay Street",
        "Galway",
        "",  # end of the address
        "IE9876543X",
        "IE",
        "EUX",  # a bad currency: asked again
        "",  # the country's currency, EUR
        "",  # Europe/Dublin
        "",  # en_IE
        "yes",
        "0.05",
        "",  # T1
        "",  # standard
        "Standard",
        "123",  # out of range: asked again
        "23",
        "",  # no more tax classes
        "aoife",
        "Aoife Byrne",
        PIN,
        PIN,
    ]
    done = cli(home, sqlite_url, "setup", stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    assert "Currency 'EUX' is not an ISO 4217 code" in done.stderr
    assert "Tax rate 123 % is not between 0 and 100" in done.stderr
    context = main.build_context(sqlite_url, home=home, migrate=False)
    try:
        settings = context.shop.settings()
        assert (settings.currency.code, settings.timezone, settings.locale) == (
            "EUR",
            "Europe/Dublin",
            "en_IE",
        )
        assert context.auth.login("aoife", PIN).display_name == "Aoife Byrne"
    finally:
        context.close()


def test_the_prompts_end_cleanly_when_the_input_does(sqlite_url, home):
    done = cli(home, sqlite_url, "setup", stdin="Harbour Books\n")
    assert done.returncode == 2
    assert "the input ended; nothing was changed" in done.stderr
    assert "Traceback" not in done.stderr
