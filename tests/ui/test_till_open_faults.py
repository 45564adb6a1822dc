"""The till's sign-in screen gives the same one line of advice as the command line when the
shop's database cannot be opened, through main.py's real opener (no stand-in backend)."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

import main
from app.errors import EnvironmentProblem
from ui.window import TillWindow


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _missing_folder(tmp: Path) -> str:
    return str(tmp / "gone" / "shop.db")


def _random_bytes(tmp: Path) -> str:
    (tmp / "photo.jpg").write_bytes(os.urandom(4096))
    return str(tmp / "photo.jpg")


def _cut_short(tmp: Path) -> str:
    path = tmp / "cut.db"
    main.build_context(str(path), home=tmp).close()
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)
    return str(path)


def _refused(_tmp: Path) -> str:
    return f"postgresql://postgres@127.0.0.1:{_closed_port()}/test"


def _malformed(_tmp: Path) -> str:
    return "postgresql://till@shop-server:port/shop"


FAULTS: dict[str, tuple[Callable[[Path], str], str]] = {
    "missing folder": (_missing_folder, "does not exist: create it"),
    "not a database": (_random_bytes, "is not a SQLite database"),
    "cut short": (_cut_short, "is damaged: the file is shorter than it says it is"),
    "server does not answer": (_refused, "(connection refused)"),
    "malformed URL": (_malformed, "its port must be a number"),
}


@pytest.fixture
def open_till(qtbot: Any, styled_app: QApplication) -> Iterator[Callable[[str], TillWindow]]:
    opened: list[tuple[TillWindow, main.TillBackendOpener]] = []

    def start(db: str) -> TillWindow:
        opener = main.TillBackendOpener(db, None)
        window = TillWindow()
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        with qtbot.waitSignal(window.backend_failed, timeout=30_000):
            window.open_backend(opener)
        opened.append((window, opener))
        return window

    yield start
    for window, opener in opened:
        window.shutdown()
        window.close()
        opener.close()


def _advice(db: str, home: Path) -> str:
    with pytest.raises(EnvironmentProblem) as raised:
        main.build_context(db, home=home)
    return raised.value.message


@pytest.mark.parametrize("fault", list(FAULTS))
def test_the_sign_in_screen_gives_the_advice_for(
    fault: str, open_till: Callable[[str], TillWindow], tmp_path: Path, home: Path
) -> None:
    make, says = FAULTS[fault]
    db = make(tmp_path)
    window = open_till(db)
    login = window.login
    assert login.error_label.isVisible()
    assert says in login.error_label.text()
    assert login.error_label.text() == _advice(db, home)
    assert not login.can_sign_in
    assert window.backend is None


@pytest.mark.postgres
def test_the_sign_in_screen_names_a_database_the_server_does_not_have(
    open_till: Callable[[str], TillWindow], postgres_admin_url: str, home: Path
) -> None:
    from sqlalchemy.engine import make_url

    db = make_url(postgres_admin_url).set(database="no_such_shop").render_as_string(False)
    text = open_till(db).login.error_label.text()
    assert 'has no database "no_such_shop"' in text
    assert text == _advice(db, home)
