"""Starts a long-sleeping subprocess, writes its pid to $BB_TEST_PIDFILE, then hangs."""

import os
import subprocess
import sys
import time


def score(data):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    with open(os.environ["BB_TEST_PIDFILE"], "w") as out:
        out.write(str(child.pid))
    while True:
        time.sleep(0.5)
