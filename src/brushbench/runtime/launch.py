"""Start the process a detector runs in: forked from a warm server, or a fresh interpreter.

Every run gets a process of its own (a detector that crashes, leaks or monkeypatches numpy
harms only its run). Starting a fresh Python and importing numpy, pandas, pyarrow and
brushbench costs about a second, which dwarfs a fast detector on a small dataset and would
make the harness, not the detector, the bulk of a ``quick`` run. So by default each run's
process is *forked* from a server process that imported those once
(:mod:`multiprocessing`'s ``forkserver``, whose server never runs detector code): the run
still starts from a clean interpreter state, but in milliseconds.

``BRUSHBENCH_ISOLATION=spawn`` starts a fresh interpreter per run instead
(``python -m brushbench.runtime.child``), the fallback where ``forkserver`` is not available.
Both give the child the same things: its own session (so that killing the process group
also ends whatever the detector started), stdout and stderr into the run's log, the caller's
current folder and environment (without ``BRUSHBENCH_CACHE``), and the write end of the
status pipe.

Neither outlives the harness. On Linux each run process asks for ``SIGKILL`` when its parent
dies (``PR_SET_PDEATHSIG``, :mod:`brushbench._lifetime`): a spawned run's parent is the
harness; a forked run's parent is the fork server, which exits as soon as the harness is gone
(it reads end-of-file on a pipe only the harness holds). SIGTERM to the harness first kills
the process group of every live run (which also ends whatever a detector started), then ends
the harness as SIGTERM would have.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import multiprocessing.forkserver
import os
import signal
import subprocess
import sys
import threading
import types
from collections.abc import Iterator, Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol, cast

from brushbench._lifetime import die_with_parent

#: Environment variable that chooses how run processes start: ``forkserver`` or ``spawn``.
ISOLATION_ENV = "BRUSHBENCH_ISOLATION"
#: What the server imports once, so that forked runs need not (the child module pulls in
#: brushbench's dataset and runtime code with numpy, pandas and pyarrow).
PRELOAD = ["brushbench.runtime.child"]


class RunProcess(Protocol):
    """The handle the runner watches, whichever way the process started."""

    pid: int

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait up to ``timeout`` seconds; the exit code (negative: killed by that signal),
        or None while it still runs."""

    def kill_group(self) -> None:
        """SIGKILL the process and everything in its session, then reap it."""


def isolation() -> str:
    """How run processes start here: ``"forkserver"`` or ``"spawn"``.

    Raises
    ------
    ValueError
        ``BRUSHBENCH_ISOLATION`` names neither.
    """
    chosen = os.environ.get(ISOLATION_ENV, "").strip().lower()
    if chosen in ("", "forkserver"):
        available = "forkserver" in multiprocessing.get_all_start_methods()
        return "forkserver" if available else "spawn"
    if chosen == "spawn":
        return "spawn"
    raise ValueError(f"{ISOLATION_ENV} must be 'forkserver' or 'spawn', got {chosen!r}")


def start(job_file: Path, log_path: Path) -> tuple[RunProcess, int]:
    """Start the process of one run.

    Parameters
    ----------
    job_file : Path
        The run's ``job.json`` (see :mod:`brushbench.runtime.child`), without a status fd.
    log_path : Path
        File that receives the process's stdout and stderr.

    Returns
    -------
    process : RunProcess
    status_fd : int
        Read end of the status pipe; the caller closes it. The write end belongs to the
        child only, so reading gives end-of-file once the child is gone.
    """
    _kill_runs_on_sigterm()
    if isolation() == "forkserver":
        process, status_fd = _fork(job_file, log_path)
    else:
        process, status_fd = _spawn(job_file, log_path)
    _LIVE.add(process.pid)
    return process, status_fd


#: Process-group ids of the runs started and not yet killed and reaped.
_LIVE: set[int] = set()
_PREVIOUS_SIGTERM: Any = None


def _kill_runs_on_sigterm() -> None:
    """Install (once, from the main thread, where SIGTERM has no handler of the caller's) a
    handler that kills every live run's process group, then ends the harness by SIGTERM."""
    global _PREVIOUS_SIGTERM
    if _PREVIOUS_SIGTERM is not None or threading.current_thread() is not threading.main_thread():
        return
    current = signal.getsignal(signal.SIGTERM)
    if current is not signal.SIG_DFL:
        return
    _PREVIOUS_SIGTERM = current
    signal.signal(signal.SIGTERM, _on_sigterm)


def _on_sigterm(signum: int, frame: types.FrameType | None) -> None:
    for pid in list(_LIVE):
        _killpg(pid)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)


def warm_up() -> None:
    """Start the fork server in the background, if runs are forked.

    Starting it imports numpy, pandas and pyarrow (about a second); calling this before
    preparing the datasets overlaps the two. Without it, the first run starts the server.
    """
    if isolation() != "forkserver":
        return
    multiprocessing.get_context("forkserver").set_forkserver_preload(PRELOAD)
    threading.Thread(target=multiprocessing.forkserver.ensure_running, daemon=True,
                     name="brushbench-forkserver-start").start()


# ---------------------------------------------------------------------------------------------
# forked from the warm server


