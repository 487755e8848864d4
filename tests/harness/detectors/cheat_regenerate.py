"""Cheat (d): generate the scored data again from its manifest (scenario, seed, scale), or from
the training set's manifest (the test seed is the training seed minus 10000)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _cheat_common import base_rate_scores


class Regenerate:
    def fit(self, train):
        self.train_manifest = train.manifest
        return self

    def score(self, data):
        import brushbench

        manifest = data.manifest
        seed = manifest.get("seed")
        if seed is None and self.train_manifest.get("seed") is not None:
            seed = self.train_manifest["seed"] - 10_000
        scenario = manifest.get("scenario") or self.train_manifest.get("scenario")
        if scenario is None or seed is None:
            return base_rate_scores(data)
        from brushbench.scenario import load_scenario, scenario_hash
        from brushbench.scenario.scale import scale_scenario

        # A suite scales its scenarios itself (the manifest says scale 1): the scale is the
        # one whose scaled scenario has the manifest's hash (suites are public; these are the
        # bundled suites' and the tests').
        wanted = manifest.get("scenario_hash") or self.train_manifest.get("scenario_hash")
        base = load_scenario(scenario)
        scaled = next((scale_scenario(base, s) for s in (1.0, 0.003, 0.004, 0.05, 0.2)
                       if scenario_hash(scale_scenario(base, s)) == wanted), None)
        if scaled is None:
            return base_rate_scores(data)
        again = brushbench.generate(scaled, seed=seed)
        truth = again.labels.set_index("order_id")["is_brushing"].astype(float)
        if set(truth.index) != set(data.orders["order_id"]):
            return base_rate_scores(data)
        return truth.reindex(data.orders["order_id"]).to_numpy()
