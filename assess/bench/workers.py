"""One pool of forked worker processes, with a hard deadline per group of work, and its no-fork fallback.

Workers are forked so they inherit the prepared data (and text counts) without pickling them. Each worker takes
one unit at a time and streams back what the unit yields, so the items finished before a deadline are kept when
the worker is killed at it. Results cross the process boundary as plain tuples.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from functools import partial
from multiprocessing.connection import wait
from typing import Any

from threadpoolctl import threadpool_limits

from ..i18n import N_, Message

MAX_FOLD_WORKERS = 4  # folds of single-threaded models run in parallel, one process each (memory grows with it)

Outcome = tuple[list[Any], str, str | None]  # (items, status ok|timeout|failed, error)
Group = tuple[Any, list[Any], Callable[[], float]]  # (key, units, start: asked for its seconds when it starts)


def _describe(exc: BaseException) -> str:
    """A model's failure in one line: its type and the first line of its message."""
    first = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {first}"[:300]


def can_fork() -> bool:
    """Workers are forked so they inherit the prepared data (and text counts) without pickling them. Where
    there is no fork (Windows), the work runs in this process and the budget is checked between units."""
    return "fork" in mp.get_all_start_methods()


NO_FORK_WARNING = Message(N_("this platform cannot fork worker processes: models ran one after another in this "
                             "process, and the time budget was checked between folds rather than enforced"))


def _run_inline(jobs: list[Callable[[], Any]], timeout: float) -> tuple[list[Any], str, str | None]:
    """run_bounded without processes: each job in turn, the timeout checked after every item."""
    if timeout <= 0.05:
        return [], "timeout", "no budget left"
    deadline = time.monotonic() + timeout
    items: list[Any] = []
    try:
        for job in jobs:
            for item in job():
                items.append(item)
                if time.monotonic() > deadline:
                    return items, "timeout", f"stopped at its {timeout:.1f} s share of the budget"
    except Exception as exc:  # reported as this model's failure, never as a crash of the run
        return items, "failed", _describe(exc)
    return items, "ok", None


# Worker processes and the parent's death. This process's ends of its workers' pipes: a forked worker
# inherits them (its own pipe's and earlier workers') and closes them first thing, or no worker would ever
# read EOF when the parent dies. Weak, so a connection dropped without close() does not linger here.
_PARENT_ENDS: weakref.WeakSet[Any] = weakref.WeakSet()
_HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM}
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_prctl: list[Any] = []  # libc's prctl, looked up once in the parent (so workers need not import ctypes)


def _find_prctl() -> Any:
    if not _prctl:
        function = None
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                function = ctypes.CDLL(None, use_errno=True).prctl
                function.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
                function.restype = ctypes.c_int
            except (ImportError, OSError, AttributeError):  # no ctypes or no libc symbols: the pipes still work
                pass
        _prctl.append(function)
    return _prctl[0]


@contextmanager
def _forking() -> Any:
    """Around each fork: hold Ctrl-C and SIGTERM, so that a new worker never runs the parent's handlers (a
    traceback in the child) before _become_worker sets its own, and so that the parent is not interrupted
    between starting a worker and recording it. Held signals are delivered when the block ends."""
    _find_prctl()
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _become_worker(parent: int) -> None:
    """First thing in a forked worker: end with the parent, leave Ctrl-C to it, and keep off its stdout.

    - Close the inherited parent-side pipe ends, so that a worker reads EOF (or gets EPIPE) once the parent
      is gone, on any platform.
    - On Linux, ask the kernel for SIGKILL when the parent dies (SIGKILL, OOM killer, a caller's timeout),
      even in the middle of a fit; then check the parent is still the one that forked us (it may have died
      before the request took effect).
    - Ignore SIGINT: a terminal's Ctrl-C reaches the whole process group, and the parent stops the workers
      itself. SIGTERM gets its default action (the parent's handler would unwind the worker's loop).
    - Point stdout at /dev/null: a worker never writes there, and must not hold a caller's `out=$(assess …)`.
    """
    for conn in list(_PARENT_ENDS):
        conn.close()
    _PARENT_ENDS.clear()
    prctl = _find_prctl()
    if prctl is not None:
        prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)  # on failure the pipes still end the worker
    if os.getppid() != parent:
        os._exit(0)
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    except ValueError:  # not the main thread: cannot happen after fork, but never fail a worker for it
        pass
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD_SIGNALS)  # held in _forking
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass


