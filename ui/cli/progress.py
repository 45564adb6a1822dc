"""Progress of long work on the terminal: what it is doing, how fast, how long is left."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO


class TerminalProgress:
    """app.ports.system.Progress on a terminal. On a TTY the line is redrawn in place; into a
    log or a pipe a line is written at most every ``every`` seconds, and at the end."""

    def __init__(
        self,
        stream: TextIO,
        what: str = "rows",
        every: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._what = what
        self._clock = clock
        self._tty = stream.isatty()
        self._every = 0.2 if self._tty else every
        self._started: float | None = None
        self._last = float("-inf")
        self._phase = ""
        self._open_line = False

    def report(self, done: int, total: int | None = None, message: str = "") -> None:
        now = self._clock()
        if total is None:
            if message != self._phase:
                self._phase = message
                self._write(f"{message}…", final=True)
            return
        if self._started is None:
            self._started = now
            self._last = now
            return
        if now - self._last < self._every and done < total:
            return
        self._last = now
        elapsed = max(now - self._started, 1e-6)
        rate = done / elapsed
        left = (total - done) / rate if rate > 0 else 0.0
        line = (
            f"{done:,} of {total:,} {self._what} ({rate:,.0f} {self._what}/s, "
            f"about {_duration(left)} left)"
        )
        if message:
            line += f": {message}"
        self._write(line, final=done >= total)

    def check(self) -> None:
        return None  # the terminal cancels with Ctrl-C, which the command catches

    def close(self) -> None:
        if self._open_line:
            self._stream.write("\n")
            self._open_line = False
        self._stream.flush()

    def _write(self, line: str, final: bool) -> None:
        if self._tty:
            self._stream.write("\r\x1b[K" + line)
            self._open_line = True
            if final:
                self._stream.write("\n")
                self._open_line = False
        else:
            self._stream.write(line + "\n")
        self._stream.flush()


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s"
