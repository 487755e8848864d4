"""The process one detector runs in.

Started by :func:`brushbench.runtime.run_isolated` (through :mod:`brushbench.runtime.launch`:
forked from a warm server, or ``python -m brushbench.runtime.child JOB.json --status-fd=N``),
never by users. It reads and deletes its job file, loads the detector and the two dataset
folders (private copies: :mod:`brushbench.runtime.private`), limits its own address space,
runs :func:`run_protocol`, checks the output and leaves the result in the job's folder:

- ``result.json``: status, reason, timings, memory, problems, traceback;
- ``scores.npy`` (float64, aligned to the test orders), ``predictions.npy`` (bool),
  ``buyer_ids.npy``/``buyer_scores.npy`` and ``shop_ids.npy``/``shop_scores.npy`` when valid.

In streaming mode (``job["stream"]``, or a detector with only ``score_stream``) the per-batch
scores are put together into ``scores.npy`` and ``result.json`` gains ``stream`` (batches,
latency percentiles: :meth:`brushbench.runtime.streaming.StreamOutput.summary`).

Arrays go through files rather than the pipe: millions of scores pickled through a pipe cost
more than the detector. The pipe (file descriptor ``status_fd``) carries one JSON line per
phase so that the parent can say which phase a timeout interrupted and can start the
detector's clock only once the data is loaded.
"""

from __future__ import annotations

import json
import os
import sys
import sysconfig
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

import numpy as np

try:  # POSIX only: elsewhere there is no memory limit and peak memory is not measured
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

from brushbench.dataset import ANSWER_KEY_TABLES, DatasetError, load
from brushbench.runtime.contract import STEP_NAMES
from brushbench.runtime.detectors import DetectorLoadError, load_detector
from brushbench.runtime.protocol import (
    DetectorFailed,
    DetectorSkipped,
    check_output,
    run_protocol,
)
from brushbench.runtime.streaming import DEFAULT_BATCH
from brushbench.userdata.view import log_view, skip_if_lacking, unmet_requirements

# Folders (with a trailing separator, so that "brushbench" does not match "brushbench_x").
_HARNESS_DIR = str(Path(__file__).resolve().parent) + os.sep
_PACKAGE_DIR = str(Path(__file__).resolve().parent.parent) + os.sep
_LIBRARY_DIRS = tuple({str(Path(p).resolve()) + os.sep
                       for key in ("stdlib", "platstdlib", "purelib", "platlib")
                       if (p := sysconfig.get_paths().get(key))})
#: Environment variables the detector's process does not get (the dataset cache's location).
HIDDEN_ENV = ("BRUSHBENCH_CACHE",)
# Dataset raises AttributeError/KeyError with this text when the answer key is asked for.
_WITHHELD_MARK = "answer key is withheld"


def main(argv: list[str] | None = None, *, status_fd: int | None = None) -> None:
    """Run a job, then exit without waiting for threads.

    ``argv`` is ``[JOB.json]`` plus ``--status-fd=N`` unless ``status_fd`` is given (a
    process forked by :mod:`brushbench.runtime.launch` passes it directly).
    """
    args = sys.argv[1:] if argv is None else argv
    job_file = Path(args[0])
    job = json.loads(job_file.read_text(encoding="utf-8"))
    # Nothing of the harness's state stays readable once the detector's code runs: the job
    # file goes, and so does the cache's location (the job names only private copies).
    job_file.unlink(missing_ok=True)
    for name in HIDDEN_ENV:
        os.environ.pop(name, None)
    protection = _hide_folders(job.pop("hide", None) or [])
    for arg in args[1:]:
        if arg.startswith("--status-fd="):
            status_fd = int(arg.split("=", 1)[1])
    if status_fd is None:
        raise SystemExit("brushbench.runtime.child: no --status-fd given")
    out = Path(job["out_dir"])
    status = os.fdopen(status_fd, "w", buffering=1, encoding="utf-8")
    os.set_inheritable(status.fileno(), False)
    _merge_sys_path(job["sys_path"])
    try:
        result = {**_run(job, out, lambda **msg: _send(status, msg)), "protection": protection}
    except BaseException as exc:  # a bug of the harness: still a recorded failure
        result = {"status": "error", "phase": "harness",
                  "reason": f"harness error: {_exception_line(exc)}",
                  "traceback": traceback.format_exc()}
    tmp = out / "result.json.tmp"
    tmp.write_text(json.dumps(result), encoding="utf-8")
    os.replace(tmp, out / "result.json")
    _send(status, {"phase": "done"})
    status.close()
    sys.stdout.flush()
    sys.stderr.flush()
    # os._exit: a detector that left non-daemon threads or pools running must not keep the
    # process (and the harness waiting for it) alive after the result is written.
    os._exit(0)


# ---------------------------------------------------------------------------------------------
# hiding the folders that hold answer keys

_CLONE_NEWNS = 0x00020000
_CLONE_NEWUSER = 0x10000000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
#: ``RunRecord.protection`` when the folders could be hidden, and when not.
HIDDEN = "private copies; cache and dataset folders hidden (user and mount namespaces)"
COPIES_ONLY = "private copies only (namespaces unavailable: {})"


