"""How the command line reports a user mistake: one line on stderr and a non-zero exit.

A command raises :class:`UserError`, or lets a library error through one of the context
managers below, which turn it into one; :func:`brushbench.cli.main` prints it with
:func:`message` and exits with its code::

    with user_errors(DatasetError):
        data = load(args.dataset)
    with writing_folder(CapacityError):        # --overwrite hint, permissions, not a folder
        generate_to(args.out, scenario)
    with writing_file(args.out):               # "OUT: cannot write: ..."
        write_board(board, args.out)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from os import PathLike

EXIT_FAILURE = 1  # the command ran and found a problem (a regression, a leak)
EXIT_USAGE = 2    # the input was wrong (bad file, bad option, missing scenario)
#: The most characters of a one-line error shown.
MAX_MESSAGE = 1000

#: What refuses a destination on disk, beyond what a command adds: a file in the way of a
#: folder, a folder in the way of a file, no permission.
_PATH_ERRORS: tuple[type[BaseException], ...] = (PermissionError, IsADirectoryError,
                                                 NotADirectoryError)


class UserError(Exception):
    """A mistake in what the user asked for: printed as one line, no traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE, *, located: bool = False):
        super().__init__(message)
        self.exit_code = exit_code
        # Located messages (``file:line:col: key: ...``, one per line) are printed as they are.
        self.located = located


def message(error: UserError) -> str:
    """What is printed for ``error``: ``brushbench: error: ...``, or a located message as it
    is."""
    if error.located:
        return str(error)
    text = str(error)  # may quote a user's file: one line, and not megabytes of it
    if len(text) > MAX_MESSAGE:
        text = f"{text[:MAX_MESSAGE]}... ({len(text) - MAX_MESSAGE:,} more characters)"
    return f"brushbench: error: {text}"


@contextmanager
def user_errors(*errors: type[BaseException], prefix: str = "",
                located: bool | Callable[[str], bool] = False,
                exit_code: int = EXIT_USAGE) -> Iterator[None]:
    """Turn ``errors`` raised inside into a :class:`UserError` with their message.

    ``prefix`` goes before the message (e.g. the file it is about); ``located`` says whether
    the message is located (``file:line: ...``), or tells it from the message.
    """
    try:
        yield
    except errors as exc:
        text = f"{prefix}{exc}"
        is_located = located(text) if callable(located) else located
        raise UserError(text, exit_code, located=is_located) from None


@contextmanager
def writing_folder(*errors: type[BaseException]) -> Iterator[None]:
    """Writing a folder (a dataset, a lab): one that exists is refused with the hint to use
    ``--overwrite``; a destination that cannot be written, and ``errors``, are one line."""
    try:
        yield
    except FileExistsError as exc:
        # The library's message tells a Python caller to pass overwrite=True; a user of the
        # command line is told about --overwrite instead.
        text = re.sub(r"[;,]? *pass overwrite=True to replace it", "", str(exc)).rstrip()
        raise UserError(f"{text} (use --overwrite to replace it)") from None
    except (*errors, *_PATH_ERRORS) as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:  # a full disk (errno 28), /proc, a read-only file system...
        raise UserError(os_error(exc)) from None


def os_error(exc: OSError) -> str:
    """``PATH: cannot write: No space left on device``: an OS error in one line."""
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}cannot write: {exc.strerror or exc}"


@contextmanager
def writing_file(path: str | PathLike[str]) -> Iterator[None]:
    """Writing ``path`` (a file, or the files of a folder): any OS error is
    ``PATH: cannot write: REASON``."""
    try:
        yield
    except OSError as exc:
        raise UserError(f"{path}: cannot write: {exc.strerror or exc}") from None


__all__ = ["EXIT_FAILURE", "EXIT_USAGE", "UserError", "message", "os_error", "user_errors",
           "writing_file", "writing_folder"]
