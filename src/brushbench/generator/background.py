"""Write tables on a background thread while the next block is generated.

Arrow's Parquet and CSV writers release the GIL, so encoding one block overlaps with building
the next. One consumer thread and a FIFO queue keep the write order, hence the bytes, exactly
as if written inline; the bounded queue keeps memory flat.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

import pyarrow as pa


class BackgroundWriter:
    def __init__(self, write: Callable[[str, pa.Table], None], max_pending: int = 24) -> None:
        self._write = write
        # None marks the end of the stream.
        self._queue: queue.Queue[tuple[str, pa.Table] | None] = queue.Queue(maxsize=max_pending)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._drain, name="brushbench-writer", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._error is None:
                try:
                    self._write(*item)
                except BaseException as exc:  # re-raised in the producer's thread
                    self._error = exc

    def __call__(self, name: str, table: pa.Table) -> None:
        self._raise_pending()
        self._queue.put((name, table))

    def finish(self) -> None:
        """Wait for every queued table to be written; re-raise a writing error."""
        self._queue.put(None)
        self._thread.join()
        self._raise_pending()

    def _raise_pending(self) -> None:
        if self._error is not None:
            raise self._error
