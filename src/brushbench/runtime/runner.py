"""Run one detector in its own process, with a time and a memory limit, and record what happened.

Every run ends as a :class:`RunRecord` with a :class:`Status`; a failure is recorded with its
reason and is never raised to the caller nor turned into scores.

Isolation
---------
The detector runs in a process of its own, in a new session (so that the detector's own
subprocesses can be killed with it), forked from a warm server or started as a fresh
interpreter (:mod:`brushbench.runtime.launch`). It receives the dataset *folders* and loads
them itself; its stdout and stderr go to a log whose tail is kept in the record. It reports
each phase through a pipe and leaves its result as ``result.json`` plus ``.npy`` arrays in a
temporary folder (see :mod:`brushbench.runtime.child`).

Limits
------
``timeout``
    Wall-clock seconds for building, fitting, scoring and predicting together, counted from
    the moment the child has loaded the detector module and the datasets (starting Python and
    reading the data are the harness's costs, bounded separately by ``load_timeout``). When it
    runs out, the whole process group is killed with SIGKILL and the status is ``"timeout"``,
    naming the step that was running.
``memory_mb``
    The address space the detector may add, in MiB, on top of the process as it stands once
    the datasets are loaded (``resource.setrlimit(RLIMIT_AS)`` in the child, Linux). An
    allocation beyond it fails: Python code gets ``MemoryError`` and the run is an
    ``"error"`` whose reason names the limit; C code that aborts or crashes instead ends the
    process, which is also an ``"error"`` naming the limit. Address space counts memory that
    is reserved but not yet touched (each new thread reserves tens of MiB), so leave headroom.
    A streaming run's process allocates Arrow memory with the system allocator, whose
    reservations follow its use (:func:`brushbench.runtime.child._system_allocator`): the
    mode for logs larger than memory (docs/harness.md, "Logs larger than memory").

Memory measured
---------------
``peak_memory_mb`` is the peak resident set size (RSS) of the detector's process while the
detector was built, fitted, scoring and predicting: the kernel's high-water mark
(``VmHWM``), reset just before the detector starts. It includes the interpreter and the
loaded datasets, whose footprint at that moment is ``baseline_memory_mb`` (the datasets are
memory-mapped Arrow files, :mod:`brushbench.runtime.private`: their pages count once the
detector reads them, in the peak rather than the baseline); where the mark
cannot be reset it falls back to ``getrusage(RUSAGE_SELF).ru_maxrss``, the peak over the
process's whole life. Memory of subprocesses the detector starts is not included.

POSIX only (the pipe is watched with ``select``; limits use :mod:`resource`).
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field, fields
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from brushbench.dataset import cache
from brushbench.runtime import launch, private
from brushbench.runtime.batches import DEFAULT_BATCH, parse_batch
from brushbench.runtime.contract import STEP_NAMES

_LOG_TAIL_LINES = 20
_LOG_TAIL_BYTES = 8192
#: What the harness's own phases are called in messages.
_HARNESS_STEPS = {"start": "start-up", "load": "loading the detector module",
                  "data": "loading the datasets", "ready": "the start of the detector",
                  "check": "checking the output"}
#: Seconds the child has to start Python, import the detector and load the data, at least.
MIN_LOAD_TIMEOUT = 60.0
#: ``BRUSHBENCH_HIDE=0`` leaves the cache and dataset folders visible to the detector's process
#: (it still gets only private copies); see :func:`brushbench.runtime.child._hide_folders`.
HIDE_ENV = "BRUSHBENCH_HIDE"


class Status(str, Enum):
    """How a detector run ended."""

    OK = "ok"
    """Scores (and any entity scores and predictions) were produced and are valid."""
    ERROR = "error"
    """The detector could not be loaded, raised, ran out of memory or its process died."""
    TIMEOUT = "timeout"
    """The time limit ran out; the process was killed."""
    INVALID_OUTPUT = "invalid_output"
    """The detector returned, but its output has problems (see ``problems``)."""
    SKIPPED = "skipped"
    """The detector cannot do this task (e.g. it needs a training set and there is none)."""

    def __str__(self) -> str:
        return self.value


#: Field metadata of the arrays that :meth:`RunRecord.to_dict` leaves out.
_NOT_JSON = {"json": False}


@dataclass
class RunRecord:
    """What happened when one detector ran on one train/test pair.

    Attributes
    ----------
    target : str
        The detector target as given.
    status : Status
        ``ok``, ``error``, ``timeout``, ``invalid_output`` or ``skipped``.
    reason : str
        One line saying why the run did not end ``ok`` (empty when it did).
    name, kind, source, module, attr, file, file_sha256, version
        The detector's identity (see :class:`~brushbench.runtime.DetectorSpec`); None when
        it could not be loaded.
    phase : str or None
        The step the run was in when it ended: ``load``, ``data``, ``build``, ``fit``,
        ``score``, ``predict``, ``check``, ``skipped`` or ``done``.
    n_orders : int or None
        Orders in the test set.
    fit_seconds, score_seconds, predict_seconds : float or None
        Wall-clock seconds of each call (None if not made or not finished).
    orders_per_second : float or None
        ``n_orders / score_seconds``.
    peak_memory_mb, baseline_memory_mb : float or None
        Peak RSS during the detector's run and RSS before it (see the module docs), in MiB.
    wall_seconds : float
        The whole run including starting the process and loading data.
    timeout_seconds, memory_limit_mb
        The limits the run had.
    problems : list of str
        Problems of the output (``invalid_output``), in plain words.
    traceback : str or None
        The detector's traceback when it raised.
    reads_answer_key : bool
        The detector failed because it tried to read labels from the test data.
    exit_code : int or None
        The child's exit status (negative: killed by that signal).
    log_tail : str
        The last lines the detector printed (stdout and stderr).
    stream : dict or None
        For a streaming run (``score_stream``), once it finished: ``batch`` (the window,
        e.g. ``"1h"``), ``batch_seconds``, ``start`` (epoch seconds of the first window),
        ``batches``, ``empty_batches`` (windows without orders) and the per-batch latency
        ``latency_p50_seconds``, ``latency_p99_seconds``, ``latency_max_seconds``
        (see :mod:`brushbench.runtime.streaming`). None in batch mode.
    protection : str or None
        What kept the answer key from the detector: private copies of the data, and whether
        the cache and dataset folders were also hidden from its process (user and mount
        namespaces, Linux); None when the process ended before saying.
    scores : numpy.ndarray or None
        float64 scores aligned with the test set's ``orders`` rows, only when ``ok``.
    buyer_scores, shop_scores : pandas.Series or None
        Entity scores indexed by ``buyer_id``/``shop_id`` when the detector gave them.
    predictions : numpy.ndarray or None
        bool alerts aligned like ``scores`` when the detector has ``predict``.

    The arrays are left out of :meth:`to_dict`.
    """

    target: str
    status: Status
    reason: str = ""
    name: str | None = None
    kind: str | None = None
    source: str | None = None
    module: str | None = None
    attr: str | None = None
    file: str | None = None
    file_sha256: str | None = None
    version: str | None = None
    phase: str | None = None
    n_orders: int | None = None
    fit_seconds: float | None = None
    score_seconds: float | None = None
    predict_seconds: float | None = None
    orders_per_second: float | None = None
    peak_memory_mb: float | None = None
    baseline_memory_mb: float | None = None
    wall_seconds: float = 0.0
    timeout_seconds: float | None = None
    memory_limit_mb: int | None = None
    problems: list[str] = field(default_factory=list)
    traceback: str | None = None
    reads_answer_key: bool = False
    exit_code: int | None = None
    log_tail: str = ""
    stream: dict[str, Any] | None = None
    protection: str | None = None
    scores: np.ndarray | None = field(default=None, repr=False, compare=False,
                                      metadata=_NOT_JSON)
    buyer_scores: pd.Series | None = field(default=None, repr=False, compare=False,
                                           metadata=_NOT_JSON)
    shop_scores: pd.Series | None = field(default=None, repr=False, compare=False,
                                          metadata=_NOT_JSON)
    predictions: np.ndarray | None = field(default=None, repr=False, compare=False,
                                           metadata=_NOT_JSON)

    @property
    def ok(self) -> bool:
        """True when the status is ``ok``."""
        return self.status == Status.OK

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict of everything but the arrays (``outputs`` says which exist)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.metadata.get("json", True):
                value = getattr(self, f.name)
                out[f.name] = value.value if isinstance(value, Status) else (
                    list(value) if isinstance(value, list) else value)
        out["outputs"] = {name: None if getattr(self, name) is None else len(getattr(self, name))
                          for name in ("scores", "buyer_scores", "shop_scores", "predictions")}
        return out


def run_isolated(
    target: str,
    train_dir: str | os.PathLike[str] | None,
    test_dir: str | os.PathLike[str],
    *,
    timeout: float,
    memory_mb: int | None = None,
    load_timeout: float | None = None,
    stream: bool = False,
    batch: str | int | float = DEFAULT_BATCH,
) -> RunRecord:
    """Run one detector on one train/test pair in a child process, under limits.

    Parameters
    ----------
    target : str
        Module, ``module:attr``, file path or installed detector name
        (see :func:`~brushbench.runtime.load_detector`); resolved in the child, with this
        process's ``sys.path`` and current folder.
    train_dir : path or None
        Dataset folder with the answer key, given to ``fit``; None for no training.
    test_dir : path
        Dataset folder to score; its answer key (if any) is removed before the detector
        sees it.
    timeout : float
        Seconds for building, fitting, scoring and predicting together.
    memory_mb : int, optional
        Address space the detector may add beyond the loaded data, in MiB (see the module
        docs); None for no limit.
    load_timeout : float, optional
        Seconds for starting the child, importing the detector and loading both datasets;
        defaults to ``max(60, timeout)``.
    stream : bool
        Stream the test set to ``score_stream(batches)`` even when the detector also has
        ``score`` (a detector without ``score_stream`` is then ``skipped``). A detector with
        only ``score_stream`` always streams. See :mod:`brushbench.runtime.streaming`.
    batch : str, int or float
        The streaming window (``"1h"``, ``"30m"``, ``"1d"``, seconds).

    Returns
    -------
    RunRecord
        Never raises for anything the detector does.

    Raises
    ------
    FileNotFoundError
        ``train_dir`` or ``test_dir`` does not exist (a mistake of the caller, not of the
        detector).
    brushbench.dataset.DatasetError
        A file of ``train_dir`` or ``test_dir`` differs from its manifest.

    The detector's process gets neither folder: it gets private copies, made for this run
    and deleted after it (:func:`brushbench.runtime.private.prepare_view`): the test tables
    without any answer key, the training set with its key, each under a manifest that names
    no scenario, seed or scale.
    """
    _checked_limits(timeout, batch, load_timeout)  # before copying anything
    with prepare_run(target, train_dir, test_dir) as prepared:
        return execute_run(prepared, timeout=timeout, memory_mb=memory_mb,
                           load_timeout=load_timeout, stream=stream, batch=batch)


class PreparedRun:
    """A run's private folder, ready for its child process: made by :func:`prepare_run`,
    run by :func:`execute_run`, removed by :meth:`cleanup` (or leaving a ``with`` block).

    Splitting preparation from the run lets a caller copy the next run's data while the
    current run's detector works (:func:`brushbench.harness.evaluate` does), instead of
    between runs.
    """

    def __init__(self, target: str, train_dir: str | os.PathLike[str] | None,
                 test_dir: str | os.PathLike[str]) -> None:
        for folder in (train_dir, test_dir):
            if folder is not None and not Path(folder).is_dir():
                raise FileNotFoundError(f"dataset folder not found: {folder}")
        started = time.perf_counter()
        self.target = target
        self._tmp = tempfile.TemporaryDirectory(prefix="brushbench-run-")
        self.work = Path(self._tmp.name)
        try:
            # The detector's process only ever knows these copies (see runtime.private).
            self.train_view = None if train_dir is None else \
                private.prepare_view(train_dir, self.work / "train", answer_key=True)
            self.test_view = private.prepare_view(test_dir, self.work / "test",
                                                  answer_key=False)
        except BaseException:
            self._tmp.cleanup()
            raise
        # ... and, where it can, does not see the originals nor the dataset cache at all.
        self.hide = [] if os.environ.get(HIDE_ENV, "").strip() == "0" else _to_hide(
            target, (train_dir, test_dir, cache.cache_root(), _default_cache()))
        self.prepare_seconds = time.perf_counter() - started

    def cleanup(self) -> None:
        """Remove the private folder (the copies, the job's output)."""
        self._tmp.cleanup()

    def __enter__(self) -> PreparedRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()


def prepare_run(target: str, train_dir: str | os.PathLike[str] | None,
                test_dir: str | os.PathLike[str]) -> PreparedRun:
    """Make the private copies a run of ``target`` gets (see :func:`run_isolated`).

    Raises
    ------
    FileNotFoundError
        ``train_dir`` or ``test_dir`` does not exist.
    brushbench.dataset.DatasetError
        A file of ``train_dir`` or ``test_dir`` differs from its manifest.
    """
    return PreparedRun(target, train_dir, test_dir)


def execute_run(prepared: PreparedRun, *, timeout: float, memory_mb: int | None = None,
                load_timeout: float | None = None, stream: bool = False,
                batch: str | int | float = DEFAULT_BATCH) -> RunRecord:
    """Run a prepared run's detector in its child process (arguments as
    :func:`run_isolated`'s); the folder stays until ``prepared.cleanup()``."""
    batch_seconds, load_timeout = _checked_limits(timeout, batch, load_timeout)
    started = time.perf_counter()
    record = _run_child(prepared.target, prepared.train_view, prepared.test_view,
                        prepared.work, hide=prepared.hide, timeout=timeout,
                        memory_mb=memory_mb, load_timeout=load_timeout, stream=stream,
                        batch_seconds=batch_seconds)
    record.wall_seconds = prepared.prepare_seconds + time.perf_counter() - started
    record.timeout_seconds = timeout
    record.memory_limit_mb = memory_mb
    return record


def _checked_limits(timeout: float, batch: str | int | float,
                    load_timeout: float | None) -> tuple[int, float]:
    """The streaming window in seconds and the load timeout; ValueError for a timeout that is
    not positive or a window that is not one."""
    if not timeout > 0:
        raise ValueError(f"timeout must be positive, got {timeout!r}")
    batch_seconds = parse_batch(batch)
    return batch_seconds, max(MIN_LOAD_TIMEOUT, timeout) if load_timeout is None \
        else load_timeout


def _to_hide(target: str, folders: tuple[Any, ...]) -> list[str]:
    """The folders to hide from the detector's process, but none holding the current folder
    or the detector's file (it must still import from there)."""
    keep = [Path.cwd().resolve()]
    path = target.rsplit(":", 1)[0] if target.count(":") == 1 else target
    if path.endswith(".py"):
        keep.append(Path(path).resolve())
    return sorted({str(folder) for folder in (Path(f).resolve() for f in folders if f is not None)
                   if not any(k == folder or folder in k.parents for k in keep)})


def _default_cache() -> Path:
    """Where the cache is without ``$BRUSHBENCH_CACHE`` (a detector finds it there unnamed)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "brushbench"


def _run_child(target: str, train_dir: Any, test_dir: Any, work: Path, *, hide: list[str],
               timeout: float,
               memory_mb: int | None, load_timeout: float, stream: bool = False,
               batch_seconds: int | None = None) -> RunRecord:
    job = {"target": target, "memory_mb": memory_mb, "out_dir": str(work),
           "sys_path": list(sys.path),
           "train_dir": None if train_dir is None else str(Path(train_dir).resolve()),
           "test_dir": str(Path(test_dir).resolve())}
    job.update(stream=bool(stream), batch_seconds=batch_seconds, hide=hide)
    job_file = work / "job.json"
    job_file.write_text(json.dumps(job), encoding="utf-8")  # the child reads, then deletes it
    log_path = work / "detector.log"
    proc, read_fd = launch.start(job_file, log_path)
    known: dict[str, Any] = {}
    try:
        phase, timed_out = _watch(proc, read_fd, known, timeout=timeout,
                                  load_timeout=load_timeout)
    finally:
        os.close(read_fd)
        proc.kill_group()
    exit_code = proc.wait(0)
    log_tail = _tail(log_path)
    result_file = work / "result.json"
    if timed_out:
        status, reason = Status.TIMEOUT, _timeout_reason(phase, timeout, load_timeout)
    elif not result_file.is_file():
        status = Status.ERROR
        reason = _death_reason(exit_code, phase, memory_mb, log_tail)
    else:
        result = json.loads(result_file.read_text(encoding="utf-8"))
        return _record(target, result, work, exit_code, log_tail)
    # No result: what the child reported before it was killed or died is all there is.
    return _record(target, {**known, "status": status.value, "phase": phase, "reason": reason},
                   work, exit_code, log_tail)


def _watch(proc: launch.RunProcess, read_fd: int, known: dict[str, Any], *,
           timeout: float, load_timeout: float) -> tuple[str, bool]:
    """Follow the child's phases until it is done or dies; (last phase, timed out).

    Facts the messages carry besides the phase (identity, n_orders, baseline memory) are
    collected into ``known``.
    """
    phase = "start"
    deadline = time.perf_counter() + load_timeout
    buffer = b""
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            return phase, True
        ready, _, _ = select.select([read_fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(read_fd, 65536)
        if not chunk:  # end of file: the child exited (or closed the pipe and may still run)
            break
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            message = json.loads(line)
            phase = message.pop("phase")
            known.update(message)
            if phase == "ready":
                # The detector's clock starts once the data is loaded (see the module docs).
                deadline = time.perf_counter() + timeout
            if phase == "done":
                break
        if phase == "done":
            break
    wait = max(deadline - time.perf_counter(), 5.0) if phase != "done" else 30
    if proc.wait(wait) is None:
        return phase, True
    return phase, False


def _record(target: str, result: dict[str, Any], work: Path, exit_code: int | None,
            log_tail: str) -> RunRecord:
    identity = result.get("identity") or {}
    # The child's result as given (JSON: any field may be null), typed by RunRecord.
    given: dict[str, Any] = {
        **{k: identity.get(k) for k in ("name", "kind", "source", "module", "attr", "file",
                                        "file_sha256", "version")},
        **{k: result.get(k) for k in ("phase", "n_orders", "fit_seconds", "score_seconds",
                                      "predict_seconds", "orders_per_second", "peak_memory_mb",
                                      "baseline_memory_mb", "traceback")}}
    record = RunRecord(
        target=target, status=Status(result["status"]), reason=result.get("reason", ""),
        **given,
        problems=list(result.get("problems", [])),
        reads_answer_key=bool(result.get("reads_answer_key", False)),
        exit_code=exit_code, log_tail=log_tail, stream=result.get("stream"),
        protection=result.get("protection"))
    files = result.get("files", {})

    def array(name: str) -> np.ndarray | None:
        return np.load(work / files[name], allow_pickle=False) if name in files else None

    record.scores = array("scores")
    record.predictions = array("predictions")
    for entity in ("buyer", "shop"):
        ids, values = array(f"{entity}_ids"), array(f"{entity}_scores")
        if ids is not None and values is not None:
            import pandas as pd  # here: the harness imports pandas off its start-up path

            series = pd.Series(values, index=pd.Index(ids, name=f"{entity}_id"), name="score")
            setattr(record, f"{entity}_scores", series)
    return record


def _timeout_reason(phase: str, timeout: float, load_timeout: float) -> str:
    # No "timeout: " in front: whoever shows a reason shows the status before it.
    if phase in STEP_NAMES:
        return (f"{STEP_NAMES[phase]} was still running when the {timeout:g} s limit "
                "(for building, fitting, scoring and predicting) ran out; the process was "
                "killed")
    if phase in ("check", "ready"):
        return (f"the {timeout:g} s limit ran out while the harness checked the "
                "output; the process was killed")
    what = "the datasets" if phase == "data" else "Python and the detector module"
    return (f"still loading {what} after {load_timeout:g} s (the limit for starting "
            "up); the process was killed")


def _death_reason(code: int | None, phase: str, memory_mb: int | None, log_tail: str) -> str:
    step = STEP_NAMES.get(phase) or _HARNESS_STEPS.get(phase, phase)
    if code is not None and code < 0:
        try:
            how = f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            how = f"was killed by signal {-code}"
    else:
        how = f"exited with code {code}"
    reason = f"the detector's process {how} during {step}, before reporting a result"
    if memory_mb is not None and (phase in STEP_NAMES or phase == "ready"):
        reason += (f"; the memory limit of {memory_mb:,} MB can end a process this way when "
                   "C code fails to allocate")
    last = [line for line in log_tail.splitlines() if line.strip()]
    if last:
        reason += f" (last output: {last[-1].strip()[:200]})"
    return reason


def _tail(path: Path) -> str:
    try:
        with open(path, "rb") as log:
            log.seek(0, os.SEEK_END)
            size = log.tell()
            log.seek(max(0, size - _LOG_TAIL_BYTES))
            text = log.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-_LOG_TAIL_LINES:])


# ---------------------------------------------------------------------------------------------
# the commands' default memory limit

#: Environment variable that sets the default ``--memory`` of ``eval``, ``check`` and
#: ``rounds eval``, in MB (``0``: no limit).
MEMORY_ENV = "BRUSHBENCH_MEMORY_MB"
#: The default limit never exceeds this many MB (8 GiB) ...
DEFAULT_MEMORY_CAP_MB = 8192
#: ... nor this share of the machine's physical memory.
DEFAULT_MEMORY_SHARE = 0.75


def default_memory_mb() -> int | None:
    """The memory limit of a run when the command line names none, in MB (None: no limit).

    ``$BRUSHBENCH_MEMORY_MB`` if set (``0``: none), else min(8 GiB, 75% of physical memory):
    a detector that allocates more fails with ``error`` instead of running the machine into
    swap or the OOM killer.

    Raises
    ------
    ValueError
        ``$BRUSHBENCH_MEMORY_MB`` is not a whole number >= 0.
    """
    chosen = os.environ.get(MEMORY_ENV, "").strip()
    if chosen:
        try:
            value = int(chosen)
        except ValueError:
            value = -1
        if value < 0:
            raise ValueError(f"{MEMORY_ENV} must be a whole number of MB >= 0 (0: no limit), "
                             f"got {chosen[:40]!r}")
        return value or None
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    except (AttributeError, ValueError, OSError):
        return DEFAULT_MEMORY_CAP_MB
    if physical <= 0:
        return DEFAULT_MEMORY_CAP_MB
    return max(1, min(DEFAULT_MEMORY_CAP_MB, int(physical * DEFAULT_MEMORY_SHARE)))


def memory_option(value: int | None) -> int | None:
    """What a command's ``--memory MB`` means: omitted, the default; ``0``, no limit.

    Raises
    ------
    ValueError
        ``value`` is negative (or the environment's default is malformed).
    """
    if value is None:
        return default_memory_mb()
    if value < 0:
        raise ValueError(f"--memory must be >= 0 MB (0: no limit), got {value}")
    return value or None
