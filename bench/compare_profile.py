"""Data profiling at scale: `assess data` against ydata-profiling (minimal mode) on the same 1M × 20 CSV.

    python bench/make_data.py tabular 1000000 /tmp/tab1m.csv
    /tmp/benchenv/bin/pip install ydata-profiling          # benchmark environment only
    /tmp/benchenv/bin/python bench/compare_profile.py /tmp/tab1m.csv --target label

Each tool runs in its own subprocess under `/usr/bin/time -v`, so wall time and peak resident memory are
measured the same way (peak RSS of the process tree as the kernel reports it to wait4).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

YDATA = """
import sys, pandas as pd
from ydata_profiling import ProfileReport
frame = pd.read_csv(sys.argv[1])
ProfileReport(frame, minimal=True, progress_bar=False).to_file(sys.argv[2])
"""


def timed(args: list[str]) -> dict:
    proc = subprocess.run(["/usr/bin/time", "-v", *args], capture_output=True, text=True)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", proc.stderr).group(1)
    parts = [float(p) for p in wall.split(":")]
    seconds = parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) == 3 else 0)
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    return {"exit": proc.returncode, "wall_s": round(seconds, 2), "peak_rss_mb": round(peak_kb / 1024),
            "stderr_tail": proc.stderr.splitlines()[-25:] if proc.returncode else []}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv", type=Path)
    parser.add_argument("--target", required=True)
    parser.add_argument("--out", type=Path, default=Path("/tmp"))
    parser.add_argument("--skip-ydata", action="store_true")
    args = parser.parse_args()
    results = {"assess": timed([sys.executable, "-m", "assess", "data", str(args.csv), "--target", args.target,
                                "--format", "json", "-q", "-o", str(args.out / "assess_profile.json")])}
    if not args.skip_ydata:
        results["ydata-profiling (minimal)"] = timed([sys.executable, "-c", YDATA, str(args.csv),
                                                      str(args.out / "ydata_profile.html")])
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
