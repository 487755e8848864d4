"""Fails in score()."""


def score(data):
    raise ValueError("this detector always fails")
