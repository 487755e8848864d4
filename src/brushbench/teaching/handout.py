"""The students' handout: the tables and columns, the task, and how answers are graded.

The tables, their columns and what each one holds come from the declarations of
:mod:`brushbench.dataset.tables` (the same that make the files' schemas), so the handout cannot
drift from the files it describes. The handout says nothing about the answer key of any dataset:
not which patterns a dataset holds, not how many orders are fake.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pyarrow as pa

from ..dataset import formats
from ..dataset.tables import OBSERVED_TABLES, ColumnSpec, table_spec
from .grading import SCL_CLEAN_WEIGHT

__all__ = ["render_handout"]

#: What each level of difficulty tells the students to expect.
DIFFICULTY_NOTES = {
    "easy": "The fake orders in this log were made without much care. Sorting, filtering and "
            "counting in a spreadsheet are enough to find most of them: look at what several "
            "orders have in common.",
    "medium": "Some of the fake orders here were made with care, and the log holds honest "
              "traffic that looks suspicious at first sight. Check each idea against the "
              "honest look-alikes below before you trust it.",
    "hard": "The fake orders here were made with care: aged accounts, spread-out timing, "
            "real parcels, ordinary reviews. No single column gives them away; link accounts "
            "through what they share, and weigh each clue against the honest look-alikes.",
}

#: The kinds of brushing, in words (never by the answer key's names).
BRUSHING_KINDS = (
    "A shop buys its own items through accounts it controls, at the moment that lifts its "
    "sales rank most, ships empty or token parcels and pays the money back off the platform.",
    "A shop places orders during a promotion to reach a rank or a sales target, and has them "
    "refunded once the promotion is over.",
    "A supplier buys back a shop's discounted promoted stock in bulk, to resell it.",
    "A rival places fake orders on a shop so that the platform punishes that shop: the shop "
    "whose orders they are is the victim, not the one who gains.",
    "A click farm: software drives many accounts from racks of phones, ordering in waves.",
    "A distributor orders through their own referral link to earn the commission, and often "
    "refunds afterwards.",
)
LOOK_ALIKES = (
    "the opening rush of a promotion, across every shop at once;",
    "flash sales that sell out in minutes, where a purchase limit per order makes honest "
    "buyers place several orders minutes apart;",
    "a shop sending its own website's visitors to the marketplace, many on accounts opened "
    "minutes before ordering;",
    "companies and resellers buying in bulk, to one address, from one payment account;",
    "families and offices sharing a device, an address or a payment account;",
    "ordinary returns, more of them after a promotion.",
)


def _type(column: ColumnSpec) -> str:
    typ = column.arrow_type("UTC")
    if column.unit == "cents":
        return "integer, cents"
    if pa.types.is_timestamp(typ):
        return "date-time"
    if pa.types.is_integer(typ) and column.name.endswith("_id"):
        return "id"
    if pa.types.is_integer(typ):
        return "integer"
    return "text"


def _tables(fmt: str) -> list[str]:
    out = []
    for name in OBSERVED_TABLES:
        table = table_spec(name)
        file = formats.get(fmt).file_name(name)
        out += ["", f"### `{name}` (`{file}`): {table.description}", "",
                "| column | type | meaning |", "| --- | --- | --- |"]
        for column in table.columns:
            out.append(f"| `{column.name}` | {_type(column)} | {column.description} |")
    return out


def _when(text: str) -> str:
    return dt.datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M")


def render_handout(*, title: str, fmt: str, timezone: str, window: tuple[str, str],
                   promotions: Sequence[dict[str, str]] = (),
                   difficulty: str | None = None) -> str:
    """The handout as Markdown.

    Parameters
    ----------
    title : str
        The lab's name.
    fmt : str
        The format of the students' files (:func:`brushbench.dataset.formats.names`).
    timezone : str
        The marketplace's time zone.
    window : (str, str)
        First and last instant of the log, ISO 8601.
    promotions : sequence of {"start": ISO, "end": ISO}
        The marketplace's promotion calendar (public knowledge).
    difficulty : {"easy", "medium", "hard"}, optional
    """
    files = formats.get(fmt).how_to_read
    out = [
        f"# {title}: finding fake orders", "",
        "You work on the risk team of an online marketplace. Shops climb the marketplace's "
        "sales ranking by selling, and the ranking hands out the next hour's visitors: so some "
        "shops fake orders, on their own shop or, to get it punished, on a rival's. This is "
        "called *order brushing* (刷单). Your job: find the fake orders in the marketplace's "
        "order log.", "",
        "## What you get", "",
        f"The folder `data/` holds the log as {files}, one file per table, and "
        "`manifest.json` (the files' checksums). Every student gets a different log: the "
        "answers cannot be copied.", "",
        f"- The log runs from {_when(window[0])} to {_when(window[1])}, local time of "
        f"{timezone}. Times carry their UTC offset (`2019-11-11T00:00:05+08:00`).",
        "- Money is in integer cents (1234 is 12.34).",
        "- An empty cell means the value does not exist (a parcel not delivered, an order not "
        "made through a distributor).",
    ]
    if promotions:
        spans = "; ".join(f"{_when(p['start'])} to {_when(p['end'])}" for p in promotions)
        out.append(f"- The marketplace ran a promotion: {spans}.")
    else:
        out.append("- There was no promotion during the log.")
    out += ["", "## The tables"]
    out += _tables(fmt)
    out += [
        "", "Tables join on their ids: `orders.buyer_id` is a `buyers.buyer_id`, "
        "`orders.shop_id` a `shops.shop_id`, `orders.item_id` an `items.item_id`; shipments, "
        "refunds and reviews name their order by `order_id`.", "",
        "## What brushing looks like", "",
        "Brushing comes in several kinds (a log may hold some of them, or all):", "",
        *[f"- {text}" for text in BRUSHING_KINDS], "",
        "Fake orders leave traces: accounts that share devices, addresses or payment "
        "accounts; accounts opened just before; bursts of orders; parcels lighter than what "
        "they should hold; identical reviews; refunds that arrive together. Honest traffic "
        "leaves some of the same traces, which is what makes the job hard:", "",
        *[f"- {text}" for text in LOOK_ALIKES],
    ]
    if difficulty in DIFFICULTY_NOTES:
        out += ["", f"**This lab ({difficulty}).** {DIFFICULTY_NOTES[difficulty]}"]
    out += [
        "", "## What to hand in", "",
        "One CSV file with a header line, named after your student id (the name of your "
        "folder: `s07.csv`), in one of three forms:", "",
        "1. **The orders you flag as fake**: a column `order_id`, one order per line "
        "(or `order_id,flagged` for every order, `flagged` 1 or 0).",
        "2. **A suspicion score for every order**: `order_id,score`, higher = more "
        "suspicious. Give every order a score.",
        "3. **Shops and the buyers brushing them**: `shopid,userid`, one line per shop, "
        "`userid` the buyer ids joined by `&` (`12&345`), or `0` for a shop you think is "
        "clean (the Shopee Code League 2020 format). `shop_id,buyer_id`, one pair per line, "
        "works too.", "",
        "```text", "order_id          order_id,score        shopid,userid",
        "8143997002131     8143997002131,0.93    1811102,2031&4431",
        "6652200417520     6652200417520,0.10    1902233,0", "```", "",
        "Check your file before you hand it in (it reads the file against your log, and says "
        "which line is wrong if one is):", "",
        "```bash", "brushbench grade my_answer.csv --check data/", "```", "",
        "## How you are graded", "",
        "Every form gets one score between 0 and 1: 1 for a perfect answer, 0 for an empty "
        "one, about the share of fake orders for guessing at random.", "",
        "- Flagged orders: the **F1 score**, which balances *precision* (the share of your "
        "flagged orders that are fake) and *recall* (the share of the fake orders you "
        "flagged): `F1 = 2 × precision × recall / (precision + recall)`. Flagging everything "
        "scores badly, and so does flagging too little.",
        "- Scores: the **average precision** of your ranking (the area under the "
        "precision-recall curve): it rewards putting the fake orders first.",
        "- Shops and buyers: the **F1 score over (shop, buyer) pairs**, a pair being right "
        "when that buyer placed fake orders at that shop. The Shopee 2020 score (a shop "
        "counts only when its set of buyers is exactly right, a clean shop weighing "
        f"{SCL_CLEAN_WEIGHT} of a brushing one) is reported beside it.", "",
        "Your grade also shows how much of each kind of brushing you found, which fake "
        "campaigns you missed entirely, and your false alarms on each kind of honest "
        "traffic. After the lab, `brushbench explain` shows, order by order, what gave "
        "the fake ones away.",
    ]
    return "\n".join(out) + "\n"
