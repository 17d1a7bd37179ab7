"""Robustness speed: draws of the pure core per second, and what the section adds to `assess run`.

    python bench/robustness.py                 # the strong example, 10,000 draws, 3 repeats
    python bench/robustness.py --draws 20000 --repeats 5

Prints one table (markdown) for docs/benchmarks.md:
- the Monte Carlo alone on the strong example (its churn and CAC ranges), then the same with a GPU-price range
  added (every draw re-runs the compute estimate);
- the whole section (draws, tornado, flips) at the default 2,000 draws;
- `assess run examples/strong/project.yaml --format json` end to end, with and without the section.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STRONG = ROOT / "examples" / "strong" / "project.yaml"


def core_for(path: Path):
    from assess.facts import Facts
    from assess.fx import resolve_rate
    from assess.pipeline import check_project
    from assess.robustness import Core
    from assess.rubrics import load_rubrics

    loaded, compute_result, compute_facts = check_project(path)
    p = loaded.project
    core = Core(p, load_rubrics(None), resolve_rate(p.currency, p.fx), Facts(), False, None,
                (compute_result, compute_facts))
    return core, loaded.distributions


def best_of(repeats: int, job) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return min(times)


def cli_seconds(args: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "assess", "-q", "run", str(STRONG), "--format", "json", "-o", "-",
                        *args], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    from assess.robustness import analyse, monte_carlo

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    rows = []
    core, distributions = core_for(STRONG)
    core.outcome(core.project, False)
    seconds = best_of(args.repeats, lambda: monte_carlo(core, distributions, args.draws, 0))
    rows.append((f"{args.draws:,} draws, strong example ({len(distributions)} ranges)", seconds))

    with tempfile.TemporaryDirectory() as folder:
        text = STRONG.read_text(encoding="utf-8").replace("gpu_hour_usd: 3.0", "gpu_hour_usd: {low: 2.0, high: 4.5}")
        copy = Path(folder) / "project.yaml"
        copy.write_text(text, encoding="utf-8")
        (Path(folder) / "cytology.csv").write_bytes((STRONG.parent / "cytology.csv").read_bytes())
        gpu_core, gpu_distributions = core_for(copy)
        gpu_core.outcome(gpu_core.project, False)
        seconds = best_of(args.repeats, lambda: monte_carlo(gpu_core, gpu_distributions, args.draws, 0))
        rows.append((f"{args.draws:,} draws, + a GPU-price range (compute re-run per draw)", seconds))

    seconds = best_of(args.repeats, lambda: analyse(core_for(STRONG)[0], distributions, draws=2000))
    rows.append(("whole section at 2,000 draws (draws, tornado, flips)", seconds))

    with_section = cli_seconds([], args.repeats)
    without = cli_seconds(["--draws", "0"], args.repeats)
    rows.append(("`assess run` strong example, json, default (2,000 draws)", with_section))
    rows.append(("`assess run` strong example, json, --draws 0", without))
    rows.append(("section's share of the run (difference)", with_section - without))

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    print(f"command: python bench/robustness.py --draws {args.draws} --repeats {args.repeats}\n")
    print("| measurement | seconds |\n|---|---:|")
    for name, value in rows:
        print(f"| {name} | {value:.2f} |")


if __name__ == "__main__":
    main()
