"""Staff on real databases: who may manage whom, unique and strong PINs, everything
journaled with who did it (never a PIN), and the ``users`` commands that sign in first."""

from __future__ import annotations

import json
import os
import sys
import threading

import pytest
from sqlalchemy import select

import main
from app.domain.users import Role
from app.errors import AuthenticationFailed, NotFound, PermissionDenied, UserError
from app.services.auth import WRONG
from db import models as m
from tests.terminal import on_terminal
from ui.cli import parser


def ids(shop) -> dict[str, int]:
    with shop.uow_factory() as uow:
        return {u.username: u.user_id for u in uow.users.all()}


def journal(shop, kind: str) -> list[dict]:
    with shop.engines.write.connect() as connection:
        bodies = connection.execute(
            select(m.JournalEntry.body)
            .where(m.JournalEntry.kind == kind)
            .order_by(m.JournalEntry.seq)
        )
        return [json.loads(body) for (body,) in bodies]


def lock(shop, username: str) -> None:
    for _ in range(shop.pin_policy.max_failures):
        with pytest.raises(AuthenticationFailed):
            shop.auth.login(username, "0000")


def test_a_manager_adds_and_disables_a_cashier(shop):
    who = ids(shop)
    new_id = shop.users.add(who["manager"], "Dara", "Dara Walsh", Role.CASHIER, "2580")
    assert shop.auth.login("dara", "2580").user_id == new_id
    shop.users.disable(who["manager"], "dara")
    with pytest.raises(AuthenticationFailed, match=WRONG):
        shop.auth.login("dara", "2580")
    [added] = [e for e in journal(shop, "user.added") if e["data"]["username"] == "dara"]
    assert added["user"] == who["manager"]
    assert added["data"] == {"username": "dara", "name": "Dara Walsh", "role": "cashier"}
    [disabled] = journal(shop, "user.disabled")
    assert (disabled["user"], disabled["data"]) == (who["manager"], {"username": "dara"})


def test_only_an_owner_manages_managers_and_owners(shop):
    who = ids(shop)
    with pytest.raises(PermissionDenied, match="needs the owner"):
        shop.users.add(who["manager"], "sean", "Seán", Role.MANAGER, "583920")
    with pytest.raises(PermissionDenied, match="needs the owner"):
        shop.users.set_pin(who["manager"], "owner", "583920")
    with pytest.raises(PermissionDenied, match="needs the owner"):
        shop.users.unlock(who["manager"], "owner")
    shop.users.add(who["owner"], "sean", "Seán Murphy", Role.MANAGER, "583920")
    shop.users.disable(who["owner"], "manager")
    assert shop.auth.login("sean", "583920").role is Role.MANAGER


def test_a_cashier_manages_nobody_and_sees_no_staff_list(shop):
    who = ids(shop)
    with pytest.raises(PermissionDenied, match="needs a manager or the owner"):
        shop.users.staff(who["cashier"])
    with pytest.raises(PermissionDenied):
        shop.users.add(who["cashier"], "dara", "Dara", Role.CASHIER, "2580")
    with pytest.raises(PermissionDenied):
        shop.users.unlock(who["cashier"], "nobody")  # refused before saying who exists


def test_the_actors_role_is_read_from_the_database_each_time(shop):
    who = ids(shop)
    shop.users.disable(who["owner"], "manager")
    with pytest.raises(PermissionDenied, match="unknown or disabled"):
        shop.users.add(who["manager"], "dara", "Dara", Role.CASHIER, "2580")
    with pytest.raises(PermissionDenied, match="unknown or disabled"):
        shop.users.staff(987_654)


def test_nobody_disables_themselves(shop):
    who = ids(shop)
    with pytest.raises(UserError, match="cannot disable yourself"):
        shop.users.disable(who["owner"], "owner")


