"""Write tables on a background thread while the next block is generated.

Arrow's Parquet and CSV writers release the GIL, so encoding one block overlaps with building
the next. One consumer thread and a FIFO queue keep the write order, hence the bytes, exactly
as if written inline; the bounded queue keeps memory flat. Besides tables, any step that must
follow the writes queued before it (closing and hashing a finished file) can be queued too, so
the producer never waits for it.
"""

from __future__ import annotations

import functools
import queue
import threading
from collections.abc import Callable
from typing import Any

import pyarrow as pa


class BackgroundWriter:
    def __init__(self, write: Callable[[str, pa.Table], None] | None = None,
                 max_pending: int = 24) -> None:
        self._write = write
        # None marks the end of the stream.
        self._queue: queue.Queue[Callable[[], Any] | None] = queue.Queue(maxsize=max_pending)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._drain, name="brushbench-writer", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while True:
            step = self._queue.get()
            if step is None:
                return
            if self._error is None:
                try:
                    step()
                except BaseException as exc:  # re-raised in the producer's thread
                    self._error = exc

    def __call__(self, name: str, table: pa.Table) -> None:
        """Queue ``table`` for the write function given at construction."""
        if self._write is None:
            raise TypeError("this writer was made without a write function: use call()")
        self.call(self._write, name, table)

    def call(self, fn: Callable[..., Any], *args: Any) -> None:
        """Queue ``fn(*args)``, run after everything queued before it (skipped after an
        error)."""
        self._raise_pending()
        self._queue.put(functools.partial(fn, *args))

    def finish(self) -> None:
        """Wait for every queued step to be done; re-raise a writing error."""
        self.stop()
        self._raise_pending()

    def stop(self) -> None:
        """Wait for the queued steps (those after an error are skipped); raise nothing: for a
        producer that is failing anyway."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def _raise_pending(self) -> None:
        if self._error is not None:
            raise self._error


class Stopped(Exception):
    """Raised inside a :class:`Beside` task's ``write`` once it was asked to stop."""


class Beside:
    """``task(write)`` run on its own thread beside the caller's work, each of its writes going
    through ``write``.

    What a one-worker run does with the buyers table (4M buyers at ``--scale 10``, 3 s of
    building and encoding): it is built while the parts are generated, instead of after them
    on an idle writer thread. :meth:`stop` makes the task's next write raise
    :class:`Stopped` (the caller is failing); :meth:`join` waits for the task and re-raises its
    error.
    """

    def __init__(self, task: Callable[[Callable[[str, pa.Table], None]], None],
                 write: Callable[[str, pa.Table], None]) -> None:
        self._target = write
        self._stopping = threading.Event()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(task,),
                                        name="brushbench-beside", daemon=True)
        self._thread.start()

    def _write(self, name: str, table: pa.Table) -> None:
        if self._stopping.is_set():
            raise Stopped
        self._target(name, table)

    def _run(self, task: Callable[[Callable[[str, pa.Table], None]], None]) -> None:
        try:
            task(self._write)
        except Stopped:
            pass
        except BaseException as exc:  # re-raised in the caller's thread
            self.error = exc

    def join(self) -> None:
        """Wait for the task; re-raise its error."""
        self._thread.join()
        if self.error is not None:
            raise self.error

    def stop(self) -> None:
        """Ask the task to end at its next write and wait for it; raise nothing."""
        self._stopping.set()
        self._thread.join()
