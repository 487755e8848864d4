"""Where a run's tasks execute: local worker processes, or Dask.

A task is a module-level function whose first argument is the plan (``fn(plan, *args)``).
An engine ships the plan to its workers once, then runs tasks there and hands back futures
(anything with ``result()``). The tasks' results do not depend on the engine, the number of
workers or the order in which the tasks finish: that is what makes the bytes the same.

- :class:`ProcessEngine`: a pool of local processes that die with their parent.
- :class:`DaskEngine`: a ``dask.distributed`` cluster, a ``LocalCluster`` of its own by
  default, or the scheduler at an address (``tcp://host:8786``). ``dask[distributed]`` is an
  optional extra (``pip install 'brushbench[dask]'``).
"""

from __future__ import annotations

import concurrent.futures as cf
import os
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .._lifetime import die_with_parent

if TYPE_CHECKING:  # only named in annotations: checking an engine need not plan anything
    from .plan import Plan

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

#: What ``--engine`` takes.
ENGINES = ("local", "dask")
DASK_INSTALL = "pip install 'brushbench[dask]'"


class EngineError(RuntimeError):
    """An engine that cannot start (Dask missing, a scheduler that does not answer): one line
    saying what and how to fix it."""


class Handle(Protocol[T_co]):
    def result(self) -> T_co: ...


class Engine(Protocol):
    """Runs ``fn(plan, *args)`` on its workers."""

    @property
    def workers(self) -> int: ...

    def submit(self, fn: Callable[..., T], *args: Any) -> Handle[T]: ...


# -- local processes ----------------------------------------------------------------------------
_WORKER_PLAN: Plan | None = None


def _init_worker(plan: Plan, parent_pid: int | None = None) -> None:
    global _WORKER_PLAN
    # A worker must not outlive a killed `generate` (it would compute shards for minutes).
    die_with_parent(parent_pid)
    _WORKER_PLAN = plan


def _call(fn: Callable[..., T], *args: Any) -> T:
    assert _WORKER_PLAN is not None
    return fn(_WORKER_PLAN, *args)


class ProcessEngine:
    """``workers`` local processes, each given the plan once when it starts."""

    def __init__(self, plan: Plan, workers: int):
        self._plan = plan
        self._workers = max(int(workers), 1)
        self._pool: cf.ProcessPoolExecutor | None = None

    @property
    def workers(self) -> int:
        return self._workers

    def __enter__(self) -> ProcessEngine:
        self._pool = cf.ProcessPoolExecutor(max_workers=self._workers, initializer=_init_worker,
                                            initargs=(self._plan, os.getpid()))
        return self

    def submit(self, fn: Callable[..., T], *args: Any) -> Handle[T]:
        assert self._pool is not None, "use the engine in a with block"
        return self._pool.submit(_call, fn, *args)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._pool is not None:
            # On an error, tasks not started yet are dropped rather than run for nothing.
            self._pool.shutdown(wait=True, cancel_futures=exc_type is not None)
            self._pool = None


# -- Dask ---------------------------------------------------------------------------------------
def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise EngineError(f"--engine dask needs dask.distributed, which is not installed: "
                          f"{DASK_INSTALL}") from None
    return distributed


class DaskEngine:
    """A ``dask.distributed`` client: on a ``LocalCluster`` of ``workers`` single-threaded
    processes (closed with the engine), or on the cluster whose scheduler is at ``scheduler``.

    A real cluster's workers must import the same brushbench (and its dependencies), and must
    all see the folder the dataset is written to (a shared file system); the plan is sent to
    each worker once.
    """

    def __init__(self, plan: Plan, workers: int = 1, scheduler: str | None = None):
        self._plan = plan
        self._n = max(int(workers), 1)
        self._scheduler = scheduler
        self._client: Any = None
        self._cluster: Any = None
        self._plan_future: Any = None

    @property
    def workers(self) -> int:
        if self._client is not None and self._scheduler is not None:
            return max(len(self._client.scheduler_info().get("workers", {})), 1)
        return self._n

    def __enter__(self) -> DaskEngine:
        distributed = _import_distributed()
        try:
            if self._scheduler is None:
                # Single-threaded processes: numpy and Arrow release the GIL only in parts,
                # so a process per core is what scales, as with the local engine.
                self._cluster = distributed.LocalCluster(
                    n_workers=self._n, threads_per_worker=1, processes=True,
                    dashboard_address=":0")
                self._client = distributed.Client(self._cluster)
            else:
                self._client = distributed.Client(self._scheduler, timeout="30s")
        except (OSError, TimeoutError, ValueError) as exc:
            self.__exit__(None, None, None)
            where = self._scheduler or "a LocalCluster"
            raise EngineError(f"--scheduler {where}: cannot start Dask ({exc})"
                              if self._scheduler else f"cannot start {where}: {exc}") from None
        try:
            self._plan_future = self._client.scatter(self._plan, broadcast=True, hash=False)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def submit(self, fn: Callable[..., T], *args: Any) -> Handle[T]:
        assert self._client is not None, "use the engine in a with block"
        future: Handle[T] = self._client.submit(fn, self._plan_future, *args, pure=False)
        return future

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None
        self._plan_future = None


def check_engine(name: str, scheduler: str | None = None) -> None:
    """Refuse, before any work, an unknown engine, a scheduler without Dask, or Dask missing.

    Raises
    ------
    ValueError
        Unknown engine, or a scheduler address given to the local engine.
    EngineError
        ``dask`` without dask.distributed installed (the message says how to install it).
    """
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r}; expected one of {', '.join(ENGINES)}")
    if name == "dask":
        _import_distributed()
    elif scheduler is not None:
        raise ValueError("a scheduler address needs the dask engine (--engine dask)")


def open_engine(name: str, plan: Plan, workers: int,
                scheduler: str | None = None) -> ProcessEngine | DaskEngine | None:
    """The engine ``name`` (:data:`ENGINES`), not yet entered; None for the local engine with
    one worker (tasks then run in this process).

    Raises
    ------
    ValueError
        Unknown engine, or a scheduler address given to the local engine.
    """
    check_engine(name, scheduler)
    if name == "dask":
        return DaskEngine(plan, workers, scheduler)
    return ProcessEngine(plan, workers) if workers > 1 else None
