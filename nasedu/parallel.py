"""Running evaluations: in this process, on a ``concurrent.futures`` executor, or on dask.

Searches and :func:`~nasedu.bench.make_benchmark` hand their evaluations to a :class:`Runner`,
which turns every way of running a function into the same thing, a
:class:`concurrent.futures.Future` whose result is an :class:`Answer`:

* no executor -- the function runs right here, one call at a time;
* any :class:`concurrent.futures.Executor` -- a ``ThreadPoolExecutor`` (fine for evaluations
  that wait: table lookups, sleeps, remote jobs) or a ``ProcessPoolExecutor`` (for training on
  several CPU cores; the function and its arguments must pickle: module-level functions, not
  lambdas);
* a ``dask.distributed.Client`` -- the standard way to use the cores of more than one machine
  (``Client(LocalCluster(...))`` on one machine, ``Client("scheduler-address:8786")`` on a
  cluster).  Dask pickles with cloudpickle, so lambdas and closures work too.

A *timeout* is enforced where the evaluation runs: the function runs in a helper thread, and if
it has not returned after ``timeout`` seconds of its own running time (queueing does not count)
the answer is ``timed_out``.  Python cannot kill a thread, so the abandoned call goes on in the
background until its process ends: a dask worker that timed out is restarted (dask's nanny
replaces its process); a ``ProcessPoolExecutor(..., max_tasks_per_child=1)`` (Python 3.11+)
runs every call in a fresh process, so an abandoned call ends with its process.  In a thread
pool, in a process pool that reuses its processes, or in this process, the abandoned thread stays
(harmless for a call that waits, a cost for one that computes -- use one of the two above).
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
import warnings
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Any

__all__ = ["Answer", "Runner", "Task", "resolve_workers", "worker_name"]


def worker_name() -> str:
    """Who is running this code: a dask worker's address, else ``host:pid`` (and the thread's
    name when it is not the main thread, as in a thread pool)."""
    distributed = sys.modules.get("distributed")  # a dask worker has imported it; no one else
    if distributed is not None:  # needs to pay for importing it
        try:
            return distributed.get_worker().address
        except ValueError:  # not in a dask worker
            pass
    name = f"{socket.gethostname()}:{os.getpid()}"
    thread = threading.current_thread()
    return name if thread is threading.main_thread() else f"{name}:{thread.name}"


@dataclass(frozen=True)
class Answer:
    """What one evaluation returned (``value``), how long it ran, where, and whether it was
    abandoned after the timeout (then ``value`` is None)."""

    value: Any
    seconds: float
    worker: str
    timed_out: bool = False


@dataclass(frozen=True)
class Task:
    """``fn`` wrapped to run anywhere: it times itself, names its worker and stops waiting after
    ``timeout`` seconds.  Plain data and a function, so it pickles whenever ``fn`` does."""

    fn: Callable[..., Any]
    timeout: float | None = None

    def __call__(self, *args: Any) -> Answer:
        worker, start = worker_name(), time.perf_counter()
        if self.timeout is None:
            value = self.fn(*args)
            return Answer(value, time.perf_counter() - start, worker)
        box: dict[str, Any] = {}

        def run() -> None:
            try:
                box["value"] = self.fn(*args)
            except BaseException as error:  # handed to the caller below
                box["error"] = error

        thread = threading.Thread(target=run, name="nasedu-evaluation", daemon=True)
        thread.start()
        thread.join(self.timeout)
        if thread.is_alive():
            return Answer(None, time.perf_counter() - start, worker, timed_out=True)
        if "error" in box:
            raise box["error"]
        return Answer(box["value"], time.perf_counter() - start, worker)


def _is_dask_client(executor: Any) -> bool:
    return type(executor).__name__ == "Client" and hasattr(executor, "nthreads")


def resolve_workers(executor: Any, workers: int | None) -> int:
    """How many evaluations to keep in flight: ``workers`` if given, else the executor's size
    (its ``max_workers``; for dask the total threads of its workers), else 1."""
    from .spaces.checks import check_int

    if workers is not None:
        if check_int(workers, "workers") < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        if executor is None and workers > 1:
            raise ValueError(
                f"workers={workers} needs an executor to run them on: pass executor= a "
                "concurrent.futures executor or a dask.distributed.Client"
            )
        return workers
    if executor is None:
        return 1
    if _is_dask_client(executor):
        return max(1, sum(executor.nthreads().values()))
    size = getattr(executor, "_max_workers", None)
    if isinstance(size, int) and size >= 1:
        return size
    raise ValueError(
        f"cannot tell how many workers {type(executor).__name__} has: pass workers= as well"
    )


class Runner:
    """Submits :class:`Task` calls of ``fn`` to ``executor`` and hands back plain futures."""

    def __init__(self, fn: Callable[..., Any], executor: Any = None, timeout: float | None = None):
        if timeout is not None and not (isinstance(timeout, (int, float)) and timeout > 0):
            raise ValueError(f"timeout must be a positive number of seconds or None, got {timeout}")
        if executor is not None and not (
            isinstance(executor, Executor) or _is_dask_client(executor)
        ):
            raise TypeError(
                "executor must be a concurrent.futures.Executor or a dask.distributed.Client, "
                f"got {type(executor).__name__}"
            )
        self.task, self.executor = Task(fn, timeout), executor
        self.dask = _is_dask_client(executor)
        self._dask_futures: dict[Future, Any] = {}
        if executor is not None and type(executor).__name__ == "ProcessPoolExecutor":
            _check_picklable(fn)

    def submit(self, *args: Any) -> Future:
        """Start one call; the future's result is an :class:`Answer` (or the call's error)."""
        if self.executor is None:
            future: Future = Future()
            try:
                future.set_result(self.task(*args))
            except Exception as error:
                future.set_exception(error)
            return future
        if not self.dask:
            return self.executor.submit(self.task, *args)
        remote = self.executor.submit(self.task, *args, pure=False)
        future = Future()
        future.set_running_or_notify_cancel()
        self._dask_futures[future] = remote
        remote.add_done_callback(lambda done: _transfer(done, future))
        return future

    def after_timeout(self, answer: Answer) -> None:
        """Replace the worker that abandoned a call, where the executor can (dask)."""
        if not self.dask:
            return
        try:
            self.executor.restart_workers([answer.worker])
        except Exception as error:  # e.g. a worker without a nanny cannot be restarted
            warnings.warn(
                f"could not restart dask worker {answer.worker} after a timeout: {error}",
                RuntimeWarning,
                stacklevel=2,
            )

    def forget(self, future: Future) -> None:
        self._dask_futures.pop(future, None)

    def cancel(self, futures: Any) -> None:
        """Cancel calls that are no longer wanted (those already running may finish)."""
        for future in futures:
            future.cancel()
            remote = self._dask_futures.pop(future, None)
            if remote is not None:
                remote.cancel()


def _transfer(remote: Any, future: Future) -> None:
    """Copy a finished dask future's outcome into a concurrent.futures one."""
    if future.done():
        return
    try:
        future.set_result(remote.result())
    except BaseException as error:
        future.set_exception(error)


def _check_picklable(fn: Callable[..., Any]) -> None:
    import pickle

    try:
        pickle.dumps(fn)
    except Exception as error:
        raise TypeError(
            f"a ProcessPoolExecutor must pickle the objective to send it to its processes, and "
            f"{fn!r} does not pickle ({error}); define it at module level (or use "
            "functools.partial), use a ThreadPoolExecutor, or a dask Client (cloudpickle)"
        ) from None