class _Unsendable(Exception):
    """An item that does not pickle: the unit fails with the pickling error."""


def _reply(conn, message: tuple) -> bool:
    """Send to the parent. False when it is gone (its ends closed: EPIPE), and the worker should end quietly."""
    try:
        conn.send(message)
    except OSError:
        return False
    except Exception as exc:  # pickling fails before anything is written, so the pipe stays in step
        raise _Unsendable(_describe(exc)) from exc
    return True


_allowed_cores: list[int] = []  # set by `cores_allowed` (a batch gives each project's run its share)


@contextmanager
def cores_allowed(cores: int | None):
    """Within this block, the benchmark's pool forks at most `cores` workers (None: one per core of the machine).
    A batch running several projects at once on one machine gives each its share instead of oversubscribing."""
    if cores is None:
        yield
        return
    _allowed_cores.append(max(1, int(cores)))
    try:
        yield
    finally:
        _allowed_cores.pop()


def _cores() -> int:
    try:
        found = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        found = os.cpu_count() or 1
    return min(found, _allowed_cores[-1]) if _allowed_cores else found


def _pool_size() -> int:
    return max(1, min(_cores(), MAX_FOLD_WORKERS))


def _serve(conn, work: Callable[[Any], Iterable[Any]], parent: int) -> None:
    """A worker's loop (in the forked child): one unit in, each of its items out, then 'done'; until told to stop."""
    _become_worker(parent)
    try:
        while True:
            try:
                unit = conn.recv()
            except (EOFError, OSError):  # the parent closed its end, or died
                return
            if unit is None:
                return
            try:
                for item in work(unit):
                    if not _reply(conn, ("item", item)):
                        return
                reply: tuple = ("done", None)
            except _Unsendable as exc:
                reply = ("error", str(exc))
            except BaseException as exc:  # reported as this group's failure, never as a crash of the run
                reply = ("error", _describe(exc))
            if not _reply(conn, reply):
                return
    finally:
        conn.close()


def one(compute: Callable[[Any], Any]) -> Callable[[Any], Iterable[Any]]:
    """A pool's work from a function of one unit that returns one result."""
    return lambda unit: (compute(unit),)


