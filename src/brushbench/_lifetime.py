"""Make a child process die with its parent (Linux ``PR_SET_PDEATHSIG``).

A run process or a generator worker whose parent is killed (``kill -9`` of ``brushbench eval``
or ``generate``) must not run on for minutes with nobody to read its output. On Linux the
kernel sends the child ``SIGKILL`` when its parent dies; elsewhere this does nothing (see
docs/security.md for what is guaranteed where).

The death signal is tied to the *thread* that started the child: start children from a thread
that outlives them (the runner starts runs from the forkserver, whose one thread lives as long
as the harness; the generator's pool is created and drained by the same thread).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1
_PR_GET_PDEATHSIG = 2


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None


def die_with_parent(parent_pid: int | None = None) -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies.

    Parameters
    ----------
    parent_pid : int, optional
        The parent this process was started by. If it is already gone (it died before the
        request was made, so no signal will come), this process exits at once.

    Returns
    -------
    bool
        Whether the death signal is set (False where the platform has none).
    """
    libc = _libc()
    if libc is None:
        return False
    if libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
        return False
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)  # orphaned before the request: the parent is gone already
    return True


def death_signal() -> int:
    """The signal this process gets when its parent dies (0: none, or not Linux)."""
    libc = _libc()
    if libc is None:
        return 0
    value = ctypes.c_int(0)
    if libc.prctl(_PR_GET_PDEATHSIG, ctypes.byref(value), 0, 0, 0) != 0:
        return 0
    return value.value


def _main(argv: list[str]) -> None:
    """``python -m brushbench._lifetime PARENT_PID MODULE ARGS...``: set the death signal,
    then run MODULE as ``python -m MODULE ARGS...`` would."""
    import runpy

    parent_pid, module, *rest = argv
    die_with_parent(int(parent_pid))
    sys.argv = [module, *rest]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    _main(sys.argv[1:])
