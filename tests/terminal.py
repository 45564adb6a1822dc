"""Run a command on a real pseudo-terminal, as a person at a keyboard would: getpass reads the
PIN from /dev/tty with echo off, so the transcript shows whether anything was echoed."""

from __future__ import annotations

import fcntl
import os
import select
import subprocess
import termios
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class _Transcript:
    """Everything the terminal showed, read as it comes."""

    def __init__(self, fd: int, deadline: float) -> None:
        self.fd = fd
        self.deadline = deadline
        self.seen = bytearray()

    def read_some(self) -> bool:
        """False once the other end has closed."""
        remaining = self.deadline - time.monotonic()
        ready, _, _ = select.select([self.fd], [], [], max(0.0, remaining))
        if not ready:
            raise AssertionError(f"timed out; the terminal showed {bytes(self.seen)!r}")
        try:
            chunk = os.read(self.fd, 4096)
        except OSError:  # EIO on Linux: the command ended and closed the terminal
            return False
        self.seen.extend(chunk)
        return bool(chunk)

    def wait_for(self, text: bytes, start: int) -> int:
        """Read until ``text`` shows after ``start``; returns where it ends."""
        while (found := self.seen.find(text, start)) < 0:
            if not self.read_some():
                raise AssertionError(f"ended before {text!r}: {bytes(self.seen)!r}")
        return found + len(text)


def on_terminal(
    args: Sequence[str],
    conversation: Sequence[tuple[str, str]],
    env: dict[str, str],
    timeout: float = 90,
) -> tuple[int, str]:
    """Run ``args`` with a pty as its controlling terminal; for each (prompt, answer) wait for
    the prompt, then type the answer and Enter. Returns the exit code and all it showed."""
    controller, terminal = os.openpty()

    def take_terminal() -> None:  # in the child, after setsid: the pty becomes its /dev/tty
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        list(args),
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        cwd=ROOT,
        env=env,
        start_new_session=True,
        preexec_fn=take_terminal,
    )
    os.close(terminal)
    transcript = _Transcript(controller, time.monotonic() + timeout)
    try:
        position = 0
        for prompt, answer in conversation:
            position = transcript.wait_for(prompt.encode(), position)
            os.write(controller, answer.encode() + b"\r")
        while transcript.read_some():
            pass
        code = process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(controller)
    return code, transcript.seen.decode(errors="replace")
