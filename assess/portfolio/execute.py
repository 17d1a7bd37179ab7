"""Where a batch's tasks run. Two executors with one contract: give them tasks, get outcomes back as each finishes.

- `local`: a `concurrent.futures.ProcessPoolExecutor` on this machine, one worker process per core by default.
  It needs nothing beyond the standard library and starts in a fraction of a second, which matters for a batch
  of a thousand 0.1-second projects; its workers are not daemonic, so each project's benchmark forks its own.
- `dask`: a `dask.distributed` Client, on an existing cluster (`--scheduler tcp://host:8786`) or on a
  `LocalCluster` started here, whose workers start from a fork server with assess already imported. Dask is
  imported only on this path (`pip install 'assess[dask]'`).

A worker lost mid-project (killed, out of memory, crashed in native code) means that project is retried once,
then reported as failed: the local pool retries it alone in a fresh pool; Dask reschedules it once
(`distributed.scheduler.allowed-failures: 1`, set for a local cluster; set it on your own scheduler too).
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..errors import Problem, UserError
from .task import Task, assess_one, lost_outcome

log = logging.getLogger(__name__)
EXECUTORS = ("local", "dask")
CONNECT_SECONDS = 10.0
LOST = "the worker process running this project died twice (killed, out of memory, or a crash); retried once"


def machine_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _warm() -> None:
    """Import what every task needs once, before the pool forks, so workers start warm."""
    import assess.pipeline  # noqa: F401
    import assess.report.render  # noqa: F401


def _context() -> Any:
    return mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context("spawn")


def run_local(tasks: list[Task], workers: int) -> Iterator[dict[str, Any]]:
    """Outcomes as they finish. At most two tasks per worker are in flight (one running, one queued, so that no
    worker waits while this process writes files); when a worker dies, the pool breaks and every task in flight
    is a suspect: each is retried once, alone, in a fresh one-worker pool, so that one crashing project cannot
    take another down with it twice."""
    _warm()
    queue = list(reversed(tasks))
    suspects: list[Task] = []
    while queue:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context())
        running: dict[Future, Task] = {}
        broken = False
        try:
            while queue or running:
                while queue and len(running) < 2 * workers and not broken:
                    task = queue.pop()
                    running[pool.submit(assess_one, task)] = task
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    task = running.pop(future)
                    try:
                        yield future.result()
                    except BrokenProcessPool:
                        broken = True
                        suspects.append(task)
                if broken:  # every task still running went down with the pool
                    suspects += [running.pop(f) for f in list(running)]
                    break
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    for task in suspects:  # the retry, alone
        with ProcessPoolExecutor(max_workers=1, mp_context=_context()) as single:
            try:
                yield single.submit(assess_one, task).result()
            except BrokenProcessPool:
                yield lost_outcome(task, LOST)


def _dask_modules() -> Any:
    try:
        import dask
        import distributed
    except ImportError:
        raise UserError(Problem("the Dask executor needs dask.distributed: pip install 'assess[dask]'",
                                field="--scheduler")) from None
    return dask, distributed


DASK_CONFIG = {
    "distributed.scheduler.allowed-failures": 1,  # a task whose worker dies is rescheduled once, then failed
    "distributed.worker.daemon": False,  # so that each project's benchmark may fork its own workers
    "distributed.admin.tick.limit": "10s",  # a project holding the GIL for seconds is expected, not a warning
}


def local_start_config() -> dict[str, str]:
    """A local cluster's workers start from a fork server that has imported what every project needs: a worker,
    and its replacement after a lost one, starts in a fraction of a second instead of importing pandas,
    scikit-learn and WeasyPrint again (Dask's default, spawn, starts each one from scratch). Where there is no
    fork server (Windows), Dask's default stays."""
    if "forkserver" not in mp.get_all_start_methods():
        return {}
    mp.set_forkserver_preload(["assess.pipeline", "assess.report.render", "assess.portfolio.task", "distributed"])
    return {"distributed.worker.multiprocessing-method": "forkserver"}


def connect(address: str | None, workers: int) -> tuple[Any, Any]:
    """A Client on the cluster at `address`, or on a LocalCluster of `workers` single-threaded processes."""
    dask, distributed = _dask_modules()
    if not logging.getLogger("assess").isEnabledFor(logging.INFO):  # Dask's own INFO lines unless -v
        for name in ("distributed", "dask"):
            logging.getLogger(name).setLevel(logging.WARNING)
    with dask.config.set(DASK_CONFIG):
        if address:
            try:
                client = distributed.Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
            except (OSError, TimeoutError, ValueError) as exc:
                raise UserError(Problem(f"cannot reach the Dask scheduler at {address} within "
                                        f"{CONNECT_SECONDS:g} s ({type(exc).__name__}: {exc})",
                                        field="--scheduler")) from None
            return client, None
        cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                           dashboard_address=None, scheduler_kwargs={"dashboard": False},
                                           silence_logs=logging.ERROR)
        return distributed.Client(cluster, set_as_default=False), cluster


def run_dask(tasks: list[Task], address: str | None, workers: int) -> Iterator[dict[str, Any]]:
    """Outcomes as they finish, from a Dask cluster. Tasks are plain picklable objects; results are small dicts
    (with the rendered reports as bytes), released as soon as they are handed over."""
    dask, distributed = _dask_modules()
    # Held for the whole run: a nanny reads the start method again when it replaces a lost worker.
    with dask.config.set(local_start_config() if address is None else {}):
        client, cluster = connect(address, workers)
        try:
            by_future = {client.submit(assess_one, task, key=f"assess-{task.name}-{task.key[:16]}", pure=False,
                                       retries=1): task for task in tasks}
            for future in distributed.as_completed(list(by_future), loop=client.loop):
                task = by_future.pop(future)
                try:
                    outcome = future.result()
                except distributed.KilledWorker:
                    outcome = lost_outcome(task, LOST)
                except Exception as exc:  # the task itself never raises; this is the cluster failing it
                    outcome = lost_outcome(task, f"the cluster failed this project: {type(exc).__name__}: {exc}")
                future.release()
                yield outcome
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
