"""The bench's worker pool on its own: real forked processes, small real jobs, no model in sight."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from assess.bench import workers
from assess.bench.workers import WorkerPool, one, run_bounded

needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads children from /proc (Linux)")


def children() -> set[int]:
    """This process's live children, from /proc (a zombie counts: it was killed but never joined)."""
    me, found = os.getpid(), set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == me:  # field 4, after the command name in parentheses
            found.add(int(entry))
    return found


@pytest.fixture
def no_leftovers():
    """Every worker a test starts is gone, reaped, when the pool or run_bounded returns."""
    if not Path("/proc/self/stat").exists():
        yield
        return
    before = children()
    yield
    assert children() - before == set()


def square(n: int):
    yield n * n


def test_jobs_that_finish_stream_every_item(no_leftovers):
    def job(start: int):
        yield start
        yield start + 1

    items, status, error = run_bounded([lambda: job(0), lambda: job(10)], 10)
    assert status == "ok" and error is None and sorted(items) == [0, 1, 10, 11]


def test_a_job_that_raises_fails_the_run_keeping_what_it_yielded(no_leftovers):
    def job():
        yield "first"
        raise ValueError("boom\nsecond line")

    items, status, error = run_bounded(job, 10)
    assert items == ["first"] and status == "failed" and error == "ValueError: boom"


@pytest.mark.slow
@needs_proc
def test_a_job_past_its_deadline_is_killed_and_reported_as_a_timeout(no_leftovers):
    def slow():
        yield "quick"
        time.sleep(60)
        yield "never"

    started = time.monotonic()
    items, status, error = run_bounded([slow, slow], 1.0)
    assert time.monotonic() - started < 5
    assert items == ["quick", "quick"] and status == "timeout" and "1.0 s share" in error


def test_a_worker_that_exits_fails_its_group_and_is_replaced(no_leftovers):
    def unit(n: int) -> int:
        if n == 2:
            os._exit(3)
        return n

    with WorkerPool(one(unit), 2) as pool:
        outcomes = pool.run([("dies", [1, 2], lambda: 10), ("next", [4, 5, 6], lambda: 10)])
        assert len(pool._idle) == 2  # the dead worker was replaced
    assert outcomes["dies"][1:] == ("failed", "worker exited unexpectedly (out of memory?)")
    assert sorted(outcomes["next"][0]) == [4, 5, 6] and outcomes["next"][1] == "ok"


@needs_proc
def test_one_group_timing_out_leaves_the_next_group_its_own_limit(no_leftovers):
    with WorkerPool(one(lambda n: time.sleep(n) or n), 2) as pool:
        outcomes = pool.run([("slow", [30, 30], lambda: 0.5), ("fast", [0, 0, 0], lambda: 10)])
    assert outcomes["slow"] == ([], "timeout", "stopped at its 0.5 s share of the budget")
    assert outcomes["fast"] == ([0, 0, 0], "ok", None)


def test_alone_runs_units_in_sequence_on_one_full_threaded_worker(no_leftovers):
    def unit(n: int) -> tuple[int, int]:
        from threadpoolctl import threadpool_info

        return n, min((pool["num_threads"] for pool in threadpool_info()), default=0)

    with WorkerPool(one(unit), 2) as pool:
        items, status, _ = pool.alone([1, 2, 3], 30)
        shared = pool.run([("shared", [1], lambda: 30)])["shared"][0]
    assert status == "ok" and [n for n, _ in items] == [1, 2, 3]
    if shared[0][1]:  # a BLAS is loaded: the pool's workers run one thread, the lone worker may run more
        assert shared[0][1] == 1 and items[0][1] >= 1
    assert pool.alone([1], 0.01) == ([], "timeout", "no budget left")


def test_an_item_that_does_not_pickle_fails_its_group_and_keeps_the_pipe_in_step():
    def unit(n: int):
        yield n
        if n == 1:
            yield lambda: n  # a closure does not pickle

    with WorkerPool(unit, 1) as pool:
        first = pool.run([("bad", [1], lambda: 10)])["bad"]
        second = pool.run([("good", [2], lambda: 10)])["good"]
    assert first[0] == [1] and first[1] == "failed" and "pickle" in first[2].lower()
    assert second == ([2], "ok", None)


def test_without_fork_the_units_run_here_with_the_limit_checked_between_items(monkeypatch):
    def no_processes(*args):
        raise AssertionError("a process was started on a platform without fork")

    # As on Windows: spawn only. The pool's own handle on multiprocessing is replaced, not the module.
    monkeypatch.setattr(workers, "mp", SimpleNamespace(get_all_start_methods=lambda: ["spawn"],
                                                       get_context=no_processes))
    assert not workers.can_fork()
    here = os.getpid()
    assert run_bounded([lambda: iter([os.getpid()]), lambda: square(3)], 10) == ([here, 9], "ok", None)

    def boom():
        yield 1
        raise RuntimeError("inline failure")

    assert run_bounded(boom, 10) == ([1], "failed", "RuntimeError: inline failure")

    def slow():
        for n in range(100):
            time.sleep(0.05)
            yield n

    items, status, error = run_bounded(slow, 0.3)
    assert status == "timeout" and 0 < len(items) < 100 and "0.3 s share" in error
    with WorkerPool(one(lambda n: n + 1), 4) as pool:
        assert pool.run([("g", [1, 2], lambda: 10)]) == {"g": ([2, 3], "ok", None)}
        assert pool.alone([5], 10) == ([6], "ok", None)


@pytest.mark.skipif(sys.platform == "win32", reason="forks")
def test_workers_write_nothing_to_stdout(capfd):
    def noisy():
        print("from a worker", file=sys.__stdout__, flush=True)  # the real stdout, whatever pytest captures
        os.write(1, b"raw from a worker\n")
        yield 1

    assert run_bounded([noisy, noisy], 10)[:2] == ([1, 1], "ok")
    assert capfd.readouterr().out == ""