class _Forked:
    def __init__(self, process: multiprocessing.process.BaseProcess):
        self._process: multiprocessing.process.BaseProcess | None = process
        self.pid = int(process.pid or 0)
        self._exit_code: int | None = None

    def wait(self, timeout: float | None = None) -> int | None:
        if self._process is not None:
            self._process.join(timeout)
            self._exit_code = self._process.exitcode
        return self._exit_code

    def kill_group(self) -> None:
        process = self._process
        if process is None:
            return
        _killpg(self.pid)
        if process.exitcode is None:
            # Still running, perhaps from before its setsid(): kill it by its pid too.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                process.kill()
        process.join()
        self._exit_code = process.exitcode
        process.close()
        self._process = None
        _LIVE.discard(self.pid)


def _fork(job_file: Path, log_path: Path) -> tuple[RunProcess, int]:
    context = multiprocessing.get_context("forkserver")
    # The first run starts the server; set_forkserver_preload only matters then.
    context.set_forkserver_preload(PRELOAD)
    read_end, write_end = context.Pipe(duplex=False)
    process = context.Process(
        target=_forked_main, name="brushbench-run", daemon=False,
        args=(str(job_file), str(log_path), write_end, os.getcwd(), _child_environ(),
              os.getpid()))
    try:
        with _main_module_hidden():
            process.start()
    finally:
        write_end.close()
    # Raw reads on the connection's descriptor: the child writes JSON lines, not pickles.
    status_fd = os.dup(read_end.fileno())
    read_end.close()
    return _Forked(process), status_fd


_START_LOCK = threading.Lock()


@contextlib.contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Start processes that do not re-import the caller's ``__main__``.

    multiprocessing re-runs the parent's main script in every child it starts this way (so
    that functions defined there unpickle). A run needs nothing from it, and re-running it
    would cost an import per run at best and, for a script that calls brushbench without an
    ``if __name__ == "__main__"`` guard, start runs from inside runs. While a child starts,
    ``__main__`` is an empty module, so the child is told of no main to re-run; the lock keeps
    concurrent starts from restoring each other's placeholder.
    """
    with _START_LOCK:
        saved = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if saved is not None:
                sys.modules["__main__"] = saved


def _forked_main(job_file: str, log_path: str, status: Connection, cwd: str,
                 environ: Mapping[str, str], harness_pid: int | None = None) -> None:
    """Entry point in the forked process: become what ``python -m ...child`` would be.

    ``sys.path`` needs nothing here: the job carries the caller's, and the child merges it.
    """
    # Die with the fork server, which dies with the harness; if the harness is gone already
    # (killed while this process was being forked), the server will soon be: do not start.
    die_with_parent(os.getppid())
    _forget_the_fork_server()
    if harness_pid is not None and not _alive(harness_pid):
        os._exit(1)
    os.setsid()
    # The server started long ago: the caller may have changed folder or environment since.
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(environ)
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.flush()
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    for stream in (sys.stdout, sys.stderr):
        # Line by line, so that the log tail survives a killed process.
        with contextlib.suppress(AttributeError, ValueError):
            cast(io.TextIOWrapper, stream).reconfigure(line_buffering=True, write_through=True)
    status_fd = os.dup(status.fileno())
    status.close()
    from brushbench.runtime import child

    child.main([job_file], status_fd=status_fd)


def _forget_the_fork_server() -> None:
    """Close this process's copy of the pipe that keeps the fork server alive.

    multiprocessing hands every forked process the write end (so that it could fork through
    the same server): while a run held it, the server would not see the harness die, and the
    run, waiting for the server's death, would never get it. A detector that forks through a
    server of its own starts a new one, inside its run's session.
    """
    server = multiprocessing.forkserver._forkserver
    alive_fd = getattr(server, "_forkserver_alive_fd", None)
    if alive_fd is not None:
        with contextlib.suppress(OSError):
            os.close(alive_fd)
    for name in ("_forkserver_alive_fd", "_forkserver_address", "_forkserver_pid"):
        setattr(server, name, None)


# ---------------------------------------------------------------------------------------------
# a fresh interpreter


class _Spawned:
    def __init__(self, process: subprocess.Popen[bytes]):
        self._process = process
        self.pid = process.pid

    def wait(self, timeout: float | None = None) -> int | None:
        try:
            return self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill_group(self) -> None:
        _killpg(self.pid)
        self._process.wait()
        _LIVE.discard(self.pid)


def _spawn(job_file: Path, log_path: Path) -> tuple[RunProcess, int]:
    read_fd, write_fd = os.pipe()
    env = _child_environ()
    # The child must import this very brushbench, whatever the caller's sys.path trick was.
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    env["PYTHONUNBUFFERED"] = "1"  # so that the log tail survives a killed process
    try:
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                # Through _lifetime, which sets the death signal before running the child.
                [sys.executable, "-m", "brushbench._lifetime", str(os.getpid()),
                 "brushbench.runtime.child", str(job_file), f"--status-fd={write_fd}"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                pass_fds=(write_fd,), start_new_session=True, env=env)
    except BaseException:
        os.close(read_fd)
        raise
    finally:
        os.close(write_fd)
    return _Spawned(process), read_fd


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _child_environ() -> dict[str, str]:
    """The caller's environment without what locates the dataset cache (its answer keys)."""
    return {k: v for k, v in os.environ.items() if k not in _HIDDEN_ENV}


#: Kept in step with ``brushbench.runtime.child.HIDDEN_ENV`` (not imported: the server does).
_HIDDEN_ENV = frozenset({"BRUSHBENCH_CACHE"})


def _killpg(pid: int) -> None:
    # The child leads its own session: killing the group also ends any processes the detector
    # started and left behind. All of them were started by this run.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
