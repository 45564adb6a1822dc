"""``main.py bench`` runs end to end on a tiny catalog and reports every metric.

Only the shape of the result is checked: performance is measured by the bench itself, never by
timed tests.
"""

from __future__ import annotations

import bench
import main
from bench.common import LABELS


def test_bench_reports_all_five_metrics_against_a_floor() -> None:
    result = bench.run_bench(main.Wiring(), products=300, compare=0)

    assert result["products"] == 300
    assert list(result["results"]) == [300]
    metrics = result["results"][300]
    assert set(metrics) == {"scan", "search", "sale", "cold_start", "memory"}
    for name, metric in metrics.items():
        assert metric.get("error") is None, f"{name}: {metric.get('error')}"
        for field in ("ours", "floor", "ratio"):
            assert isinstance(metric[field], float), (name, field, metric[field])
            assert metric[field] > 0, (name, field)
        assert metric["unit"]
        assert metric["target"]
        assert isinstance(metric["ok"], bool)
    assert result["build_seconds"][300] > 0
    table = result["table"]
    assert "| metric | catalog size | ours | floor | ratio | target | ok |" in table
    for label in LABELS.values():
        assert label in table
