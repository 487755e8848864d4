"""Durable, atomic file-system steps: fsync, and putting a finished folder in place.

A folder only appears under its final name by ``rename``, after every file in it has been
fsynced, so a crash or kill at any moment never leaves a folder that looks complete.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any


def fsync_file(path: Path) -> None:
    """Flush a closed file's data to disk (fsync through a read-only descriptor works on POSIX)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Make renames and new entries in ``path`` durable (no-op where a folder cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # Windows cannot open a directory; its renames are durable on their own.
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def fresh_sibling(target: Path, tag: str) -> Path:
    """A name next to ``target`` that does not exist yet: ``.<name>.<tag>-<pid>[-n]``.

    Hidden (leading dot) so that nothing mistakes a half-written folder for a dataset. Stale
    ones that killed writers left in the same folder are removed first
    (:func:`remove_stale_siblings`).
    """
    remove_stale_siblings(target.parent)
    base = f".{target.name}.{tag}-{os.getpid()}"
    candidate = target.with_name(base)
    n = 0
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = target.with_name(f"{base}-{n}")
    return candidate


#: The hidden names :func:`fresh_sibling` makes: ``.<name>.<tag>-<pid>[-n]``.
_SIBLING = re.compile(r"\.(?P<name>.+)\.(?P<tag>tmp|old|withheld)-(?P<pid>\d+)(?:-\d+)?")
#: Past this age, a folder whose pid is alive is stale if that process started after it.
STALE_AFTER_SECONDS = 24 * 3600


def remove_stale_siblings(folder: Path) -> list[Path]:
    """Remove the hidden folders that writers killed mid-write left in ``folder``.

    One is stale when the process that made it (the pid in its name) is gone, or when it is
    older than a day and that pid now names a process started after it (the pid was reused).
    A live writer's folder is never touched, nor this process's own, nor an ``old`` folder
    whose dataset is missing (a writer killed between its two renames leaves the only
    complete copy there). Files and folders that cannot be removed are left as they are.

    Returns
    -------
    list of Path
        What was removed.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        found = _SIBLING.fullmatch(entry.name)
        if found is None or entry.is_symlink():
            continue
        pid = int(found["pid"])
        if pid == os.getpid():
            continue
        if found["tag"] == "old" and not (Path(folder) / found["name"]).exists():
            continue
        try:
            made = entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        if _pid_alive(pid) and not (time.time() - made > STALE_AFTER_SECONDS
                                    and _started_after(pid, made)):
            continue
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                path.unlink()
        if not path.exists():
            removed.append(path)
    return removed


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return True  # not a pid this module wrote: leave it alone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _started_after(pid: int, moment: float) -> bool:
    """Whether process ``pid`` started after ``moment`` (False when that cannot be told)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            # Field 22, counted after the parenthesised name (which may hold spaces).
            ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/stat", encoding="ascii") as system:
            boot = next(int(line.split()[1]) for line in system if line.startswith("btime "))
        started = boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return False
    return started > moment + 60


def make_private(folder: Path) -> None:
    """Make ``folder`` and everything in it its owner's only: folders 0700, files 0600.

    For answer keys, whatever the umask. Create the folder with ``mkdir(mode=0o700)`` before
    writing into it, so that nothing inside is reachable by others at any moment; this then
    narrows the modes the files got from the umask before the folder is published.
    """
    for root, dirs, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, 0o600)
        for name in dirs:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, 0o700)
    os.chmod(folder, 0o700)


def publish(tmp: Path, target: Path, *, replace: bool) -> None:
    """Rename the finished folder ``tmp`` to ``target``, replacing ``target`` if ``replace``.

    The old folder is renamed away before the new one comes in and deleted only afterwards, so
    at every moment ``target`` is either the complete old dataset or the complete new one.
    """
    if not replace:
        os.rename(tmp, target)
        fsync_dir(target.parent)
        return
    old = fresh_sibling(target, "old")
    os.rename(target, old)
    try:
        os.rename(tmp, target)
    except BaseException:
        os.rename(old, target)
        raise
    fsync_dir(target.parent)
    # The new dataset is in place; a leftover old folder would only be litter, never a dataset.
    shutil.rmtree(old, ignore_errors=True)


def write_file_atomic(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write one file through a temporary sibling and a rename: readers see the old file or
    the whole new one, never a part.

    The file gets mode 0644 (``mkstemp`` makes 0600, which would keep a results file or a
    page that is meant to be shared or committed private to its maker). Parent folders are
    created. OSError propagates; the temporary file is removed on any failure.
    """
    import tempfile

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_json(path: Path, error: type[Exception], missing: str = "no such file") -> Any:
    """The JSON document in ``path``; any problem is ``error`` with a one-line, located reason
    (``PATH: no such file``, ``PATH: cannot read: ...``, ``PATH:LINE:COL: not JSON: ...``)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: {missing}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise error(f"{path}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    except RecursionError:  # the decoder recurses: [[[[...]]]] nested thousands deep
        raise error(f"{path}: expected JSON nested at most a few hundred levels deep, found "
                    "deeper nesting") from None
