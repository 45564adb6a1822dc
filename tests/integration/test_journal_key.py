"""The optional journal key (HMAC-SHA-256) kept in the OS keyring, outside the database.

The keyring is python ``keyring`` itself, with a backend class set in the test
(``keyring.set_keyring``): an in-memory one that keyring would recommend, its own failing
one, and keyrings.alt's plain-text file one.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyrings.alt.file import PlaintextKeyring
from sqlalchemy import text

import main
from app.domain.journal import Keying
from app.errors import EnvironmentProblem, JournalKeyMissing, PermissionDenied, UserError
from tests.conftest import FAST_PINS
from tests.integration.helpers import tamper
from tests.integration.test_journal import cli, sell


class MemoryKeyring(KeyringBackend):
    """A keyring backend keeping secrets in this process, as trusted as an OS keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


@pytest.fixture
def keyring_backend() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


def owner(shop):  # type: ignore[no-untyped-def]
    return shop.auth.login("owner", "9999").user_id


def test_after_key_create_every_new_entry_is_keyed_and_verify_says_so(shop, keyring_backend):
    before = sell(shop, 2)[-1].journal_seq
    done = shop.journal.create_key(owner(shop), "T1")
    assert done.from_seq == before + 1
    assert "MemoryKeyring" in done.store
    assert len(keyring_backend.secrets) == 1  # the key lives in the keyring, not the database
    receipts = sell(shop, 2, first=5)
    with shop.engines.write.connect() as connection:
        bodies = [
            json.loads(body)
            for (body,) in connection.exec_driver_sql("SELECT body FROM journal_entry ORDER BY seq")
        ]
        settings = connection.exec_driver_sql("SELECT value FROM shop_setting").scalars().all()
    key_hex = next(iter(keyring_backend.secrets.values()))
    assert all(key_hex not in value for value in settings)
    assert [b.get("key") for b in bodies] == [None] * before + [done.key_id] * 3
    assert bodies[before]["kind"] == "journal.keyed"
    result = shop.journal.verify()
    assert result.ok, result.problems
    assert result.keying is Keying.KEYED
    assert receipts[-1].journal_seq == before + 3


def test_someone_who_can_write_the_database_cannot_recompute_a_keyed_entry(shop, keyring_backend):
    from app.domain.journal import chain_hash

    shop.journal.create_key(owner(shop), "T1")
    seq = sell(shop, 2)[0].journal_seq
    with shop.engines.write.connect() as connection:
        prev, body = connection.execute(
            text("SELECT prev_hash, body FROM journal_entry WHERE seq = :seq"), {"seq": seq}
        ).one()
    forged = body.replace('"cashier"', '"cashier"').replace('"total":"', '"total":"1')
    tamper(
        shop.engines,
        "UPDATE journal_entry SET body = :body, hash = :hash WHERE seq = :seq",
        body=forged,
        seq=seq,
        hash=chain_hash(prev, forged),  # the forger has no key: plain SHA-256
    )
    result = shop.journal.verify()
    assert result.bad_seq == seq
    assert f"entry {seq} has been altered" in result.problem


def test_a_till_without_the_key_refuses_to_journal_and_verify_says_key_missing(
    shop, home, keyring_backend
):
    shop.journal.create_key(owner(shop), "T1")
    exported = shop.journal.export_key(owner(shop))
    other_keyring = MemoryKeyring()
    keyring.set_keyring(other_keyring)  # another computer: its keyring lacks the key
    other = main.build_context(shop.engines.url, home=home, pin_policy=FAST_PINS, migrate=False)
    try:
        with pytest.raises(JournalKeyMissing, match="journal key import"):
            sell(other, 1)
        result = other.journal.verify()
        assert result.keying is Keying.KEY_MISSING
        assert not result.ok
        assert result.problem.startswith("key missing")
        with pytest.raises(UserError, match="not this shop's journal key"):
            other.journal.import_key(owner(other), "ab" * 32)
        assert other.journal.import_key(owner(other), exported) == shop.journal.head().key_id
        assert sell(other, 1)[0].receipt_no == 1
        assert other.journal.verify().keying is Keying.KEYED
    finally:
        other.close()


def test_only_the_owner_may_create_the_key_and_only_once(shop, keyring_backend):
    cashier = shop.auth.login("cashier", "1234")
    with pytest.raises(PermissionDenied, match="owner"):
        shop.journal.create_key(cashier.user_id, "T1")  # the role is read from the database
    with pytest.raises(PermissionDenied, match="unknown or disabled"):
        shop.journal.create_key(cashier.user_id + 1000, "T1")
    shop.journal.create_key(owner(shop), "T1")
    with pytest.raises(UserError, match="already keyed"):
        shop.journal.create_key(owner(shop), "T1")


@pytest.mark.parametrize(
    ("backend", "why"),
    [
        (fail.Keyring(), "this computer has no OS keyring"),
        ("plaintext", "keeps secrets in plain text"),
    ],
)
def test_no_key_is_made_without_a_safe_keyring(sqlite_shop, tmp_path, backend, why):
    before = keyring.get_keyring()
    if backend == "plaintext":
        backend = PlaintextKeyring()
        backend.file_path = str(tmp_path / "plaintext.cfg")
    keyring.set_keyring(backend)
    try:
        with pytest.raises(EnvironmentProblem, match=why) as refused:
            sqlite_shop.journal.create_key(owner(sqlite_shop), "T1")
        assert "TILLWRIGHT_SECRETS=file" in refused.value.message
        assert sqlite_shop.journal.head().key_id is None
        assert not (tmp_path / "plaintext.cfg").exists()
    finally:
        keyring.set_keyring(before)


def test_the_command_line_keys_the_journal_with_the_file_fallback(sqlite_shop, home):
    keyed_from = sell(sqlite_shop, 1)[0].journal_seq + 1
    url = sqlite_shop.engines.url
    env_file = {"TILLWRIGHT_SECRETS": "file"}
    refused = cli(home, url, "journal", "key", "create", stdin="owner\n9999\n")
    assert refused.returncode == 2  # this machine's keyring is the failing one
    assert "Cannot keep the journal key safely" in refused.stderr
    created = cli(home, url, "journal", "key", "create", stdin="owner\n9999\n", env=env_file)
    assert created.returncode == 0, created.stderr
    assert f"Journal keyed from entry {keyed_from}" in created.stdout
    assert "Warning: secrets are kept in the file" in created.stderr
    secrets_file = home / "secrets.json"
    assert stat.S_IMODE(os.stat(secrets_file).st_mode) == 0o600
    assert "9999" not in created.stdout + created.stderr
    verified = cli(home, url, "journal", "verify", env=env_file)
    assert verified.returncode == 0, verified.stderr
    assert "; keyed;" in verified.stdout
    unkeyed = cli(home, url, "journal", "verify")  # the keyring, which lacks the key
    assert unkeyed.returncode == 4
    assert "key missing" in unkeyed.stderr
    wrong_pin = cli(home, url, "journal", "key", "export", stdin="owner\n0000\n", env=env_file)
    assert wrong_pin.returncode == 2
    assert "wrong PIN" in wrong_pin.stderr
