"""The till refuses to sell on a database that was deleted or replaced behind its back, and
says why on the sign-in screen (the opener's failure path), instead of seeding a new shop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

import main
from tests.conftest import make_shop
from ui.window import TillWindow


def test_a_deleted_database_is_refused_on_the_sign_in_screen(
    qtbot: Any, styled_app: QApplication, sqlite_url: str, home: Path
) -> None:
    shop = make_shop(sqlite_url, home, products=30)
    shop.journal.check_startup()  # this till has served this shop before
    shop.close()
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    database.unlink()

    opener = main.TillBackendOpener(sqlite_url, None)
    window = TillWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        with qtbot.waitSignal(window.backend_failed, timeout=30_000) as failed:
            window.open_backend(opener)
        (message,) = failed.args
        assert "deleted or replaced" in message
        login = window.login
        assert login.error_label.isVisible()
        assert login.error_label.text() == message
        assert not login.can_sign_in
        qtbot.keyClicks(login.username_field, "cashier")
        qtbot.keyClick(login.pin_field, Qt.Key.Key_Return)
        assert window.till is None  # nothing to sell with
        assert opener.context is not None
        assert main.shop_is_empty(opener.context)  # and no demo shop was seeded
    finally:
        window.shutdown()
        window.close()
        opener.close()
