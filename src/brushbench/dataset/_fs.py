"""Durable, atomic file-system steps: fsync, and putting a finished folder in place.

A folder only appears under its final name by ``rename``, after every file in it has been
fsynced, so a crash or kill at any moment never leaves a folder that looks complete.
"""

from __future__ import annotations

import json
import os
import shutil
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

    Hidden (leading dot) so that nothing mistakes a half-written folder for a dataset.
    """
    base = f".{target.name}.{tag}-{os.getpid()}"
    candidate = target.with_name(base)
    n = 0
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = target.with_name(f"{base}-{n}")
    return candidate


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
