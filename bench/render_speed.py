"""How long a report takes to render to PDF, per bundled example; side by side for several checkouts of assess.

    python bench/render_speed.py                                  # this checkout
    git worktree add /tmp/assess-old 14f9d65
    python bench/render_speed.py --tree /tmp/assess-old --tree .  # before and after, in one run

Each example is assessed once (no benchmark, no robustness draws, a pinned date), then rendered to PDF
`--repeats` times in a fresh process per checkout and round; the checkouts take turns, so each meets the same
machine conditions. Reported per example: the median warm render (the process has rendered that report once
already) and the median first render of that report (for the first example, the process's first render: what a
single `assess run` pays; later examples find the templates compiled, as in a batch), with the PDF's pages and
size.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("strong", "weak", "api-app", "consumer-app", "model-lab")

_CHILD = r"""
import io, json, sys, time
from pypdf import PdfReader
from assess.pipeline import RunOptions, run
from assess.report import render

out = {}
for name in sys.argv[2:]:
    result = run(f"{sys.argv[1]}/examples/{name}/project.yaml", RunOptions(run_bench=False, draws=0, date="2026-01-01"))
    started = time.perf_counter()
    render(result, "pdf")
    first = time.perf_counter() - started
    started = time.perf_counter()
    pdf = render(result, "pdf")
    warm = time.perf_counter() - started
    out[name] = {"first": first, "warm": warm, "pages": len(PdfReader(io.BytesIO(pdf)).pages), "bytes": len(pdf)}
print(json.dumps(out))
"""


def measure(tree: Path, examples: list[str]) -> dict[str, dict[str, float]]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, "-c", _CHILD, str(tree), *examples], env=env, capture_output=True,
                          text=True, check=True, cwd=tree)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", action="append", type=Path, help="a checkout of assess (repeatable)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--examples", default=",".join(EXAMPLES))
    args = parser.parse_args()
    trees = [t.resolve() for t in (args.tree or [ROOT])]
    examples = args.examples.split(",")
    runs: dict[Path, list[dict]] = {tree: [] for tree in trees}
    for _ in range(args.repeats):
        for tree in trees:
            runs[tree].append(measure(tree, examples))
    print("| example | " + " | ".join(f"{tree.name}: warm s / first s / pages / KB" for tree in trees) + " |")
    print("|---|" + "---:|" * len(trees))
    for name in examples:
        cells = []
        for tree in trees:
            rows = [r[name] for r in runs[tree]]
            cells.append(f"{statistics.median(r['warm'] for r in rows):.2f} / "
                         f"{statistics.median(r['first'] for r in rows):.2f} / {rows[0]['pages']} / "
                         f"{rows[0]['bytes'] / 1024:.0f}")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
