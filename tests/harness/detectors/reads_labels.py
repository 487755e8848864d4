"""Tries to cheat: reads the answer key of the data it scores."""


def score(data):
    truth = data.labels["is_brushing"]
    return truth.astype(float).to_numpy()
