"""The 1M-row scaling run for `assess bench`: wall time against the budget, and peak memory.

    python bench/make_data.py text 1000000 /tmp/text1m.csv
    python bench/scale_bench.py /tmp/text1m.csv --target label --budget 60

Memory is reported two ways: the largest single process (`/usr/bin/time -v`), and the whole process tree
(parent and forked workers) sampled every 0.1 s as the sum of PSS, which counts each shared page once
(Linux only).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_profile import timed  # noqa: E402


def _tree(pid: int) -> list[int]:
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                stack += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                pass
    return found


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_peak_mb(root: int, done: threading.Event) -> list[float]:
    """Peak of the summed PSS of `root` and all its descendants, sampled until `done` is set."""
    peak = [0.0]

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], sum(_pss_kb(pid) for pid in _tree(root)) / 1024)
            time.sleep(0.1)

    threading.Thread(target=sample, daemon=True).start()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv", type=Path)
    parser.add_argument("--target", required=True)
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--out", type=Path, default=Path("/tmp/scale_bench.json"))
    args = parser.parse_args()
    command = [sys.executable, "-m", "assess", "bench", str(args.csv), "--target", args.target, "--budget",
               str(args.budget), "--format", "json", "-q", "-o", str(args.out)]
    run = timed(command)
    # A second run, sampled from outside, for the memory of the whole process tree.
    done = threading.Event()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = tree_peak_mb(proc.pid, done)
    proc.wait()
    done.set()
    result = json.loads(args.out.read_text()) if run["exit"] == 0 else {}
    print(json.dumps({**run, "tree_peak_pss_mb": round(peak[0]), "budget_s": args.budget,
                      "within_budget_plus_10pct": run["wall_s"] <= 1.1 * args.budget,
                      "rows_used": result.get("rows_used"), "rows_total": result.get("rows_total"),
                      "models": {m["name"]: [m["status"], m["cv_mean"]] for m in result.get("models", [])}},
                     indent=2))


if __name__ == "__main__":
    main()