class WorkerPool:
    """Forked worker processes fed one unit of work (a fold, a learning-curve point, a job) at a time.

    One pool serves every model, so the next model's folds start as soon as a worker is free instead of
    waiting for the slowest fold of the last one. A unit that runs past its group's time limit is stopped by
    killing its worker, which is replaced. Workers run one BLAS/OpenMP thread each when there are several.
    Without fork, `run` works through the units in this process and checks the limit between items.
    """

    def __init__(self, work: Callable[[Any], Iterable[Any]], size: int):
        self.work = work
        self.size = size
        self._context = mp.get_context("fork") if can_fork() else None
        self._idle: list[tuple[Any, Any]] = []
        self._busy: dict[Any, tuple[Any, Any]] = {}  # connection → (connection, process)

    def __enter__(self) -> WorkerPool:
        if self._context is not None:
            try:
                for _ in range(self.size):
                    self._spawn()
            except BaseException:  # Ctrl-C while starting: `with` calls no __exit__ for a failed __enter__
                self.__exit__()
                raise
        return self

    def __exit__(self, *exc: object) -> None:
        for conn, process in self._idle:  # idle workers are asked to finish
            try:
                conn.send(None)
            except OSError:
                pass
            process.join(timeout=1)
        for conn, process in self._idle + list(self._busy.values()):
            if process.is_alive():  # busy (the run was interrupted) or not answering
                process.kill()
                process.join(timeout=5)
            conn.close()
        self._idle, self._busy = [], {}

    def _spawn(self) -> None:
        """Start a worker and add it to the idle ones."""
        context = self._context
        assert context is not None  # only called where fork exists
        parent, child = context.Pipe(duplex=True)
        _PARENT_ENDS.add(parent)
        # Set before forking and inherited: set inside a forked child, OpenBLAS spends ~0.1 s on its threads.
        with threadpool_limits(1 if self.size > 1 else None), _forking():
            process = context.Process(target=_serve, args=(child, self.work, os.getpid()), daemon=True)
            process.start()
            child.close()
            self._idle.append((parent, process))

    def _replace(self, worker: tuple[Any, Any]) -> None:
        """Stop a worker (overrunning, failed with its group, or dead) and start a fresh one in its place."""
        conn, process = worker
        if process.is_alive():
            process.kill()
        process.join(timeout=5)
        conn.close()
        self._spawn()

    def alone(self, units: list[Any], timeout: float) -> Outcome:
        """The units in sequence on one full-threaded worker of their own, for a model that uses every core
        itself; this pool's workers wait meanwhile. Stopped at `timeout` seconds, keeping the finished units."""
        if timeout <= 0.05:
            return [], "timeout", "no budget left"
        work = self.work
        with WorkerPool(lambda batch: (item for unit in batch for item in work(unit)), 1) as solo:
            return solo.run([(None, [list(units)], lambda: timeout)])[None]

    def run(self, groups: list[Group]) -> dict[Any, Outcome]:
        """Run each group's units, the groups in order. A group's time limit is asked for (`start()`) when its
        first unit is handed out; a failure in one of its units fails the group and stops its other units."""
        if self._context is None:
            return {key: _run_inline([partial(self.work, unit) for unit in units], start())
                    for key, units, start in groups}
        results: dict[Any, list[Any]] = {key: [] for key, _, _ in groups}
        state: dict[Any, tuple[str, str | None]] = {key: ("ok", None) for key, _, _ in groups}
        starts = {key: start for key, _, start in groups}
        limits: dict[Any, tuple[float, float]] = {}  # key → (deadline, seconds allowed)
        queue = deque((key, unit) for key, units, _ in groups for unit in units)
        owner: dict[Any, Any] = {}  # busy worker's connection → the group its unit belongs to

        def stop(key: Any, status: str, error: str) -> None:
            """The group ends here: its other busy workers are killed and replaced, not waited for."""
            if state[key][0] == "ok":
                state[key] = (status, error)
            for conn, other in list(owner.items()):
                if other == key:
                    self._replace(self._busy.pop(conn))
                    del owner[conn]

        def timed_out(key: Any) -> None:
            stop(key, "timeout", f"stopped at its {limits[key][1]:.1f} s share of the budget")

        while queue or self._busy:
            while queue and self._idle:
                key, unit = queue.popleft()
                if state[key][0] != "ok":
                    continue
                if key not in limits:
                    allowed = starts[key]()
                    limits[key] = (time.monotonic() + allowed, allowed)
                if limits[key][0] - time.monotonic() <= 0.05:
                    timed_out(key)
                    continue
                worker = self._idle.pop()
                worker[0].send(unit)
                self._busy[worker[0]], owner[worker[0]] = worker, key
            if not self._busy:
                continue
            wake = min(limits[key][0] for key in owner.values()) - time.monotonic()
            ready: list[Any] = wait(list(self._busy), timeout=max(0.0, min(wake, 0.5)))  # our connections only
            for conn in ready:
                if conn not in owner:  # killed above, with the rest of its failed group
                    continue
                key = owner[conn]
                try:
                    kind, payload = conn.recv()
                except EOFError:
                    worker = self._busy.pop(conn)
                    del owner[conn]
                    self._replace(worker)
                    stop(key, "failed", "worker exited unexpectedly (out of memory?)")
                    continue
                if kind == "item":  # more may follow: the worker stays busy
                    if state[key][0] == "ok":
                        results[key].append(payload)
                    continue
                self._idle.append(self._busy.pop(conn))
                del owner[conn]
                if kind == "error":
                    stop(key, "failed", payload)
            now = time.monotonic()
            for conn, key in list(owner.items()):
                if conn in owner and now >= limits[key][0]:
                    timed_out(key)
        return {key: (results[key], *state[key]) for key, _, _ in groups}


def run_bounded(jobs: Callable[[], Iterable[Any]] | list[Callable[[], Iterable[Any]]], timeout: float) -> Outcome:
    """Run item-yielding jobs side by side, each on a worker of its own, and stop them all at the timeout.

    Several jobs run with one BLAS/OpenMP thread each, so they do not oversubscribe the cores.
    Returns (items from every job, status, error); a failure in any job fails the whole run.
    """
    if callable(jobs):
        jobs = [jobs]
    if timeout <= 0.05:
        return [], "timeout", "no budget left"
    with WorkerPool(lambda index: jobs[index](), len(jobs)) as pool:
        return pool.run([(None, list(range(len(jobs))), lambda: timeout)])[None]
