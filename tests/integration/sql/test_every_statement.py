"""Every statement in db/sql.py is exercised by a test in this package: the one place that
says so, read from the tests' own source rather than from a list kept by hand."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from db import sql
from db.driver import Bulk

HERE = Path(__file__).resolve().parent


def _sql_texts() -> set[str]:
    """db/sql.py's public SQL: statements, fragments, per-dialect texts and the functions
    that build statements or read their rows."""
    names = set()
    for name, value in vars(sql).items():
        if name.startswith("_"):
            continue
        if name.isupper() and isinstance(value, str | Bulk):
            names.add(name)
        elif name.isupper() and isinstance(value, dict):
            assert all(isinstance(text, str) for text in value.values()), name
            names.add(name)
        elif inspect.isfunction(value) and value.__module__ == sql.__name__:
            names.add(name)
    return names


def _used_by_tests() -> set[str]:
    """``sql.NAME`` as the test functions of this package write it."""
    used = set()
    for path in HERE.glob("test_*.py"):
        if path.resolve() == Path(__file__).resolve():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "sql"
            ):
                used.add(node.attr)
    return used


def test_the_check_sees_db_sqls_statements_and_their_kinds() -> None:
    texts = _sql_texts()
    # One of each kind, so that the check below cannot pass by seeing nothing.
    assert {"BY_CODE", "UPSERT_PRODUCT", "DATABASE_NOW", "READ_SNAPSHOT", "ITEM_COLUMNS"} <= texts
    assert {"search_statement", "item_from_row"} <= texts
    assert texts.isdisjoint({"MIN_TRIGRAM", "NAME_START_CANDIDATES", "Bulk", "CartItem"})


def test_every_statement_in_db_sql_is_tested_here() -> None:
    untested = _sql_texts() - _used_by_tests()

    assert not untested, f"db/sql.py has statements no test in {HERE.name}/ runs: {untested}"
