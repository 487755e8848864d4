"""Scaling a scenario's volume: a pure function of the model, so that a suite (and the dataset
cache's keys) can scale scenarios without importing the generator."""

from __future__ import annotations

import dataclasses

from .model import Scenario


def scale_scenario(scenario: Scenario, factor: float) -> Scenario:
    """Multiply a scenario's volume by ``factor``: orders, and shops and buyers with them.

    Shops and buyers scale too, so a shop's hourly counts and a buyer's repeat rate keep their
    shape; flash-sale stock, redirects, bulk buyers and the shops each fraud campaign serves
    scale with the rest.
    """
    if factor == 1:
        return scenario

    def times(n: int, low: int = 1) -> int:
        return max(low, round(n * factor))

    mkt, tr = scenario.marketplace, scenario.traffic
    return dataclasses.replace(
        scenario,
        marketplace=dataclasses.replace(
            mkt, shops=times(mkt.shops), buyers=times(mkt.buyers),
            distributors=times(mkt.distributors),
            network=dataclasses.replace(mkt.network, cgnat_ips=times(mkt.network.cgnat_ips))),
        traffic=dataclasses.replace(tr, orders=times(tr.orders, 0)),
        flash_sales=tuple(dataclasses.replace(f, stock=times(f.stock)) for f in
                          scenario.flash_sales),
        redirects=tuple(dataclasses.replace(r, orders=times(r.orders, 0)) for r in
                        scenario.redirects),
        bulk_buyers=dataclasses.replace(
            scenario.bulk_buyers, accounts=times(scenario.bulk_buyers.accounts, 0),
            orders=times(scenario.bulk_buyers.orders, 0)),
        # Fraud scales by the number of shops it serves, so the brushing share stays put;
        # a ring keeps its size (a ring of five accounts is not a tenth of a ring at scale 0.1).
        fraud=tuple(dataclasses.replace(f, shops=times(f.shops)) for f in scenario.fraud),
    )


__all__ = ["scale_scenario"]
