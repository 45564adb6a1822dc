"""Smoke test: ``main.py run`` on a real X server, driven by real key presses.

The other UI tests use Qt's offscreen platform, which needs none of the X11 libraries that
PySide6's ``xcb`` plugin links to; a machine without them cannot open the till at all, and
only a real X server shows it. Here the till runs on Xvfb with ``QT_QPA_PLATFORM=xcb``,
xdotool types as a cashier would (sign in, scan, F12, Enter for exact cash), and the sale is
looked for in the database. ``make test`` installs Xvfb, xdotool and ImageMagick (for the
screenshot taken when it fails) as root, or names them (tools/check_qt_libs.py).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.cli import ROOT, child_env, run_main

NEEDED = {"Xvfb": "xvfb", "xdotool": "xdotool", "import": "imagemagick"}
BARCODE = "5000000010004"  # the README's first demo item: a packaged, stock-tracked product


def _missing_tools() -> list[str]:
    return [package for command, package in NEEDED.items() if shutil.which(command) is None]


@pytest.fixture
def display(tmp_path: Path) -> Iterator[str]:
    """A fresh Xvfb server at 1366×768 on a free display number."""
    missing = _missing_tools()
    assert not missing, f"the X11 smoke test needs: sudo apt-get install -y {' '.join(missing)}"
    read, write = os.pipe()
    with (tmp_path / "xvfb.log").open("w") as log:
        server = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
            pass_fds=(write,),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    os.close(write)
    try:
        with os.fdopen(read) as announced:
            number = announced.readline().strip()
        assert number, f"Xvfb did not start: {(tmp_path / 'xvfb.log').read_text()}"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _xdotool(display: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["xdotool", *args],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )


def _screenshot(display: str, where: Path) -> str:
    done = subprocess.run(
        ["import", "-window", "root", str(where)],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        timeout=20,
        check=False,
    )
    return str(where) if done.returncode == 0 else f"(no screenshot: {done.stderr!r})"


def _sales(database: Path) -> list[tuple[int, str, int]]:
    """(receipt number, SKU, payments) of each sale line in the database."""
    connection = sqlite3.connect(database)
    try:
        return connection.execute(
            "SELECT s.receipt_no, l.sku, (SELECT count(*) FROM payment p WHERE p.sale_id = s.id) "
            "FROM sale s JOIN sale_line l ON l.sale_id = s.id"
        ).fetchall()
    finally:
        connection.close()


def _ring_up_one_sale(display: str, till: subprocess.Popen[bytes], database: Path) -> str | None:
    """Sign in, scan, pay exact cash with key presses; what went wrong, or None."""
    # The title names the shop once its database is open behind the sign-in screen.
    deadline = time.monotonic() + 20
    found = _xdotool(display, "search", "--onlyvisible", "--name", "Corner Grocer")
    while found.returncode != 0:
        if till.poll() is not None:
            return f"the till exited with code {till.returncode} before its window showed"
        if time.monotonic() > deadline:
            return "no till window on the X server after 20 s"
        time.sleep(0.3)
        found = _xdotool(display, "search", "--onlyvisible", "--name", "Corner Grocer")
    steps: list[tuple[str, ...]] = [
        # No "windowfocus": a till PC with no window manager has nobody to give the window
        # the keyboard, so the till must take it itself (its F-keys need it).
        ("type", "--delay", "40", "cashier"),
        ("key", "Return"),
        ("type", "--delay", "40", "1234"),
        ("key", "Return"),
        ("sleep", "3"),  # the PIN is checked with scrypt on the database worker
        ("type", "--delay", "40", BARCODE),
        ("key", "Return"),
        ("sleep", "1"),
        ("key", "F12"),
        ("sleep", "2"),  # the amount due is on screen before Enter takes it as exact cash
        ("key", "Return"),
    ]
    for step in steps:
        done = _xdotool(display, *step)
        if done.returncode != 0:
            return f"xdotool {' '.join(step)} failed: {done.stderr}"
    deadline = time.monotonic() + 10
    while not _sales(database) and time.monotonic() < deadline:
        time.sleep(0.2)
    sales = _sales(database)
    if sales != [(1, "G000001", 1)]:
        return f"expected one cash sale of G000001 in {database}, found {sales}"
    if till.poll() is not None:
        return f"the till exited with code {till.returncode} after the sale"
    return None


def test_a_cashier_rings_up_a_sale_on_a_real_x_server(display: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    seeded = run_main("demo", "--products", "200", home=home)
    assert seeded.returncode == 0, seeded.stderr

    env = child_env(home, DISPLAY=display, QT_QPA_PLATFORM="xcb")
    output = tmp_path / "till.log"
    with output.open("w") as log:
        till = subprocess.Popen(
            [sys.executable, "main.py", "run"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
    try:
        problem = _ring_up_one_sale(display, till, home / "tillwright.db")
        if problem is not None:
            shot = _screenshot(display, tmp_path / "till.png")
            pytest.fail(
                f"{problem}; screenshot: {shot}; the till said: {output.read_text()[-2000:]}"
            )
    finally:
        till.terminate()
        till.wait(timeout=20)
    assert "Traceback" not in output.read_text()