def _hide_folders(folders: list[str]) -> str:
    """Mount an empty read-only tmpfs over each of ``folders``, in a mount namespace of this
    process only; which protection applied.

    Needs unprivileged user namespaces (Linux) and a single-threaded process (a forked run;
    a spawned one has started numpy's threads already): otherwise nothing is hidden and the
    reason is returned. The mounts are made in one user namespace and the detector runs in a
    second one nested in it, where they are locked: it cannot unmount them.
    """
    if not folders:
        return COPIES_ONLY.format("nothing to hide")
    if not sys.platform.startswith("linux"):
        return COPIES_ONLY.format("not Linux")
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        _enter_namespaces(libc)
        flags = _MS_RDONLY | _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
        for folder in folders:
            if os.path.isdir(folder) and libc.mount(
                    b"tmpfs", os.fsencode(folder), b"tmpfs", flags, b"size=4k,mode=0") != 0:
                errno = ctypes.get_errno()
                raise OSError(errno, f"mount over {folder}: {os.strerror(errno)}")
        _enter_namespaces(libc)
    except OSError as exc:
        return COPIES_ONLY.format(exc.strerror or exc)
    return HIDDEN


def _enter_namespaces(libc: Any) -> None:
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNS) != 0:
        import ctypes

        errno = ctypes.get_errno()
        raise OSError(errno, f"unshare: {os.strerror(errno)}")
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"),
                       ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w", encoding="ascii") as f:
            f.write(text)


def _run(job: dict[str, Any], out: Path, send: Any) -> dict[str, Any]:
    result: dict[str, Any] = {"status": "error", "phase": "load"}
    send(phase="load")
    try:
        spec = load_detector(job["target"])
    except DetectorLoadError as exc:
        return {**result, "reason": f"cannot load the detector: {exc}"}
    result["identity"] = spec.identity()

    result["phase"] = "data"
    if job.get("stream") or (spec.has_score_stream and not spec.has_score):
        _system_allocator()
    # Sent as they become known, so that a run killed later still names its detector.
    send(phase="data", identity=result["identity"])
    try:
        # verify=False: the caller wrote or verified these folders; hashing a large dataset
        # again for every detector would dominate the harness's own time. A detector without
        # fit() never sees the training set, so it is not loaded (nor counted in its memory).
        train = load(job["train_dir"], verify=False) \
            if job["train_dir"] and spec.has_fit else None
        test = load(job["test_dir"], verify=False).without_answer_key()
    except DatasetError as exc:
        return {**result, "reason": f"cannot load a dataset: {exc}"}
    # An imported log (``brushbench eval --data``): its lacking columns are not in data.orders.
    train, test = log_view(train), log_view(test)
    n_orders = test.arrow("orders").num_rows
    result["n_orders"] = n_orders
    unmet = unmet_requirements(spec, test)  # the detector's ``requires`` vs what the log has
    if unmet is not None:
        return {**result, **unmet}
    result["baseline_memory_mb"] = _rss_mb()

    memory_mb = job["memory_mb"]
    peak_reset = _reset_peak()
    previous = _limit_address_space(memory_mb)
    send(phase="ready", n_orders=n_orders, baseline_memory_mb=result["baseline_memory_mb"])
    failure: dict[str, Any] | None = None
    try:
        raw = run_protocol(spec, train, test, on_phase=lambda phase: send(phase=phase),
                           stream=True if job.get("stream") else None,
                           batch=job.get("batch_seconds") or DEFAULT_BATCH)
    except DetectorSkipped as exc:
        failure = {"status": "skipped", "phase": "skipped", "reason": str(exc)}
    except DetectorFailed as exc:
        failure = skip_if_lacking(test, _failure(exc.phase, exc.error, memory_mb), exc.error)
    except MemoryError as exc:  # in the harness's part, e.g. while removing the answer key
        failure = _failure("score", exc, memory_mb)
    finally:
        _restore_address_space(previous)
        result["peak_memory_mb"] = _peak_mb(peak_reset)
    if failure is not None:
        return {**result, **failure}

    result.update(phase="check", fit_seconds=raw.fit_seconds, score_seconds=raw.score_seconds,
                  predict_seconds=raw.predict_seconds, orders_per_second=raw.orders_per_second)
    if raw.stream is not None:
        result["stream"] = raw.stream.summary()
    checked = check_output(raw, test)
    if checked.problems:
        return skip_if_lacking(test, {
            **result, "status": "invalid_output", "problems": checked.problems,
            "reason": f"invalid output: {checked.problems[0]}"
                      + (f" (and {len(checked.problems) - 1} more problem(s))"
                         if len(checked.problems) > 1 else "")})
    files: dict[str, str] = {}
    arrays = {"scores": checked.scores, "predictions": checked.predictions}
    for entity, series in (("buyer", checked.buyer_scores), ("shop", checked.shop_scores)):
        if series is not None:
            arrays[f"{entity}_ids"] = series.index.to_numpy(dtype=np.int64)
            arrays[f"{entity}_scores"] = series.to_numpy(dtype=np.float64)
    for name, array in arrays.items():
        if array is not None:
            np.save(out / f"{name}.npy", array, allow_pickle=False)
            files[name] = f"{name}.npy"
    return {**result, "status": "ok", "phase": "done", "reason": "", "files": files}


