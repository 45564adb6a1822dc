"""PIN lockout on real databases: guesses arriving together are each counted before their PIN
is checked, unknown users cost the same scrypt, and within a run the wall clock does not lift
a lock early."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.errors import AuthenticationFailed
from app.services.auth import WRONG, AuthService
from db import models as m
from tests.conftest import FAST_PINS

GUESSES = 12


@pytest.fixture
def scrypt_calls(monkeypatch) -> list[int]:
    """Every scrypt run (its cost n), from any thread: one per PIN checked."""
    calls: list[int] = []
    guard = threading.Lock()
    real = hashlib.scrypt

    def counting(*args, **kwargs):
        with guard:
            calls.append(kwargs["n"])
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    return calls


def journaled(shop, kind: str) -> int:
    with shop.engines.write.connect() as connection:
        return connection.execute(
            select(func.count()).select_from(m.JournalEntry).where(m.JournalEntry.kind == kind)
        ).scalar_one()


def test_twelve_guesses_at_once_lock_the_account_after_five(shop, scrypt_calls):
    answers: list[str] = []
    guard = threading.Lock()
    start = threading.Barrier(GUESSES)

    def guess() -> None:
        start.wait()
        try:
            shop.auth.login("cashier", "0000")
        except AuthenticationFailed as refused:
            with guard:
                answers.append(refused.message)

    threads = [threading.Thread(target=guess) for _ in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert len(answers) == GUESSES
    assert answers.count(WRONG) == 4
    assert sum(a.startswith("Too many wrong PINs: cashier is locked") for a in answers) == 1
    assert sum(a.startswith("cashier is locked after too many wrong PINs") for a in answers) == 7
    assert len(scrypt_calls) == 5  # the seven after the lock were refused unchecked
    assert journaled(shop, "user.locked") == 1
    with pytest.raises(AuthenticationFailed, match="locked"):
        shop.auth.login("cashier", "1234")  # even the right PIN waits, or a manager unlocks


def test_the_lockout_message_says_who_can_unlock_and_how(shop):
    for _ in range(4):
        with pytest.raises(AuthenticationFailed, match=WRONG):
            shop.auth.login("cashier", "0000")
    with pytest.raises(AuthenticationFailed) as locking:
        shop.auth.login("cashier", "0000")
    assert "A manager or the owner can unlock it now" in locking.value.message
    assert "Staff (F2)" in locking.value.message
    assert "main.py users unlock cashier" in locking.value.message
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            shop.auth.login("manager", "0000")
    with pytest.raises(AuthenticationFailed) as locked:
        shop.auth.login("manager", "4321")
    assert "The owner can unlock it now" in locked.value.message
    assert "try again in 5 min" in locked.value.message


def test_a_right_pin_starts_the_count_again(shop):
    for _ in range(4):
        with pytest.raises(AuthenticationFailed, match=WRONG):
            shop.auth.login("cashier", "0000")
    shop.auth.login("cashier", "1234")
    for _ in range(4):
        with pytest.raises(AuthenticationFailed, match=WRONG):
            shop.auth.login("cashier", "0000")
    assert shop.auth.login("cashier", "1234").username == "cashier"


@pytest.mark.parametrize("who", ["nobody", "disabled"])
def test_unknown_and_disabled_users_cost_one_scrypt_like_a_real_one(shop, scrypt_calls, who):
    if who == "disabled":
        owner = shop.auth.login("owner", "9999")
        shop.users.disable(owner.user_id, "manager")
        who = "manager"
    scrypt_calls.clear()
    with pytest.raises(AuthenticationFailed, match=WRONG):
        shop.auth.login("cashier", "0000")
    real = list(scrypt_calls)
    scrypt_calls.clear()
    with pytest.raises(AuthenticationFailed, match=WRONG):
        shop.auth.login(who, "0000")
    assert scrypt_calls == real == [1 << FAST_PINS.scrypt_log2_n]


class WallClock:
    """A wall clock a test can set, as a person (or NTP) may set the PC's."""

    def __init__(self) -> None:
        self.at = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


class Monotonic:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


def locked_out(auth: AuthService) -> None:
    for _ in range(FAST_PINS.max_failures):
        with pytest.raises(AuthenticationFailed):
            auth.login("cashier", "0000")


@pytest.mark.parametrize("jump", [timedelta(hours=1), timedelta(hours=-1)])
def test_moving_the_wall_clock_does_not_lift_a_lock_within_a_run(shop, jump):
    wall, monotonic = WallClock(), Monotonic()
    auth = AuthService(shop.uow_factory, wall, FAST_PINS, monotonic)
    locked_out(auth)
    wall.at += jump
    with pytest.raises(AuthenticationFailed, match="locked"):
        auth.login("cashier", "1234")
    monotonic.seconds += FAST_PINS.lockout.total_seconds() - 1
    wall.at += FAST_PINS.lockout - timedelta(seconds=1)
    with pytest.raises(AuthenticationFailed, match="locked"):
        auth.login("cashier", "1234")
    # Both measures past the lock: it is over.
    monotonic.seconds += 2
    wall.at = WallClock().at + FAST_PINS.lockout + timedelta(seconds=1)
    assert auth.login("cashier", "1234").username == "cashier"


def test_across_runs_the_stored_utc_time_is_what_counts(shop):
    wall = WallClock()
    locked_out(AuthService(shop.uow_factory, wall, FAST_PINS, Monotonic()))
    next_run = AuthService(shop.uow_factory, wall, FAST_PINS, Monotonic())
    with pytest.raises(AuthenticationFailed, match="try again in 5 min"):
        next_run.login("cashier", "1234")
    wall.at += FAST_PINS.lockout
    assert (
        AuthService(shop.uow_factory, wall, FAST_PINS, Monotonic())
        .login("cashier", "1234")
        .username
        == "cashier"
    )


def test_an_unlock_lifts_the_lock_this_run_is_timing(shop):
    wall, monotonic = WallClock(), Monotonic()
    auth = AuthService(shop.uow_factory, wall, FAST_PINS, monotonic)
    locked_out(auth)
    owner = shop.auth.login("owner", "9999")
    shop.users.unlock(owner.user_id, "cashier")  # another service, as another till would
    assert auth.login("cashier", "1234").username == "cashier"
