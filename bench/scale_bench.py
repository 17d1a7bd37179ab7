"""The 1M-row scaling run for `assess bench`: wall time against the budget, and peak memory.

    python bench/make_data.py text 1000000 /tmp/text1m.csv
    python bench/scale_bench.py /tmp/text1m.csv --target label --budget 60
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_profile import timed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv", type=Path)
    parser.add_argument("--target", required=True)
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--out", type=Path, default=Path("/tmp/scale_bench.json"))
    args = parser.parse_args()
    run = timed([sys.executable, "-m", "assess", "bench", str(args.csv), "--target", args.target, "--budget",
                 str(args.budget), "--format", "json", "-q", "-o", str(args.out)])
    result = json.loads(args.out.read_text()) if run["exit"] == 0 else {}
    print(json.dumps({**run, "budget_s": args.budget, "within_budget_plus_10pct": run["wall_s"] <= 1.1 * args.budget,
                      "rows_used": result.get("rows_used"), "rows_total": result.get("rows_total"),
                      "models": {m["name"]: [m["status"], m["cv_mean"]] for m in result.get("models", [])}},
                     indent=2))


if __name__ == "__main__":
    main()
