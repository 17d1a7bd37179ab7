"""How much parallel CPU this machine gives right now: the same pure-Python work on 1 and on 2 processes.

    python bench/parallel_capacity.py

On two free cores, 2 workers finish twice the work in the same wall time (speed-up 2.0); on a machine shared
with other load, or with vCPUs that are hyperthreads of one host core, less. Run it beside
bench/portfolio_bench.py to read the worker-scaling figures.
"""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor


def burn(_: int) -> float:
    started = time.process_time()
    x = 0
    for i in range(15_000_000):
        x += i
    return time.process_time() - started


def main() -> None:
    walls = {}
    for n in (1, 2):
        started = time.time()
        with ProcessPoolExecutor(n) as pool:
            cpu = sum(pool.map(burn, range(n * 2)))
        walls[n] = time.time() - started
        print(f"{n} worker(s): {n * 2} tasks, wall {walls[n]:.2f} s, CPU {cpu:.2f} s")
    print(f"speed-up of 2 workers over 1 (twice the work): {2 * walls[1] / walls[2]:.2f}x")


if __name__ == "__main__":
    main()
