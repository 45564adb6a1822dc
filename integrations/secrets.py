"""Secrets kept outside the database: the OS keyring (python ``keyring``), or, only when asked
for with ``TILLWRIGHT_SECRETS=file``, a file readable by this user alone.

``keyring`` picks a backend by itself; on a machine with no keyring daemon it may pick one that
fails on every call, and with ``keyrings.alt`` installed one that keeps secrets in plain text.
Neither is a safe place for the journal key, so :meth:`KeyringSecretStore.check_safe` refuses
any backend ``keyring`` itself does not recommend, and says what to do instead.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from pathlib import Path

from app.errors import EnvironmentProblem

log = logging.getLogger(__name__)

SERVICE = "tillwright"
FILE_SETTING = "TILLWRIGHT_SECRETS"


class KeyringSecretStore:
    """Implements app.ports.system.SecretStore with the OS keyring. ``keyring`` is imported
    on first use: it looks for its backends when loaded, which the till's start need not wait
    for."""

    warning = ""

    @staticmethod
    def _backend() -> object:
        """The backend ``keyring`` chose; its own configuration may be unreadable (another
        user's home, a broken file), which is this computer's problem, said as such."""
        try:
            import keyring

            return keyring.get_keyring()
        except Exception as error:
            raise EnvironmentProblem(
                f"The OS keyring cannot be used here ({type(error).__name__}: {error}); check "
                "the keyring's configuration, or set TILLWRIGHT_SECRETS=file"
            ) from None

    @property
    def description(self) -> str:
        backend = self._backend()
        return f"the OS keyring ({type(backend).__module__}.{type(backend).__name__})"

    def check_safe(self) -> None:
        import keyring
        from keyring.backends import chainer, fail, null

        backend = self._backend()
        chained = (
            list(backend.backends) if isinstance(backend, chainer.ChainerBackend) else [backend]
        )
        name = ", ".join(f"{type(b).__module__}.{type(b).__name__}" for b in chained) or "none"
        if not chained or all(isinstance(b, fail.Keyring | null.Keyring) for b in chained):
            why = f"this computer has no OS keyring ({name})"
        elif not any(keyring.core.recommended(b) for b in chained):
            why = f"the only keyring here ({name}) keeps secrets in plain text or is untrusted"
        else:
            return
        raise EnvironmentProblem(
            f"Cannot keep the journal key safely: {why}. Install and unlock a keyring "
            "(GNOME Keyring or KWallet on Linux), or set TILLWRIGHT_SECRETS=file to keep it in "
            "a file that only your user can read."
        )

    def get(self, name: str) -> str | None:
        try:
            self._backend()
        except EnvironmentProblem as problem:  # no usable keyring: nothing is kept in it
            log.warning("%s", problem.message)
            return None
        import keyring
        from keyring.errors import KeyringError, NoKeyringError

        try:
            return keyring.get_password(SERVICE, name)
        except NoKeyringError:  # no keyring on this computer: nothing is kept in it
            return None
        except KeyringError as error:  # a locked or broken one: the secret is not to be had
            log.warning("the keyring could not be read: %s", error)
            return None

    def set(self, name: str, value: str) -> None:
        import keyring
        from keyring.errors import KeyringError

        self.check_safe()
        try:
            keyring.set_password(SERVICE, name, value)
        except KeyringError as error:
            raise EnvironmentProblem(f"The keyring refused the secret: {error}") from None


class FileSecretStore:
    """Implements app.ports.system.SecretStore with a JSON file of mode 0600 (a fallback the
    owner chose: anyone who can read this user's files can read the secrets)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def description(self) -> str:
        return f"the file {self.path}"

    @property
    def warning(self) -> str:
        return (
            f"Warning: secrets are kept in the file {self.path} (TILLWRIGHT_SECRETS=file), "
            "readable by anyone who can read this user's files; back it up with care."
        )

    def check_safe(self) -> None:
        return None  # chosen by the owner, with the warning above

    def _all(self) -> dict[str, str]:
        try:
            found = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise EnvironmentProblem(f"The secrets file {self.path} is damaged: {error}") from None
        return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}

    def get(self, name: str) -> str | None:
        return self._all().get(name)

    def set(self, name: str, value: str) -> None:
        secrets = {**self._all(), name: value}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".secrets.")
        try:
            os.fchmod(handle, 0o600)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(secrets, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise


def secret_store(home: Path) -> KeyringSecretStore | FileSecretStore:
    """The OS keyring, or the file in the data directory when ``TILLWRIGHT_SECRETS=file``."""
    if os.environ.get(FILE_SETTING, "").strip().lower() == "file":
        return FileSecretStore(home / "secrets.json")
    return KeyringSecretStore()