def test_weak_pins_are_refused_with_a_message(shop):
    who = ids(shop)
    for pin, says in (("1111", "one digit repeated"), ("4567", "counts up"), ("12", "4 to 8")):
        with pytest.raises(UserError, match=says):
            shop.users.add(who["manager"], "dara", "Dara", Role.CASHIER, pin)
        with pytest.raises(UserError, match=says):
            shop.users.set_pin(who["manager"], "cashier", pin)


def test_manager_and_owner_pins_are_unique_among_them(shop):
    who = ids(shop)
    shop.users.set_pin(who["owner"], "manager", "583920")
    with pytest.raises(UserError, match="already another manager's or owner's"):
        shop.users.add(who["owner"], "sean", "Seán", Role.MANAGER, "583920")
    with pytest.raises(UserError, match="already another manager's or owner's"):
        shop.users.set_pin(who["owner"], "owner", "583920")
    # A cashier's PIN may be anything strong: it never approves alone.
    shop.users.add(who["owner"], "dara", "Dara", Role.CASHIER, "583920")
    # Setting a manager's PIN to what it already is clashes with nobody else.
    shop.users.set_pin(who["owner"], "manager", "583920")


def test_two_managers_added_at_once_cannot_share_a_pin(shop):
    """Both checks run before either is written; the second writer still finds the clash."""
    owner = ids(shop)["owner"]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    real = shop.users._check_new_pin

    def check_then_wait(*args, **kwargs):  # both pass the first check, then race to write
        checked = real(*args, **kwargs)
        barrier.wait(10)
        return checked

    shop.users._check_new_pin = check_then_wait

    def add(name: str) -> None:
        try:
            shop.users.add(owner, name, name.title(), Role.MANAGER, "583920")
            outcomes.append("added")
        except UserError as error:
            outcomes.append(error.message)

    threads = [threading.Thread(target=add, args=(name,)) for name in ("sean", "siobhan")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(outcomes) == 2
    assert outcomes.count("added") == 1
    [refused] = [outcome for outcome in outcomes if outcome != "added"]
    assert "already another manager's or owner's" in refused


def test_a_manager_unlocks_a_locked_cashier(shop):
    who = ids(shop)
    lock(shop, "cashier")
    [cashier] = [u for u in shop.users.staff(who["manager"]) if u.username == "cashier"]
    assert cashier.locked
    with pytest.raises(AuthenticationFailed, match="Staff \\(F2\\)"):
        shop.auth.login("cashier", "1234")
    shop.users.unlock(who["manager"], "cashier")
    assert shop.auth.login("cashier", "1234").username == "cashier"
    [unlocked] = journal(shop, "user.unlocked")
    assert (unlocked["user"], unlocked["data"]) == (who["manager"], {"username": "cashier"})


def test_a_new_pin_replaces_the_old_and_lifts_a_lock(shop):
    who = ids(shop)
    lock(shop, "cashier")
    shop.users.set_pin(who["manager"], "cashier", "2580")
    with pytest.raises(AuthenticationFailed, match=WRONG):
        shop.auth.login("cashier", "1234")
    assert shop.auth.login("cashier", "2580").username == "cashier"
    [changed] = journal(shop, "user.pin_changed")
    assert (changed["user"], changed["data"]) == (who["manager"], {"username": "cashier"})


def test_anyone_changes_their_own_pin(shop):
    who = ids(shop)
    shop.users.set_pin(who["manager"], "manager", "583920")
    assert shop.auth.login("manager", "583920").username == "manager"


def test_an_unknown_user_is_named(shop):
    with pytest.raises(NotFound, match="no user called ghost"):
        shop.users.unlock(ids(shop)["owner"], "ghost")


def test_no_pin_and_no_hash_reach_the_journal(shop):
    who = ids(shop)
    shop.users.add(who["owner"], "sean", "Seán", Role.MANAGER, "583920")
    shop.users.set_pin(who["owner"], "cashier", "2580")
    with shop.engines.write.connect() as connection:
        text = " ".join(connection.execute(select(m.JournalEntry.body)).scalars())
    for secret in ("583920", "2580", "scrypt", "pin_hash"):
        assert secret not in text


# The command line ------------------------------------------------------------------------


def run_cli(monkeypatch, url: str, answers: list[str], *argv: str) -> str:
    """Run a ``users`` command in this process with ``answers`` on its standard input."""
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(answers) + "\n"))
    args = parser().parse_args(["--db", url, *argv])
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    assert args.func(args, main.Wiring()) == 0
    return out.getvalue()


