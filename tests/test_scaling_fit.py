"""benchmarks/scaling.py: the growth fit docs/scaling.md quotes."""

from __future__ import annotations

import json

from benchmarks import scaling


def test_fit_and_crossing_of_a_straight_line():
    a, b = scaling.fit([(10_000.0, 30.0), (20_000.0, 50.0), (40_000.0, 90.0)])
    assert round(a, 6) == 10.0 and round(b, 9) == 0.002
    assert round(scaling.crossing(a, b, 200.0)) == 95_000
    assert scaling.crossing(5.0, 0.0, 200.0) is None  # not growing: never crosses


def test_report_reads_the_growth_file(tmp_path, capsys):
    rows = [{"docs": 2000, "cold_p95_ms": 10.0, "warm_p95_ms": 5.0, "index_ratio": 1.8},
            {"docs": 20000, "cold_p95_ms": 46.0, "warm_p95_ms": 23.0, "index_ratio": 1.8}]
    path = tmp_path / "growth.json"
    path.write_text(json.dumps({"about": "", "rows": rows}), encoding="utf-8")
    assert scaling.main(["--growth", str(path)]) == 0
    out = capsys.readouterr().out
    cold = next(line for line in out.splitlines() if line.startswith("| query p95, cold"))
    assert "≈ 97,000" in cold  # 6 + 0.002·N reaches 200 ms at N = 97,000
    assert "never (not growing)" in next(line for line in out.splitlines() if line.startswith("| index / UTF-8"))


def test_rows_of_older_code_are_shown_but_not_fitted():
    rows = [{"docs": 2000, "cold_p95_ms": 10.0, "commit": "new"}, {"docs": 20000, "cold_p95_ms": 46.0, "commit": "new"},
            {"docs": 40000, "cold_p95_ms": 86.0, "commit": "new"}, {"docs": 200000, "cold_p95_ms": 900.0, "commit": "old"}]
    out = scaling.report(rows)
    assert "200,000†" in out.splitlines()[0]
    cold = next(line for line in out.splitlines() if line.startswith("| query p95, cold"))
    assert "| 900.0 |" in cold and "≈ 97,000" in cold  # the old row is shown, the fit is the new rows'
    assert "† measured on older code, not fitted (200,000 on old; the fit uses new)." in out
