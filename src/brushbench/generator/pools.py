"""Text pools filled once per run, in the scenario's locale: cities, carriers, review texts.

Faker is slow per call (tens of microseconds), so it never runs per order: it fills small pools
(review sentences and, for a locale without a city table, city names) once, and rows pick from
the pools by index. Faker is seeded from a named stream, so the pools are part of the
deterministic output. Cities come from the locale's bundled table of real cities where there is
one (:mod:`brushbench.market.geography`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..market.geography import Geography, invented_geography, table_geography

if TYPE_CHECKING:
    from faker import Faker

# Phrases that set a review's tone by rating; Faker's sentences alone are neutral filler. A
# review is a lead phrase, sometimes a second one, and a sentence: tens of thousands of texts
# per group, so a text repeated across orders means a template, not a small pool.
_TONE = {
    "zh": {
        "good": ["质量很好", "物流很快", "性价比高", "和描述一致", "包装完好", "非常满意",
                 "回购了", "推荐购买", "做工不错", "客服态度好", "发货速度快", "尺寸合适",
                 "颜色很正", "手感很好", "用着很顺手", "家人很喜欢", "价格实惠", "比想象中好",
                 "第二次买了", "值得购买", "快递小哥很负责", "材质不错"],
        "mixed": ["还可以", "一般般", "物流有点慢", "凑合用", "和图片有差距", "中规中矩",
                  "有点小瑕疵", "包装简陋", "颜色有点色差", "尺码偏小", "说明书不清楚",
                  "价格有点贵", "客服回复慢", "味道有点大"],
        "bad": ["质量太差", "与描述不符", "包装破损", "不推荐", "发错货了", "用了两天就坏了",
                "客服不理人", "做工粗糙", "有异味", "少发了配件", "物流太慢了", "退货麻烦",
                "假货", "和图片完全不一样"],
    },
    "en": {
        "good": ["Great quality.", "Fast delivery.", "Exactly as described.", "Very happy.",
                 "Would buy again.", "Good value for money.", "Well packed.", "Fits perfectly.",
                 "Love the colour.", "Works as expected.", "Better than I hoped.",
                 "Second time buying.", "My family loves it.", "Solid build.",
                 "Friendly seller.", "Arrived early."],
        "mixed": ["It's okay.", "Average.", "Shipping was slow.", "Not quite like the photo.",
                  "Does the job.", "A bit pricey.", "Runs small.", "Packaging was flimsy.",
                  "Colour slightly off.", "Instructions unclear.", "Took a while to arrive."],
        "bad": ["Poor quality.", "Not as described.", "Arrived damaged.", "Do not recommend.",
                "Stopped working after two days.", "Wrong item sent.", "Missing parts.",
                "Smells odd.", "Cheaply made.", "Seller never replied.", "Looks fake.",
                "Returned it."],
    },
}
#: Faker sentences per rating group that reviews are composed from.
_SENTENCES_PER_GROUP = 400

_CARRIERS = {
    "zh_CN": ("顺丰速运", "中通快递", "圆通速递", "韵达快递", "申通快递", "京东物流", "EMS"),
    "en_US": ("UPS", "FedEx", "USPS", "DHL", "OnTrac"),
}
_CARRIER_PREFIX = {"顺丰速运": "SF", "中通快递": "ZT", "圆通速递": "YT", "韵达快递": "YD",
                   "申通快递": "ST", "京东物流": "JD", "EMS": "EM", "UPS": "1Z", "FedEx": "FX",
                   "USPS": "94", "DHL": "DH", "OnTrac": "OT"}

#: Review sentences per rating group: index 0 for ratings 1-2, 1 for 3, 2 for 4-5.
REVIEW_GROUPS = 3
REVIEWS_PER_GROUP = 10_000


@dataclass(frozen=True)
class Pools:
    geography: Geography  # the cities: names, positions, populations
    carriers: tuple[str, ...]
    carrier_prefixes: tuple[str, ...]
    reviews: tuple[tuple[str, ...], ...]  # REVIEW_GROUPS groups of REVIEWS_PER_GROUP texts

    @property
    def cities(self) -> tuple[str, ...]:
        """City names by index."""
        return self.geography.names


def build_pools(locale: str, n_cities: int, carriers: tuple[str, ...], faker_seed: int,
                rng: np.random.Generator) -> Pools:
    """Fill the pools for one run; ``faker_seed`` and ``rng`` make them reproducible.

    Cities: the ``n_cities`` most populous of the locale's table, or, for a locale without
    one, ``n_cities`` Faker names placed by :func:`invented_geography`.
    """
    import faker  # here, not at the top: only a run that fills pools pays for Faker's import

    fake = faker.Faker(locale)
    fake.seed_instance(faker_seed)
    geography = table_geography(locale, n_cities)
    names = () if geography is not None else tuple(_unique_cities(fake, n_cities))
    if not carriers:
        carriers = _CARRIERS.get(locale, _CARRIERS["en_US"])
    prefixes = tuple(_CARRIER_PREFIX.get(c, _prefix(c)) for c in carriers)
    tone = _TONE["zh" if locale.startswith("zh") else "en"]
    joiner = "，" if locale.startswith("zh") else " "
    reviews = []
    for group in ("bad", "mixed", "good"):
        phrases = tone[group]
        sentences = [fake.sentence(nb_words=int(n))
                     for n in rng.integers(4, 12, size=_SENTENCES_PER_GROUP)]
        reviews.append(_compose(phrases, sentences, joiner, rng))
    if geography is None:  # placed after the reviews' draws, which stay as they were
        geography = invented_geography(names, rng)
    return Pools(geography, tuple(carriers), prefixes, tuple(reviews))


def _compose(phrases: list[str], sentences: list[str], joiner: str,
             rng: np.random.Generator) -> tuple[str, ...]:
    """REVIEWS_PER_GROUP distinct texts: a lead phrase, a second one or none, a sentence.

    Drawn as distinct (lead, second, sentence) triples, so the pool holds as many distinct
    texts as the parts allow (a pool of fewer parts repeats texts to fill its slots).
    """
    n_p, n_s = len(phrases), len(sentences)
    space = n_p * (n_p + 1) * n_s  # the second phrase's last value is "none"
    picks = rng.choice(space, size=min(REVIEWS_PER_GROUP, space), replace=False)
    lead, rest = np.divmod(picks, (n_p + 1) * n_s)
    second, sentence = np.divmod(rest, n_s)
    texts: dict[str, None] = {}
    for a, b, k in zip(lead.tolist(), second.tolist(), sentence.tolist(), strict=True):
        head = phrases[a] if b in (a, n_p) else phrases[a] + joiner + phrases[b]
        texts.setdefault(head + joiner + sentences[k], None)
    pool = list(texts)
    return tuple(pool[i % len(pool)] for i in range(REVIEWS_PER_GROUP))


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
