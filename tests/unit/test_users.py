"""Unit tests for app.domain.users: roles and permissions, PIN hashing, lockout."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.users import (
    ROLE_PERMISSIONS,
    Operator,
    Permission,
    PinPolicy,
    Role,
    check_display_name,
    check_pin_format,
    check_pin_strength,
    check_username,
    dummy_pin_hash,
    hash_pin,
    is_locked,
    verify_pin,
)
from app.errors import UserError

CHEAP = PinPolicy(scrypt_log2_n=10)

PROPERTY = settings(deadline=None, max_examples=25)


def operator(role: Role) -> Operator:
    return Operator(1, role.value, role.value.title(), role)


# PIN format ---------------------------------------------------------------------------


@pytest.mark.parametrize("pin", ["1234", "000000", "12345678"])
def test_check_pin_format_accepts_four_to_eight_digits(pin: str) -> None:
    assert check_pin_format(pin) == pin


@pytest.mark.parametrize("pin", ["", "12", "123", "abcd", "12a4", "123456789", "12 34", " 1234"])
def test_check_pin_format_rejects_anything_else(pin: str) -> None:
    with pytest.raises(UserError, match="4 to 8 digits"):
        check_pin_format(pin)


# Hashing ------------------------------------------------------------------------------


def test_a_hashed_pin_verifies() -> None:
    stored = hash_pin("1234", CHEAP)
    assert verify_pin("1234", stored)


def test_a_wrong_pin_does_not_verify() -> None:
    stored = hash_pin("1234", CHEAP)
    assert not verify_pin("1235", stored)
    assert not verify_pin("", stored)
    assert not verify_pin("12345", stored)


def test_the_hash_records_its_cost_and_a_fresh_salt() -> None:
    first = hash_pin("1234", CHEAP)
    second = hash_pin("1234", CHEAP)
    scheme, ln, r, p, salt, digest = first.split("$")
    assert (scheme, ln, r, p) == ("scrypt", "10", "8", "1")
    assert len(base64.b64decode(salt)) == 16
    assert len(base64.b64decode(digest)) == 32
    assert first != second  # per-hash salt
    assert "1234" not in first


def test_a_hash_made_at_another_cost_still_verifies() -> None:
    stored = hash_pin("9876", PinPolicy(scrypt_log2_n=11, scrypt_r=4))
    assert stored.split("$")[1:3] == ["11", "4"]
    assert verify_pin("9876", stored)


def test_a_tampered_digest_does_not_verify() -> None:
    stored = hash_pin("1234", CHEAP)
    head, digest = stored.rsplit("$", 1)
    raw = bytearray(base64.b64decode(digest))
    raw[0] ^= 1
    assert not verify_pin("1234", f"{head}${base64.b64encode(bytes(raw)).decode()}")


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "1234",
        "not-a-hash",
        "scrypt$10$8$1$c2FsdA==",  # a part missing
        "bcrypt$10$8$1$c2FsdA==$ZGlnZXN0",  # another scheme
        "scrypt$ten$8$1$c2FsdA==$ZGlnZXN0",  # cost is not a number
        "scrypt$-1$8$1$c2FsdA==$ZGlnZXN0",  # negative cost
        "scrypt$0$8$1$c2FsdA==$ZGlnZXN0",  # n = 1 is not allowed by scrypt
        "scrypt$10$0$1$c2FsdA==$ZGlnZXN0",  # r = 0
        "scrypt$10$8$0$c2FsdA==$ZGlnZXN0",  # p = 0
        "scrypt$200$8$1$c2FsdA==$ZGlnZXN0",  # absurd cost
        "scrypt$10$8$1$c2Fsd$ZGlnZXN0",  # bad base64 padding
        "scrypt$10$8$1$c2FsdA==$ZGlnZXN0$extra",
        "scrypt$10$8$1$sält$ZGlnZXN0",  # non-ASCII base64
    ],
)
def test_a_malformed_stored_hash_never_verifies(stored: str) -> None:
    assert verify_pin("1234", stored) is False


@PROPERTY
@given(pin=st.text(alphabet="0123456789", min_size=4, max_size=8))
def test_any_valid_pin_round_trips_and_a_different_one_fails(pin: str) -> None:
    stored = hash_pin(check_pin_format(pin), CHEAP)
    assert verify_pin(pin, stored)
    other = pin[:-1] + str((int(pin[-1]) + 1) % 10)
    assert not verify_pin(other, stored)


@PROPERTY
@given(stored=st.text(max_size=80))
def test_verify_pin_answers_false_for_arbitrary_stored_text(stored: str) -> None:
    assert verify_pin("1234", stored) is False


small_fields = st.integers(min_value=-3, max_value=12).map(str) | st.text(max_size=6)
b64_fields = st.binary(max_size=40).map(lambda b: base64.b64encode(b).decode()) | st.text(
    max_size=12
)


@PROPERTY
@given(
    ln=small_fields,
    r=st.integers(min_value=-1, max_value=9).map(str) | st.text(max_size=3),
    p=st.integers(min_value=-1, max_value=2).map(str) | st.text(max_size=3),
    salt=b64_fields,
    digest=b64_fields,
)
def test_verify_pin_answers_false_for_any_scrypt_shaped_garbage(
    ln: str, r: str, p: str, salt: str, digest: str
) -> None:
    stored = "$".join(["scrypt", ln, r, p, salt, digest])
    assert verify_pin("1234", stored) is False


# Roles and permissions ----------------------------------------------------------------


def test_a_cashier_can_sell_and_park_but_not_override_or_discount() -> None:
    cashier = operator(Role.CASHIER)
    assert cashier.can(Permission.SELL)
    assert cashier.can(Permission.PARK_SALE)
    assert not cashier.can(Permission.OVERRIDE_PRICE)
    assert not cashier.can(Permission.GIVE_DISCOUNT)
    assert not cashier.can(Permission.MANAGE_CATALOG)
    assert not cashier.can(Permission.MANAGE_USERS)
    assert not cashier.can(Permission.VIEW_JOURNAL)


def test_a_manager_can_override_and_discount_but_not_manage_users() -> None:
    manager = operator(Role.MANAGER)
    assert manager.can(Permission.OVERRIDE_PRICE)
    assert manager.can(Permission.GIVE_DISCOUNT)
    assert manager.can(Permission.MANAGE_CATALOG)
    assert manager.can(Permission.VIEW_JOURNAL)
    assert manager.can(Permission.SELL)
    assert not manager.can(Permission.MANAGE_USERS)


@pytest.mark.parametrize("permission", list(Permission))
def test_the_owner_has_every_permission(permission: Permission) -> None:
    assert operator(Role.OWNER).can(permission)


def test_roles_are_nested_cashier_within_manager_within_owner() -> None:
    assert ROLE_PERMISSIONS[Role.CASHIER] < ROLE_PERMISSIONS[Role.MANAGER]
    assert ROLE_PERMISSIONS[Role.MANAGER] < ROLE_PERMISSIONS[Role.OWNER]
    assert set(ROLE_PERMISSIONS) == set(Role)


# Lockout ------------------------------------------------------------------------------

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locked_until", "locked"),
    [
        (None, False),
        (NOW + timedelta(seconds=1), True),
        (NOW + timedelta(minutes=5), True),
        (NOW, False),
        (NOW - timedelta(seconds=1), False),
    ],
)
def test_is_locked_until_the_lockout_ends(locked_until: datetime | None, locked: bool) -> None:
    assert is_locked(locked_until, NOW) is locked


def test_default_policy_is_strong_and_locks_after_five_failures() -> None:
    policy = PinPolicy()
    assert policy.scrypt_log2_n >= 14
    assert policy.max_failures == 5
    assert policy.lockout == timedelta(minutes=5)


def test_the_default_production_cost_round_trips() -> None:
    # The one place the real scrypt cost runs; everything else uses a cheap policy.
    stored = hash_pin("4321", PinPolicy())
    assert stored.split("$")[1] == str(PinPolicy().scrypt_log2_n)
    assert verify_pin("4321", stored)
    assert not verify_pin("4322", stored)


# PINs a person chooses ----------------------------------------------------------------


@pytest.mark.parametrize("pin", ["482916", "2580", "1357", "9021", "123459", "1123"])
def test_a_good_pin_passes_the_strength_rule(pin: str) -> None:
    assert check_pin_strength(pin) == pin


@pytest.mark.parametrize("pin", ["1111", "000000", "99999999"])
def test_one_digit_repeated_is_refused(pin: str) -> None:
    with pytest.raises(UserError, match="one digit repeated"):
        check_pin_strength(pin)


@pytest.mark.parametrize("pin", ["1234", "4321", "2345", "0123", "9876", "7890", "3210", "123456"])
def test_a_run_up_or_down_is_refused(pin: str) -> None:
    with pytest.raises(UserError, match="counts up or down"):
        check_pin_strength(pin)


@pytest.mark.parametrize("pin", ["", "1", "12", "135", "12a4", "123456789"])
def test_the_strength_rule_also_wants_four_to_eight_digits(pin: str) -> None:
    with pytest.raises(UserError, match="4 to 8 digits"):
        check_pin_strength(pin)


def test_the_demo_pins_are_weak_by_this_rule() -> None:
    # Which is why only the demo seeder may bypass it (app.services.demo).
    for pin in ("1234", "4321", "9999"):
        with pytest.raises(UserError):
            check_pin_strength(pin)


# Who manages whom ---------------------------------------------------------------------


def test_a_manager_manages_cashiers_only() -> None:
    manager = operator(Role.MANAGER)
    assert manager.may_manage(Role.CASHIER)
    assert not manager.may_manage(Role.MANAGER)
    assert not manager.may_manage(Role.OWNER)
    assert not manager.can(Permission.MANAGE_SETTINGS)


def test_an_owner_manages_everyone_and_a_cashier_nobody() -> None:
    assert all(operator(Role.OWNER).may_manage(role) for role in Role)
    assert not any(operator(Role.CASHIER).may_manage(role) for role in Role)


# The dummy hash for unknown users ------------------------------------------------------


def test_the_dummy_hash_costs_what_the_policy_costs_and_matches_no_pin() -> None:
    policy = PinPolicy(scrypt_log2_n=11, scrypt_r=4)
    dummy = dummy_pin_hash(policy)
    assert dummy.split("$")[:4] == hash_pin("2580", policy).split("$")[:4]
    assert not any(verify_pin(pin, dummy) for pin in ("0000", "1234", "482916", ""))


def test_verifying_against_the_dummy_runs_scrypt_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    calls: list[int] = []
    real = hashlib.scrypt

    def counting(*args: object, **kwargs: object) -> bytes:
        calls.append(int(kwargs["n"]))  # type: ignore[call-overload]
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(hashlib, "scrypt", counting)
    verify_pin("1234", dummy_pin_hash(CHEAP))
    assert calls == [1 << CHEAP.scrypt_log2_n]


# Names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "stored"), [("Aoife", "aoife"), (" sean_2 ", "sean_2")])
def test_user_names_are_stored_lower_case(raw: str, stored: str) -> None:
    assert check_username(raw) == stored


@pytest.mark.parametrize("raw", ["", "2pac", "séan", "a b", "x" * 41, "a-b"])
def test_bad_user_names_are_refused(raw: str) -> None:
    with pytest.raises(UserError, match="user name"):
        check_username(raw)


def test_a_full_name_is_needed_and_tidied() -> None:
    assert check_display_name("  Aoife   Byrne ") == "Aoife Byrne"
    with pytest.raises(UserError, match="full name"):
        check_display_name("   ")
