"""Small scenarios built in Python, so tests do not depend on the YAML loader."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

from brushbench.scenario.model import (
    BulkBuyers,
    FlashSale,
    Marketplace,
    Promotion,
    Redirect,
    Scenario,
    Seconds,
    Traffic,
    Window,
)

DAY = dt.datetime(2019, 11, 11)


def small_scenario(**overrides) -> Scenario:
    """A one-day promotion scenario with every legitimate source, about 20,000 orders."""
    base = Scenario(
        name="small",
        window=Window(start=DAY, duration=Seconds(86400), timezone="Asia/Shanghai"),
        marketplace=Marketplace(shops=300, buyers=8000, distributors=20),
        traffic=Traffic(orders=20000, promotions=(Promotion(start=DAY),)),
        flash_sales=(FlashSale(at=DAY.replace(hour=12), shop_rank=2, stock=600,
                               per_order_limit=2),),
        redirects=(Redirect(at=DAY.replace(hour=9), shop_rank=3, orders=400),),
        bulk_buyers=BulkBuyers(accounts=10, orders=60),
    )
    return dataclasses.replace(base, **overrides)



def manifest_files(folder: Path) -> dict[str, str]:
    """{relative path: sha256} of every file a dataset's manifest lists, parts included."""
    manifest = json.loads((Path(folder) / "manifest.json").read_text())
    out = {}
    for entry in manifest["tables"].values():
        for part in entry.get("parts", [entry]):
            out[f"{entry.get('folder', '.')}/{part['file']}"] = part["sha256"]
    return out
