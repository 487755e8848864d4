"""Text pools filled once per run by Faker, in the scenario's locale.

Faker is slow per call (tens of microseconds), so it never runs per order: it fills small pools
(city names, review sentences) once, and rows pick from the pools by index. Faker is seeded from a
named stream, so the pools are part of the deterministic output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from faker import Faker

# Phrases that set a review's tone by rating; Faker's sentences alone are neutral filler.
_TONE = {
    "zh": {
        "good": ["质量很好", "物流很快", "性价比高", "和描述一致", "包装完好", "非常满意",
                 "回购了", "推荐购买", "做工不错", "客服态度好"],
        "mixed": ["还可以", "一般般", "物流有点慢", "凑合用", "和图片有差距"],
        "bad": ["质量太差", "与描述不符", "包装破损", "不推荐", "发错货了", "用了两天就坏了"],
    },
    "en": {
        "good": ["Great quality.", "Fast delivery.", "Exactly as described.", "Very happy.",
                 "Would buy again.", "Good value for money.", "Well packed."],
        "mixed": ["It's okay.", "Average.", "Shipping was slow.", "Not quite like the photo."],
        "bad": ["Poor quality.", "Not as described.", "Arrived damaged.", "Do not recommend.",
                "Stopped working after two days."],
    },
}

_CARRIERS = {
    "zh_CN": ("顺丰速运", "中通快递", "圆通速递", "韵达快递", "申通快递", "京东物流", "EMS"),
    "en_US": ("UPS", "FedEx", "USPS", "DHL", "OnTrac"),
}
_CARRIER_PREFIX = {"顺丰速运": "SF", "中通快递": "ZT", "圆通速递": "YT", "韵达快递": "YD",
                   "申通快递": "ST", "京东物流": "JD", "EMS": "EM", "UPS": "1Z", "FedEx": "FX",
                   "USPS": "94", "DHL": "DH", "OnTrac": "OT"}

#: Review sentences per rating group: index 0 for ratings 1-2, 1 for 3, 2 for 4-5.
REVIEW_GROUPS = 3
REVIEWS_PER_GROUP = 400


@dataclass(frozen=True)
class Pools:
    cities: tuple[str, ...]
    carriers: tuple[str, ...]
    carrier_prefixes: tuple[str, ...]
    reviews: tuple[tuple[str, ...], ...]  # REVIEW_GROUPS groups of REVIEWS_PER_GROUP texts


def build_pools(locale: str, n_cities: int, carriers: tuple[str, ...], faker_seed: int,
                rng: np.random.Generator) -> Pools:
    """Fill the pools for one run; ``faker_seed`` and ``rng`` make them reproducible."""
    import faker  # here, not at the top: only a run that fills pools pays for Faker's import

    fake = faker.Faker(locale)
    fake.seed_instance(faker_seed)
    cities = _unique_cities(fake, n_cities)
    if not carriers:
        carriers = _CARRIERS.get(locale, _CARRIERS["en_US"])
    prefixes = tuple(_CARRIER_PREFIX.get(c, _prefix(c)) for c in carriers)
    tone = _TONE["zh" if locale.startswith("zh") else "en"]
    joiner = "，" if locale.startswith("zh") else " "
    reviews = []
    for group in ("bad", "mixed", "good"):
        phrases = tone[group]
        picks = rng.integers(0, len(phrases), size=(REVIEWS_PER_GROUP, 2))
        texts = []
        for a, b in picks:
            lead = phrases[a] if a == b else phrases[a] + joiner + phrases[b]
            texts.append(lead + joiner + fake.sentence(nb_words=int(rng.integers(4, 12))))
        reviews.append(tuple(texts))
    return Pools(tuple(cities), tuple(carriers), prefixes, tuple(reviews))


def _unique_cities(fake: Faker, n: int) -> list[str]:
    seen: dict[str, None] = {}
    for _ in range(20 * n + 100):
        seen.setdefault(fake.city(), None)
        if len(seen) == n:
            return list(seen)
    # The locale has fewer city names than asked for: qualify them by district to stay unique.
    names = list(seen)
    i = 0
    while len(seen) < n:
        seen.setdefault(f"{names[i % len(names)]}·{i // len(names) + 2}", None)
        i += 1
    return list(seen)


def _prefix(carrier: str) -> str:
    letters = "".join(ch for ch in carrier.upper() if ch.isascii() and ch.isalpha())
    return (letters + "XX")[:2]
