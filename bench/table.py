"""The Markdown table the README keeps."""

from __future__ import annotations

from typing import Any

from bench.common import LABELS, MEMORY_LIMIT_MB, METRICS


def number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "µs":
        return f"{value:.0f} µs"
    if unit == "ms":
        return f"{value:.2f} ms" if value < 10 else f"{value:.0f} ms"
    return f"{value:.0f} {unit}"


def row(name: str, size: int, r: dict[str, Any]) -> str:
    ours = number(r["ours"], r["unit"])
    if "max_ours" in r:
        ours += f" (p95 {number(r['p95_ours'], r['unit'])}, max {number(r['max_ours'], r['unit'])})"
    elif "p95_ours" in r:
        ours += f" (p95 {number(r['p95_ours'], r['unit'])})"
    ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}×"
    ok = "yes" if r["ok"] else "**no**"
    if r.get("error"):
        ok += f" ({r['error'][:120]})"
    return (
        f"| {LABELS[name]} | {size:,} | {ours} | "
        f"{number(r['floor'], r['unit'])} | {ratio} | {r['target']} | {ok} |"
    )


def table(
    results: dict[int, dict[str, dict[str, Any]]],
    builds: dict[int, float],
    extra: dict[str, dict[str, Any]] | None = None,
) -> str:
    """The README's table: each metric at each size, then the once-per-run rows (``extra``:
    the PostgreSQL sale), then notes."""
    rows = [
        "| metric | catalog size | ours | floor | ratio | target | ok |",
        "|---|---:|---:|---:|---:|---|:-:|",
    ]
    for name in METRICS:
        for size, metrics in results.items():
            rows.append(row(name, size, metrics[name]))
    for name, r in (extra or {}).items():
        rows.append(row(name, r.get("catalog", 0), r))
    lines = ["\n".join(rows), ""]
    for size, seconds in builds.items():
        lines.append(f"- Catalog build ({size:,} products, through the services): {seconds:.1f} s")
    for size, metrics in results.items():
        parts = metrics["scan"].get("parts_median_us", {})
        if parts:
            lines.append(
                f"- Scan parts at {size:,} (medians): "
                + ", ".join(f"{name} {value:.0f} µs" for name, value in parts.items())
            )
        cold = metrics["cold_start"]
        if cold.get("backend_ms"):
            lines.append(
                f"- Cold start at {size:,}: window on screen and taking keys (READY) "
                f"{cold['ours']:.0f} ms; database open and sign-in possible (BACKEND) "
                f"{cold['backend_ms']:.0f} ms"
            )
        if cold.get("peak_mb_ours"):
            till = cold["peak_mb_ours"]
            verdict = "under" if till < MEMORY_LIMIT_MB else "**over**"
            lines.append(
                f"- Till process peak RSS (whole run), {size:,} products: {till:.0f} MB "
                f"({verdict} {MEMORY_LIMIT_MB:g} MB; bare PySide6 window "
                f"{cold['peak_mb_floor']:.0f} MB)"
            )
    for size, metrics in results.items():
        flat = [metrics.get(f"till_scan_{n}") for n in (1, 20, 200)]
        if all(m is not None and m.get("p95_ours") for m in flat):
            one, _, most = (m for m in flat if m is not None)
            lines.append(
                f"- Till scan at {size:,}, 200 lines ÷ 1 line (flat is 1.0): median "
                f"{most['ours'] / one['ours']:.2f}×, p95 {most['p95_ours'] / one['p95_ours']:.2f}×"
            )
        slowest = {}
        for name in metrics:
            slowest.update(metrics[name].get("slowest_ms", {}))
        if slowest:
            worst = sorted(slowest.items(), key=lambda item: -item[1])[:3]
            lines.append(
                f"- Slowest searches at {size:,} (worst of all repeats): "
                + ", ".join(f"`{query}` {ms:.1f} ms" for query, ms in worst)
            )
        soak = metrics.get("memory_soak", {})
        if soak.get("growth_kb_per_sale") is not None:
            lines.append(
                f"- Soak at {size:,}: {soak['sales']} sales typed on the till, RSS "
                f"{soak['rss_mb_warm']:.0f} MB after sale 50, {soak['rss_mb_end']:.0f} MB at "
                f"the end: {soak['growth_kb_per_sale']:.1f} KB per sale"
            )
    sizes = list(results)
    if len(sizes) == 2:
        small, large = sizes
        growth = []
        for name in METRICS:
            a, b = results[small][name]["ours"], results[large][name]["ours"]
            growth.append(f"{name} {b / a:.2f}×" if a and b else f"{name} —")
        lines.append(
            f"- Ours at {large:,} ÷ ours at {small:,} products (nothing should grow with "
            f"the catalog, search included): " + ", ".join(growth)
        )
    return "\n".join(lines)
