"""The bench's import figures run end to end on a small file and report against a floor.

Only the shape is checked: performance is measured by ``main.py bench``, never by timed tests.
"""

from __future__ import annotations

import csv
import io

import main
from app.formats.products import parse_products_csv
from bench.imports import LABELS, import_table, measure_imports, shopify_file


def test_the_bench_file_is_a_valid_shopify_export_of_the_size_asked() -> None:
    data = shopify_file(250)

    result = parse_products_csv(data)

    assert result.problems == ()
    assert sum(len(p.variants) for p in result.products) == 250
    assert len(list(csv.reader(io.StringIO(data.decode())))) == 251


def test_import_figures_against_their_floors(tmp_path) -> None:
    figures = measure_imports(main.Wiring(), 300, tmp_path, lambda _: None)

    assert set(figures) == {"first", "longest", "again", "during"}
    for name, figure in figures.items():
        assert figure.get("error") is None, (name, figure.get("error"))
        fields = ("ours",) if name == "longest" else ("ours", "floor", "ratio")
        for field in fields:
            assert isinstance(figure[field], float) and figure[field] > 0, (name, field)
        assert isinstance(figure["ok"], bool)
    assert figures["again"]["wrote"] is False
    assert figures["during"]["failed"] == 0
    table = import_table({300: figures})
    for label in LABELS.values():
        assert label in table
