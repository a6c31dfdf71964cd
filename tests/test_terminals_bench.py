"""bench/terminals.py --quick: four terminal processes on a fresh PostgreSQL demo store, at
full speed, the realistic and the hot-item mix for a few seconds each. The bench runs, prints
its figures, and every invariant holds afterwards (it exits 1 if one is broken)."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_quick_bench_prints_its_figures_and_the_invariants_hold() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "terminals.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    out = run.stdout
    assert run.returncode == 0, out + run.stderr
    assert re.search(r"bound = \d+ cores / \d+ ms CPU per submitted order", out), out
    for mix in ("realistic/full", "hot/full"):
        assert f"{mix}: 4 terminals" in out, out
    assert len(re.findall(r"submits \d+ = [\d.]+/s +submit p50 \d+ ms +p95 \d+ ms", out)) == 3
    assert len(re.findall(r"lookup p95 [\d.]+ ms", out)) == 3
    assert len(re.findall(r"ratio to the bound [\d.]+", out)) == 2
    assert len(re.findall(r"lock waits seen \d+ .* deadlocks \d+ +retries \d+", out)) == 3
    assert out.count(": holds") == 12 and "BROKEN" not in out, out