def _system_allocator() -> None:
    """Make the system's allocator Arrow's default in this process (a streaming run).

    Arrow's default allocator (mimalloc) reserves address space in 1 GiB segments, most of
    it never touched. The memory limit is on address space (``RLIMIT_AS``), so that
    reservation alone fails a stream given less than about 1.2 GB, whatever it really uses;
    the system allocator's address space follows what is allocated. Streaming is the mode
    for logs larger than memory, where the limit is tight; batch runs keep Arrow's default
    and their timings.
    """
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())


def _failure(phase: str, error: BaseException, memory_mb: int | None) -> dict[str, Any]:
    """Status, reason and traceback for an exception the detector raised in ``phase``."""
    step = STEP_NAMES.get(phase, phase)
    where = _user_frame(error.__traceback__)
    at = f" at {where}" if where else ""
    failure: dict[str, Any] = {"status": "error", "phase": phase,
                               "traceback": _format_traceback(error)}
    if isinstance(error, SystemExit):
        failure["reason"] = f"{step} called sys.exit({error.code!r}){at}"
    elif isinstance(error, MemoryError) or "bad_alloc" in str(error):
        limit = (f"it hit the memory limit of {memory_mb:,} MB (address space beyond the "
                 "loaded data)" if memory_mb else "the machine ran out of memory")
        failure["reason"] = f"out of memory in {step}: {limit}; {_exception_line(error)}{at}"
    elif phase in ("score", "predict", "build", "stream") and _reads_answer_key(error):
        failure["reads_answer_key"] = True
        failure["reason"] = (f"{step} tried to read the answer key of the test data{at} "
                             f"({_exception_line(error)}); the test data carries no labels: "
                             "only fit(train) gets them")
    else:
        failure["reason"] = f"{step} raised {_exception_line(error)}{at}"
    return failure


def _reads_answer_key(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, AttributeError | KeyError) and (
                _WITHHELD_MARK in str(seen)
                or getattr(seen, "name", None) in ANSWER_KEY_TABLES):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _user_frame(tb: TracebackType | None) -> str | None:
    """``file:line `code``` of the innermost frame of the detector's own code.

    The detector's code is anything outside the standard library, site-packages and
    brushbench (``data.labels`` raises inside brushbench, the line that asked is the
    detector's); a detector installed in site-packages falls back to the first frame below
    the harness (its own method).
    """
    frames = [f for f in traceback.extract_tb(tb)
              if not str(Path(f.filename).resolve()).startswith(_HARNESS_DIR)]
    if not frames:
        return None
    own = [f for f in frames
           if not str(Path(f.filename).resolve()).startswith((*_LIBRARY_DIRS, _PACKAGE_DIR))]
    frame = own[-1] if own else frames[0]
    code = f" `{frame.line.strip()}`" if frame.line else ""
    return f"{Path(frame.filename).name}:{frame.lineno}{code}"


def _format_traceback(error: BaseException) -> str:
    # Drop the harness's own frames at the top: the traceback starts at the detector's code.
    tb = error.__traceback__
    while tb is not None and str(Path(tb.tb_frame.f_code.co_filename).resolve()
                                 ).startswith(_HARNESS_DIR):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb))


def _exception_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def _send(status: TextIO, message: dict[str, Any]) -> None:
    try:
        status.write(json.dumps(message) + "\n")
    except (OSError, ValueError):  # the parent gave up on us (timeout): nobody is listening
        pass


def _merge_sys_path(parent: list[str]) -> None:
    # The detector must import the way it would in the caller's process (pytest's rootdir,
    # a notebook's extra folders), plus this process's own entries.
    merged = [p for p in parent if p]
    merged += [p for p in sys.path if p not in merged]
    sys.path[:] = merged


# ---------------------------------------------------------------------------------------------
# memory


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def _rss_mb() -> float | None:
    kb = _status_kb("VmRSS")
    return None if kb is None else kb / 1024


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (Linux >= 4.0) so the peak covers the detector only."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


def _peak_mb(reset: bool) -> float | None:
    """Peak resident memory while the detector ran (whole-life peak if it could not be reset)."""
    kb = _status_kb("VmHWM") if reset else None
    if kb is not None:
        return kb / 1024
    if resource is None:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS


def _limit_address_space(memory_mb: int | None) -> tuple[int, int] | None:
    """Cap the address space at its current size plus ``memory_mb``; the old limits."""
    if memory_mb is None or resource is None:
        return None
    current_kb = _status_kb("VmSize")
    if current_kb is None:  # not Linux: no reliable starting point, so no limit
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = current_kb * 1024 + int(memory_mb) * 2**20
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return soft, hard


def _restore_address_space(previous: tuple[int, int] | None) -> None:
    # Lifted again for checking and saving the output, which the detector is not charged for.
    if previous is not None and resource is not None:
        resource.setrlimit(resource.RLIMIT_AS, previous)


if __name__ == "__main__":
    main()
