"""Asking a person on the terminal: answers, PINs (never echoed), and who they are.

Prompts go to stderr so that stdout stays the command's output. On a terminal PINs are read
with getpass, which turns echo off; when input is not a terminal (a pipe from a script) each
answer, PINs included, is the next line of standard input.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from typing import TypeVar

from app.domain.users import Operator, Permission
from app.errors import Cancelled, PermissionDenied, UserError
from ui.cli.wiring import CliContext

T = TypeVar("T")
TRIES = 3


class Terminal:
    def say(self, text: str) -> None:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def ask(self, prompt: str, default: str = "") -> str:
        """One answer; an empty answer takes ``default`` (shown in brackets)."""
        shown = f"{prompt} [{default}]: " if default else f"{prompt}: "
        answer = self._line(shown).strip()
        return answer or default

    def secret(self, prompt: str) -> str:
        """A PIN: not echoed on a terminal."""
        if not sys.stdin.isatty():
            return self._line(f"{prompt}: ").strip()
        try:
            return getpass.getpass(f"{prompt}: ").strip()
        except (KeyboardInterrupt, EOFError):
            raise Cancelled("Stopped at the PIN prompt; nothing was changed") from None

    def ask_checked(self, prompt: str, check: Callable[[str], T], default: str = "") -> T:
        """Ask until ``check`` accepts the answer (it raises UserError saying why not)."""
        for _ in range(TRIES - 1):
            try:
                return check(self.ask(prompt, default))
            except UserError as error:
                self.say(f"  {error.message}")
        return check(self.ask(prompt, default))

    def new_pin(self, prompt: str, check: Callable[[str], str]) -> str:
        """A new PIN typed twice; ``check`` is the strength rule."""
        for attempt in range(1, TRIES + 1):
            last = attempt == TRIES
            pin = self.secret(prompt)
            try:
                check(pin)
            except UserError as error:
                if last:
                    raise
                self.say(f"  {error.message}")
                continue
            if self.secret(f"{prompt} again") == pin:
                return pin
            if last:
                break
            self.say("  The two PINs were not the same; once more")
        raise UserError("The two PINs were not the same; nothing was changed")

    def _line(self, prompt: str) -> str:
        sys.stderr.write(prompt)
        sys.stderr.flush()
        try:
            line = sys.stdin.readline()
        except KeyboardInterrupt:
            raise Cancelled("Stopped; nothing was changed") from None
        if not sys.stdin.isatty():
            sys.stderr.write("\n")  # the answer was not echoed: end the prompt's line
        if not line:
            raise UserError(
                f"No answer to {prompt.strip()!r}: the input ended; nothing was changed"
            )
        return line.rstrip("\r\n")


def sign_in(context: CliContext, terminal: Terminal, permission: Permission, what: str) -> Operator:
    """The person at the terminal, by user name and PIN, if they may do ``what``."""
    username = terminal.ask("Your user name (a manager or the owner)")
    if not username:
        raise UserError(f"{what} needs a manager's or the owner's user name and PIN")
    operator = context.auth.login(username, terminal.secret("Your PIN"))
    if not operator.can(permission):
        raise PermissionDenied(
            f"{what} needs a manager or the owner; {operator.display_name} is a "
            f"{operator.role.value}"
        )
    return operator
