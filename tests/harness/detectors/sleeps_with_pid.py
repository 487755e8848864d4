"""Writes its own pid to $BB_TEST_PIDFILE, then sleeps (for the killed-parent tests)."""

import os
import time


def score(data):
    with open(os.environ["BB_TEST_PIDFILE"], "w") as out:
        out.write(str(os.getpid()))
    while True:
        time.sleep(0.5)
