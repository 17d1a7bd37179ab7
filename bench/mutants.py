"""Break the code on purpose and check that a test notices.

Each mutant is one textual edit to one file. The script copies the tracked tree to a temporary folder, applies
the edit there (never to this checkout), runs the named tests, and expects them to FAIL. A mutant that survives
(the tests still pass) is a guarantee no test backs, and the script exits 1.

    python bench/mutants.py            # all mutants
    python bench/mutants.py atomic     # those whose name contains "atomic"
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]


MUTANTS = [
    # Issue 13, finding 1: atomic output and clean-up.
    Mutant("atomic: plain open().write()", "assess/atomic.py",
           "    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=\".tmp\", dir=directory)\n",
           "    path.write_bytes(data)\n    return path\n    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), "
           "suffix=\".tmp\", dir=directory)\n",
           ("tests/test_atomic.py",)),
    Mutant("atomic: no SIGTERM handler", "assess/cli.py",
           "            signal.signal(signal.SIGTERM, _terminate)\n", "            pass\n",
           ("tests/test_atomic.py",)),
    Mutant("imports: a cycle through the scorer", "assess/scoring.py",
           "from .facts import Facts\n", "from .facts import Facts\nfrom .pipeline import run  # noqa\n",
           ("tests/test_imports.py",)),
    # Issue 12: each term of the training estimate.
    Mutant("training: no goodput", "assess/compute/training.py",
           "return flops / (peak * mfu * 3600) * overhead / goodput", "return flops / (peak * mfu * 3600) * overhead",
           ("tests/test_training.py",)),
    Mutant("training: no MoE all-to-all overhead", "assess/compute/training.py",
           "    overhead = MOE_ALL_TO_ALL_OVERHEAD if moe else 1.0\n", "    overhead = 1.0\n",
           ("tests/test_training.py",)),
    Mutant("training: QLoRA weights at bf16", "assess/compute/training.py",
           'FROZEN_BYTES = {"lora": 2.0, "qlora": 0.5 + 0.127 / 8}', 'FROZEN_BYTES = {"lora": 2.0, "qlora": 2.0}',
           ("tests/test_training.py",)),
    Mutant("hosted API: no output-token term", "assess/compute/api.py",
           "return (tokens_in * price_in + tokens_out * price_out) / 1e6", "return tokens_in * price_in / 1e6",
           ("tests/test_api_models.py",)),
    Mutant("serving: MLA without the rope part", "assess/compute/serving.py",
           "(model.kv_lora_rank + model.qk_rope_head_dim) *", "(model.kv_lora_rank) *", ("tests/test_serving.py",)),
    # Issue 11: each term of the finance formulas.
    Mutant("finance: LTV without gross margin", "assess/economics.py",
           "ltv = price * margin / b.monthly_churn", "ltv = price / b.monthly_churn", ("tests/test_economics.py",)),
    Mutant("finance: LTV without churn", "assess/economics.py",
           "ltv = price * margin / b.monthly_churn", "ltv = price * margin", ("tests/test_economics.py",)),
    Mutant("finance: CAC payback without gross margin", "assess/economics.py",
           "b.cac / (price * margin)", "b.cac / price", ("tests/test_economics.py",)),
    Mutant("finance: burn multiple not annualised", "assess/economics.py",
           "burn * 12 / new", "burn / new", ("tests/test_economics.py",)),
    Mutant("finance: free users without conversion", "assess/economics.py",
           "free_cost = u.monthly_active * (1 - u.paid_conversion) * u.free_user_cost_month",
           "free_cost = u.monthly_active * u.free_user_cost_month", ("tests/test_economics.py",)),
    Mutant("finance: rule of 40 without burn", "assess/economics.py",
           "growth - 12 * burn / revenue,", "growth,", ("tests/test_economics.py",)),
    Mutant("currency: USD costs not converted", "assess/fx.py",
           "return None if usd is None else usd / self.usd_per_unit", "return usd",
           ("tests/test_economics.py", "tests/test_company.py")),
    # Issue 14: the ranges and the shortcut the draws take.
    Mutant("ranges: P10/P90 read as one sigma", "assess/ranges.py",
           "mu, sigma = (low + high) / 2, (high - low) / (2 * Z90)", "mu, sigma = (low + high) / 2, (high - low) / 2",
           ("tests/test_robustness.py",)),
    Mutant("ranges: normal not truncated to the field", "assess/ranges.py",
           "    return ndtri(below + u * (above - below))", "    return ndtri(u)", ("tests/test_robustness.py",)),
    Mutant("ranges: counts not rounded", "assess/ranges.py",
           "            values = np.round(values)\n", "            pass\n", ("tests/test_robustness.py",)),
    Mutant("robustness: moved facts not re-banded", "assess/robustness.py",
           "        if not moved:\n            return ref_codes", "        if True:\n            return ref_codes",
           ("tests/test_robustness.py",)),
]


def tracked_copy(destination: Path) -> None:
    """The files git tracks, and new ones it does not ignore: the tree as it will be committed."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def run(mutant: Mutant, tree: Path) -> tuple[bool, float]:
    path = tree / mutant.file
    original = path.read_text(encoding="utf-8")
    if original.count(mutant.old) != 1:
        raise SystemExit(f"{mutant.name}: the text to mutate is not found exactly once in {mutant.file}")
    path.write_text(original.replace(mutant.old, mutant.new), encoding="utf-8")
    try:
        start = time.monotonic()
        # -n 0: one process stops at the first failure (-x) sooner than a pool of workers starts
        done = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-n", "0", "-p", "no:cacheprovider",
                               *mutant.tests], cwd=tree, capture_output=True, text=True)
        if done.returncode not in (0, 1):  # 2-5: interrupted, internal or usage error, nothing collected
            raise SystemExit(f"{mutant.name}: pytest could not run the tests (exit {done.returncode}):\n"
                             f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
        return done.returncode == 1, time.monotonic() - start
    finally:
        path.write_text(original, encoding="utf-8")


def main(argv: list[str]) -> int:
    chosen = [m for m in MUTANTS if not argv or any(a in m.name for a in argv)]
    survivors = []
    with tempfile.TemporaryDirectory(prefix="assess-mutants-") as folder:
        tree = Path(folder)
        tracked_copy(tree)
        for mutant in chosen:
            killed, seconds = run(mutant, tree)
            print(f"{'killed ' if killed else 'SURVIVED'}  {seconds:5.1f} s  {mutant.name}", flush=True)
            if not killed:
                survivors.append(mutant.name)
    print(f"{len(chosen) - len(survivors)} of {len(chosen)} mutants killed")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
