"""CI runs the benchmark code once at size S to check it works (no timing assertions)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(os.environ.get("TEST_DATABASE_URL") is not None,
                    reason="the benchmark smoke run happens once, in the SQLite pass")
def test_bench_smoke(tmp_path):
    out = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, "-m", "bench.run", "--smoke", "--dbs", "sqlite", "--no-docs",
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(out.read_text())
    s = results["sizes"]["S"]["sqlite"]
    assert (s["contracts"], s["invoices"], s["bank_lines"]) == (100, 1200, 10000)
    assert s["import"]["lines"] == 10000 and s["reconcile"]["contracts"] == 100
    assert results["pdf"]["invoices"] == 20
