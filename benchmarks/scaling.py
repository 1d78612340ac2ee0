"""Fit how govsearch's costs grow with the corpus, from ``benchmarks/growth.json``.

``search_bench.py`` adds one row per corpus size it measured. This script fits each measure
against the number of documents N with a straight line through the measured sizes (least
squares: cost = a + b·N — the query work for common strings, the index size and the opening
work all grow with the corpus) and says at what N each latency target stops being met. It
prints a Markdown table; docs/scaling.md quotes it.

    python benchmarks/scaling.py                 # reads benchmarks/growth.json
    python benchmarks/scaling.py --growth other.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

GROWTH_JSON = Path(__file__).resolve().parent / "growth.json"

#: (row key, label, target or None): the measures fitted, with the target each must meet.
MEASURES = (
    ("index_mb", "index size (MB)", None),
    ("index_ratio", "index / UTF-8 text", 2.0),
    ("open_cold_ms", "open, cold page cache (ms)", 300.0),
    ("open_warm_ms", "open, warm page cache (ms)", 300.0),
    ("cold_p95_ms", "query p95, cold page cache (ms)", 200.0),
    ("warm_p95_ms", "query p95, warm, unseen queries (ms)", 60.0),
    ("cold_p50_ms", "query p50, cold page cache (ms)", None),
    ("warm_p50_ms", "query p50, warm, unseen queries (ms)", None),
    ("pss_anon_mb", "serving memory beyond the page cache (MB)", 300.0),
)


def fit(points: list[tuple[float, float]]) -> tuple[float, float]:
    """(a, b) of the least-squares line y = a + b·x through the points."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points)
    if n < 2 or var == 0:
        return mean_y, 0.0
    b = sum((x - mean_x) * (y - mean_y) for x, y in points) / var
    return mean_y - b * mean_x, b


def crossing(a: float, b: float, target: float) -> float | None:
    """The N at which a + b·N reaches the target (None if it never does, growing)."""
    if b <= 0:
        return None
    return (target - a) / b


def report(rows: list[dict]) -> str:
    """The table; only the rows measured on the code most rows were measured on are fitted
    (a row left from older code is shown, marked †, but a fit across two engines would say
    nothing about either)."""
    rows = sorted((r for r in rows if r.get("docs")), key=lambda r: r["docs"])
    commits = [r.get("commit") for r in rows]
    current = max(dict.fromkeys(commits), key=commits.count) if rows else None
    fitted = [r.get("commit") == current for r in rows]
    sizes = [r["docs"] for r in rows]
    head = ("| measure | " + " | ".join(f"{n:,}" + ("" if ok else "†") for n, ok in zip(sizes, fitted, strict=True))
            + " | fit: a + b per 10,000 documents | target | the fit reaches the target at N |")
    lines = [head, "|" + "---|" * (len(sizes) + 4)]
    for key, label, target in MEASURES:
        values = [r.get(key) for r in rows]
        points = [(float(n), float(v)) for n, v, ok in zip(sizes, values, fitted, strict=True)
                  if ok and isinstance(v, int | float)]
        cells = [f"{v:,.1f}" if isinstance(v, int | float) else "—" for v in values]
        if len(points) >= 2:
            a, b = fit(points)
            slope = f"{a:,.1f} {'+' if b >= 0 else '−'} {abs(b) * 10_000:,.2f} per 10k"
        else:
            a = b = 0.0
            slope = "—"
        if target is None:
            where = ""
        elif len(points) < 2:
            where = "—"
        else:
            n = crossing(a, b, target)
            where = "never (not growing)" if n is None else ("below every size measured" if n < 0 else f"≈ {n:,.0f}")
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {slope} | {target if target is not None else ''} | {where} |")
    older = sorted({f"{r['docs']:,} on {r.get('commit') or 'unknown code'}" for r, ok in zip(rows, fitted, strict=True) if not ok})
    if older:
        lines += ["", f"† measured on older code, not fitted ({'; '.join(older)}; the fit uses {current})."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="从 benchmarks/growth.json 拟合各项开销随文档数的增长")
    parser.add_argument("--growth", type=Path, default=GROWTH_JSON, help="search_bench.py 写的增长记录")
    args = parser.parse_args(argv)
    data = json.loads(args.growth.read_text(encoding="utf-8"))
    rows = data["rows"] if isinstance(data, dict) else data
    print(report(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