def test_users_commands_sign_in_then_act(shop, monkeypatch):
    url = shop.engines.url
    listed = run_cli(monkeypatch, url, ["manager", "4321"], "users", "list")
    assert [line.split()[:3] for line in listed.splitlines()] == [
        ["cashier", "cashier", "active"],
        ["manager", "manager", "active"],
        ["owner", "owner", "active"],
    ]
    run_cli(
        monkeypatch,
        url,
        ["manager", "4321", "2580", "2580"],
        "users",
        "add",
        "dara",
        "--name",
        "Dara Walsh",
    )
    lock(shop, "dara")
    assert "LOCKED" in run_cli(monkeypatch, url, ["manager", "4321"], "users", "list")
    run_cli(monkeypatch, url, ["manager", "4321"], "users", "unlock", "dara")
    run_cli(monkeypatch, url, ["manager", "4321", "3691", "3691"], "users", "set-pin", "dara")
    run_cli(monkeypatch, url, ["owner", "9999"], "users", "disable", "dara")
    listed = run_cli(monkeypatch, url, ["owner", "9999"], "users", "list")
    assert "dara                 cashier  disabled Dara Walsh" in listed
    kinds = [e["kind"] for e in journal(shop, "user.added") + journal(shop, "user.unlocked")]
    assert kinds == ["user.added"] * 4 + ["user.unlocked"]


def test_users_commands_refuse_a_cashier_and_a_wrong_pin(shop, monkeypatch):
    url = shop.engines.url
    with pytest.raises(PermissionDenied, match="needs a manager or the owner; Casey Cashier"):
        run_cli(monkeypatch, url, ["cashier", "1234"], "users", "list")
    with pytest.raises(AuthenticationFailed, match=WRONG):
        run_cli(monkeypatch, url, ["manager", "0000"], "users", "list")
    with pytest.raises(PermissionDenied, match="Only the owner adds a manager"):
        run_cli(
            monkeypatch,
            url,
            ["manager", "4321"],
            "users",
            "add",
            "x",
            "--name",
            "X",
            "--role",
            "manager",
        )
    with pytest.raises(UserError, match="not the same"):
        run_cli(
            monkeypatch,
            url,
            ["manager", "4321", "2580", "2581", "2580", "2582", "2580", "2583"],
            "users",
            "add",
            "dara",
            "--name",
            "Dara",
        )
    assert "dara" not in ids(shop)


def test_users_add_on_a_terminal_never_echoes_a_pin(sqlite_shop, home):
    code, shown = on_terminal(
        [
            sys.executable,
            "main.py",
            "--db",
            sqlite_shop.engines.url,
            "users",
            "add",
            "dara",
            "--name",
            "Dara",
        ],
        [
            ("Your user name (a manager or the owner): ", "manager"),
            ("Your PIN: ", "4321"),
            ("PIN for dara: ", "2222"),  # too weak: asked again
            ("PIN for dara: ", "258036"),
            ("PIN for dara again: ", "258036"),
        ],
        env={"TILLWRIGHT_HOME": str(home), "PATH": os.environ["PATH"]},
    )
    assert code == 0, shown
    assert "manager" in shown  # the user name is echoed as typed
    assert "one digit repeated" in shown
    for pin in ("4321", "2222", "258036"):
        assert pin not in shown
    assert sqlite_shop.auth.login("dara", "258036").username == "dara"
