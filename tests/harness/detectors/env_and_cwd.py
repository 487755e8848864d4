"""Scores every order with $BB_TEST_SCORE; prints its folder and session for the test to read."""

import os

import numpy as np


def score(data):
    print(f"cwd={os.getcwd()} sid={os.getsid(0)} pid={os.getpid()}", flush=True)
    return np.full(len(data.orders), float(os.environ["BB_TEST_SCORE"]))
