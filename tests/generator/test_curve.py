"""The rate curve's look-ups: the same floats as numpy's interpolation they replace."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from brushbench.market.curves import Curve

START = 1_700_000_000


def _curve(weights: np.ndarray) -> Curve:
    cumulative = np.concatenate(([0.0], np.cumsum(weights)))
    if cumulative[-1] > 0:
        cumulative /= cumulative[-1]
    return Curve(start=START, end=START + 60 * len(weights), cumulative=cumulative,
                 promotion_of_minute=np.full(len(weights), -1, dtype=np.int16))


@settings(max_examples=60, deadline=None)
@given(minutes=st.integers(1, 3000), seed=st.integers(0, 2**32 - 1),
       empty_share=st.floats(0.0, 0.9))
def test_mass_matches_np_interp_on_the_minute_grid(minutes, seed, empty_share):
    rng = np.random.default_rng(seed)
    weights = rng.pareto(1.0, minutes)
    weights[rng.random(minutes) < empty_share] = 0.0  # minutes without traffic
    curve = _curve(weights)
    # Any second, whole minutes, both ends and beyond them (clipped).
    t = np.concatenate([START + rng.integers(-600, 60 * minutes + 600, 2000),
                        START + 60 * np.arange(minutes + 1), [START, curve.end]])
    reference = np.interp(np.clip((t - START) / 60.0, 0, minutes),
                          np.arange(minutes + 1), curve.cumulative)
    np.testing.assert_array_equal(curve.mass(np.full(len(t), START), t), reference)
    assert curve.mass(START, curve.end) == 1.0 or curve.cumulative[-1] == 0.0
