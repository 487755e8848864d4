"""Logs for the fit's tests: generated from scenarios the fit never saw, written as files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from brushbench.generator.run import generate
from brushbench.scenario.loader import load_scenario_text

#: A marketplace unlike the bundled ones: a Friday-to-Monday window in New York, an evening
#: peak, a pareto tail of shop popularity, few repeat customers. Bulk buyers and flash sales
#: are off: their orders are legitimate traffic of a kind the fit folds into the organic one.
UNSEEN = """
name: unseen
seed: 5
window: {start: 2021-03-05T06:00:00, duration: 4d, timezone: America/New_York}
marketplace:
  shops: 1500
  buyers: 12000
  shop_popularity: {dist: lognorm, s: 1.3, scale: 1.0}
  buyer_activity: {dist: lognorm, s: 0.9, scale: 1.0}
traffic:
  orders: 20000
  hour_profile: [2, 1, 1, 1, 1, 1, 2, 3, 4, 4, 4, 4, 5, 4, 4, 4, 5, 6, 7, 8, 9, 9, 6, 3]
  day_trend: [1.0, 1.3, 1.2, 0.8]
  repeat_share: 0.2
  burstiness: 0.8
bulk_buyers: {accounts: 0, orders: 0}
"""


#: A marketplace that uses the calibration's keys, built like normal_week with other numbers:
#: loyal regulars (5 orders each), quick returns (12% of orders, about 45 minutes after an
#: earlier order of the shop) and busy shops whose hours vary less (burst_crowd).
RETURNS = """
name: returns
seed: 6
window: {start: 2021-09-06T00:00:00, duration: 5d, timezone: Asia/Manila}
marketplace:
  shops: 6000
  buyers: 60000
  shop_popularity: {dist: lognorm, s: 1.8, scale: 1.0}
  buyer_activity: {dist: lognorm, s: 0.6, scale: 1.0}
traffic:
  orders: 30000
  day_trend: [1.0, 1.1, 1.05, 0.95, 1.2]
  repeat_share: 0.4
  orders_per_regular: 5
  repeat_bursts:
    share: 0.12
    delay: {dist: lognorm, s: 1.5, scale: 2700}
  burstiness: 1.4
  burst_crowd: 10
bulk_buyers: {accounts: 0, orders: 0}
"""


def orders_of(text: str, seed: int | None = None):
    """The orders table of the scenario ``text`` (in memory) and its time zone."""
    scenario = load_scenario_text(text)
    return generate(scenario, seed=seed).arrow("orders"), scenario.window.timezone


def write_scl_log(orders, timezone: str, path: Path) -> Path:
    """``orders`` as a log with only the four SCL 2020 columns, naive local times."""
    created = pd.DatetimeIndex(orders.column("created_at").to_pandas()).tz_convert(timezone)
    pd.DataFrame({
        "orderid": np.asarray(orders.column("order_id")),
        "shopid": np.asarray(orders.column("shop_id")),
        "userid": np.asarray(orders.column("buyer_id")),
        "event_time": created.strftime("%Y-%m-%d %H:%M:%S"),
    }).to_csv(path, index=False)
    return path
