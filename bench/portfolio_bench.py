"""Timings for `assess batch` (issue 15): the local process pool against a Dask LocalCluster of 1 and 2 workers.

    python bench/portfolio_bench.py generate /tmp/pbench            # 1,000 projects without data, 50 with
    python bench/portfolio_bench.py measure /tmp/pbench             # every configuration, one JSON line each

Projects are varied copies of the bundled examples: names, stages, market and business figures drawn at random
(seeded), so scores, verdicts and red flags spread. The 50 with datasets carry a random 60 % sample of the
strong or the weak example's table. Each configuration runs in a fresh process (`one`), which reports its wall
time, the CPU seconds it and its workers used, and its own peak resident memory (the coordinator's: a
LocalCluster's scheduler runs inside it, its workers and the pool's workers are other processes).
"""

from __future__ import annotations

import argparse
import copy
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
STAGES = ["idea", "pre-seed", "seed", "series-a", "series-b"]


def _vary(base: dict, rng: np.random.Generator, name: str) -> dict:
    project = copy.deepcopy(base)
    project["name"] = name
    project["stage"] = str(rng.choice(STAGES))
    for section in ("market", "business"):
        for key, value in list((project.get(section) or {}).items()):
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value:
                scaled = value * float(rng.lognormal(0, 0.6))
                if key in ("monthly_churn", "growth_rate", "recurring_share") or "share" in key:
                    scaled = min(scaled, 0.95)
                project[section][key] = int(scaled) if isinstance(value, int) else round(scaled, 4)
    return project


def generate(out: Path, plain: int, with_data: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    bases = {name: yaml.safe_load((EXAMPLES / name / "project.yaml").read_text(encoding="utf-8"))
             for name in ("api-app", "model-lab", "consumer-app", "strong", "weak")}
    for i in range(plain):
        name = list(bases)[i % len(bases)]
        project = _vary(bases[name], rng, f"{name} {i:04d}")
        project.pop("data", None) if name in ("strong", "weak") else None
        folder = out / "plain" / f"p{i:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "project.yaml").write_text(yaml.safe_dump(project, sort_keys=False, allow_unicode=True),
                                             encoding="utf-8")
    for i in range(with_data):
        name = ("strong", "weak")[i % 2]
        project = _vary(bases[name], rng, f"{name} data {i:03d}")
        folder = out / "data" / f"d{i:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        table = pd.read_csv(EXAMPLES / name / project["data"]["path"])
        table.sample(frac=0.6, random_state=int(rng.integers(1 << 31))).to_csv(folder / "data.csv", index=False)
        project["data"]["path"] = "data.csv"
        (folder / "project.yaml").write_text(yaml.safe_dump(project, sort_keys=False, allow_unicode=True),
                                             encoding="utf-8")
    print(f"wrote {plain} projects under {out / 'plain'} and {with_data} with datasets under {out / 'data'}")


def one(inputs: str, outdir: str, executor: str, workers: int, no_bench: bool, budget: float,
        draws: int = 2000) -> None:
    """One batch in this process; prints wall seconds and this process's peak RSS as JSON."""
    sys.path.insert(0, str(ROOT))
    from assess.pipeline import RunOptions
    from assess.portfolio.batch import run_batch

    started = time.monotonic()
    result = run_batch([inputs], outdir, RunOptions(run_bench=not no_bench, budget=budget, date="2026-01-01",
                                                    draws=draws),
                       formats=("json",), executor=executor, workers=workers, force=True,
                       cores_per_project=1)  # one core per project everywhere: workers, not forks, scale out
    seconds = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # CPU seconds of this process and its reaped children (pool or cluster workers, benchmark forks): on a
    # machine shared with other work, CPU ÷ cores is the wall time the batch would take with the cores to itself.
    cpu = sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))
    print(json.dumps({"projects": result.portfolio["summary"]["projects"], "failed": result.failed,
                      "seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1),
                      "coordinator_peak_mb": round(peak_mb)}))


def measure(root: Path, budget: float, only: str | None) -> None:
    configs = [("plain", "local", 2), ("plain", "dask", 1), ("plain", "dask", 2),
               ("data", "local", 2), ("data", "dask", 1), ("data", "dask", 2)]
    for kind, executor, workers in configs:
        if only and only != kind:
            continue
        command = [sys.executable, __file__, "one", str(root / kind), str(root / f"out-{kind}-{executor}-{workers}"),
                   "--executor", executor, "--workers", str(workers), "--budget", str(budget)]
        if kind == "plain":
            command.append("--no-bench")
        line = subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        print(json.dumps({"set": kind, "executor": executor, "workers": workers, **json.loads(line)}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate")
    g.add_argument("out", type=Path)
    g.add_argument("--plain", type=int, default=1000)
    g.add_argument("--with-data", type=int, default=50)
    g.add_argument("--seed", type=int, default=0)
    m = sub.add_parser("measure")
    m.add_argument("root", type=Path)
    m.add_argument("--budget", type=float, default=10.0)
    m.add_argument("--only", choices=["plain", "data"])
    o = sub.add_parser("one")
    o.add_argument("inputs")
    o.add_argument("outdir")
    o.add_argument("--executor", default="local")
    o.add_argument("--workers", type=int, default=2)
    o.add_argument("--no-bench", action="store_true")
    o.add_argument("--budget", type=float, default=10.0)
    o.add_argument("--draws", type=int, default=2000, help="robustness draws per project (0: no robustness)")
    args = parser.parse_args()
    if args.command == "generate":
        generate(args.out, args.plain, args.with_data, args.seed)
    elif args.command == "measure":
        measure(args.root, args.budget, args.only)
    else:
        one(args.inputs, args.outdir, args.executor, args.workers, args.no_bench, args.budget, args.draws)


if __name__ == "__main__":
    main()
