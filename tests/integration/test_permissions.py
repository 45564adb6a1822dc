"""Settings, tax classes and catalog prices change only through services that resolve the
acting user from the database, and each change is journaled with who and what."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.domain.catalog import ProductDraft, VariantDraft
from app.dto.catalog import TaxClassData
from app.errors import PermissionDenied
from db import models as m
from tests.conftest import user_id
from tests.terminal import ROOT


def entries(shop, kind: str) -> list[dict]:
    with shop.engines.write.connect() as connection:
        bodies = connection.execute(
            select(m.JournalEntry.body)
            .where(m.JournalEntry.kind == kind)
            .order_by(m.JournalEntry.seq)
        )
        return [json.loads(body) for (body,) in bodies]


def draft(price: str) -> list[ProductDraft]:
    return [
        ProductDraft("brack", "Barmbrack", "reduced", (VariantDraft("BRACK-1", Decimal(price)),))
    ]


def test_catalog_prices_are_changed_by_a_manager_and_journaled(shop):
    manager = user_id(shop, "manager")
    before = len(entries(shop, "price.changed"))
    shop.catalog.save_products(draft("4.50"), manager)
    shop.catalog.save_products(draft("4.95"), manager)
    shop.catalog.save_products(draft("4.95"), manager)  # no change, no entry
    added, changed = entries(shop, "price.changed")[before:]
    assert added["user"] == manager
    assert added["data"] == {
        "by": "manager",
        "prices": [{"sku": "BRACK-1", "from": None, "to": "4.50"}],
    }
    assert changed["data"]["prices"] == [{"sku": "BRACK-1", "from": "4.50", "to": "4.95"}]
    assert shop.journal.verify().ok


def test_a_cashier_or_a_disabled_manager_cannot_change_prices(shop):
    with pytest.raises(PermissionDenied, match="Changing the catalog needs a manager"):
        shop.catalog.save_products(draft("1.00"), user_id(shop, "cashier"))
    shop.users.disable(user_id(shop, "owner"), "manager")
    with pytest.raises(PermissionDenied, match="unknown or disabled"):
        shop.catalog.save_products(draft("1.00"), user_id(shop, "manager"))
    with pytest.raises(PermissionDenied, match="unknown or disabled"):
        shop.catalog.import_csv("Handle,Title\n", user_id(shop, "manager"))
    with shop.engines.write.connect() as connection:
        assert (
            connection.execute(
                select(func.count()).select_from(m.Variant).where(m.Variant.sku == "BRACK-1")
            ).scalar_one()
            == 0
        )


def test_tax_rates_and_settings_are_the_owners(shop):
    manager, owner = user_id(shop, "manager"), user_id(shop, "owner")
    with pytest.raises(PermissionDenied, match="needs the owner"):
        shop.catalog.save_tax_classes([TaxClassData("reduced", "Reduced", Decimal(9))], manager)
    with pytest.raises(PermissionDenied, match="needs the owner"):
        shop.shop.update(manager, {"shop.name": "Not Mine"})
    shop.catalog.save_tax_classes([TaxClassData("reduced", "Reduced rate", Decimal(9))], owner)
    shop.shop.update(owner, {"shop.name": "Corner Grocer", "shop.tax_id": "IE1234567X"})
    assert shop.shop.settings().name == "Corner Grocer"
    rate = entries(shop, "tax_class.saved")[-1]
    assert (rate["user"], rate["data"]["rate"], rate["data"]["previous_rate"]) == (
        owner,
        "9",
        "5.5",
    )
    setting = entries(shop, "settings.changed")[-1]
    assert setting["user"] == owner
    # Only what changed: the tax id was already that.
    assert setting["data"] == {
        "changes": {"shop.name": {"from": "Corner Grocer & Goods", "to": "Corner Grocer"}}
    }


def test_import_on_the_command_line_signs_in_a_manager_first(sqlite_shop, home, tmp_path):
    csv = tmp_path / "one.csv"
    csv.write_text("Handle,Title,Variant SKU,Variant Price\nscone,Scone,SCONE-1,2.20\n")

    def run(stdin: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "main.py",
                "--db",
                sqlite_shop.engines.url,
                "import",
                "products",
                str(csv),
            ],
            cwd=ROOT,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={"TILLWRIGHT_HOME": str(home), "PATH": os.environ["PATH"]},
        )

    wrong = run("manager\n0000\n")
    assert wrong.returncode == 2
    assert "Unknown user or wrong PIN" in wrong.stderr
    cashier = run("cashier\n1234\n")
    assert cashier.returncode == 2
    assert "Importing products needs a manager or the owner; Casey Cashier" in cashier.stderr
    nobody = run("")
    assert nobody.returncode == 2
    assert "the input ended" in nobody.stderr
    assert "Traceback" not in wrong.stderr + cashier.stderr + nobody.stderr
    assert not [p for p in entries(sqlite_shop, "price.changed") if "SCONE-1" in json.dumps(p)]

    done = run("manager\n4321\n")
    assert done.returncode == 0, done.stderr
    [priced] = [p for p in entries(sqlite_shop, "price.changed") if "SCONE-1" in json.dumps(p)]
    assert priced["user"] == user_id(sqlite_shop, "manager")
