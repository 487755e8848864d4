"""`brushbench ... | head`: a reader that goes away ends the command quietly, no traceback."""

from __future__ import annotations

import subprocess
import sys


def test_closed_pipe_ends_quietly():
    # A reader that closes at once; the schema is far larger than a pipe's buffer.
    proc = subprocess.Popen([sys.executable, "-m", "brushbench.cli", "schema"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141
    assert err == ""
