"""``main.py bench`` runs end to end on a tiny catalog and reports every metric.

Only the shape of the result is checked: performance is measured by the bench itself, never by
timed tests.
"""

from __future__ import annotations

import bench
import main
from bench.common import LABELS, METRICS


def test_bench_reports_every_metric_against_a_floor() -> None:
    result = bench.run_bench(
        main.Wiring(),
        products=300,
        compare=0,
        cold_runs=1,
        soak_sales=55,
        postgres_products=60,
        typing_gap_ms=5,
    )

    assert result["products"] == 300
    assert list(result["results"]) == [300]
    metrics = result["results"][300]
    assert set(metrics) == set(METRICS)
    assert {"till_scan_1", "till_scan_20", "till_scan_200"} <= set(metrics)
    assert set(result["postgres"]) == {"sale_postgres"}
    for name, metric in [*metrics.items(), *result["postgres"].items()]:
        assert metric.get("error") is None, f"{name}: {metric.get('error')}"
        for field in ("ours", "floor", "ratio"):
            assert isinstance(metric[field], float), (name, field, metric[field])
            assert metric[field] > 0, (name, field)
        assert metric["unit"]
        assert metric["target"]
        assert isinstance(metric["ok"], bool)
    soak = metrics["memory_soak"]
    assert soak["sales"] == 55
    assert soak["rss_mb_end"] > 0
    assert soak["rss_mb_warm"] > 0
    assert set(metrics["search_ui"]["queries"])  # the till searched for what was typed
    assert result["build_seconds"][300] > 0
    table = result["table"]
    assert "| metric | catalog size | ours | floor | ratio | target | ok |" in table
    for label in LABELS.values():
        assert label in table
    assert "200 lines ÷ 1 line" in table
