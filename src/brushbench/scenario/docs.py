"""Generate ``docs/scenarios.md``, the reference of the scenario language, from the model.

Run ``python -m brushbench.scenario.docs > docs/scenarios.md`` after changing
:mod:`brushbench.scenario.model`; a test fails while the committed file differs from
:func:`render_markdown`, so the reference cannot drift from the code.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import yaml

from . import registry
from .canonical import to_plain
from .distributions import CATEGORICAL, CONSTANT
from .durations import format_duration
from .errors import ScenarioError
from .loader import load_scenario_text
from .model import Scenario
from .typeinfo import (
    bounds,
    class_doc,
    default_of,
    field_hints,
    has_default,
    init_fields,
    kind_of,
    range_text,
    type_label,
)

#: Defaults longer than this are shown below their table rather than in it.
_INLINE = 48

EXAMPLE = """\
# shop-week.yaml: one week of a small marketplace with a promotion day and a flash sale.
name: shop-week
description: "A small marketplace's week: a promotion on day 3 and a flash sale"
sources:
  - "Hour-of-day profile: Shopee Code League 2020 log (docs/sources.md#scl-log)"
seed: 42
locale: en_US
window:
  start: 2024-11-08 00:00:00        # local time of window.timezone
  duration: 7d
  timezone: Asia/Singapore
marketplace:
  shops: 500
  buyers: 20000
  shop_popularity: {dist: lognorm, s: 1.4, scale: 1.0}
  categories:
    fashion: {share: 3, weight_g: {dist: lognorm, s: 0.6, scale: 300},
              price: {dist: lognorm, s: 0.7, scale: 12900}}
    home: {share: 1, weight_g: {dist: lognorm, s: 0.7, scale: 1250},
           price: {dist: lognorm, s: 0.8, scale: 6900}}
traffic:
  orders: 50000
  day_trend: [1.0, 1.0, 1.6, 1.1, 1.0, 1.2, 1.3]
  promotions:
    - start: 2024-11-11 00:00:00
      duration: 24h
      burst_tau: 20m
  channels: {search: 0.6, recommend: 0.3, affiliate: 0.1}
flash_sales:
  - at: 2024-11-11 12:00:00
    shop_rank: 2
    stock: 1500
    per_order_limit: 2
    demand: {dist: categorical, values: [1, 2, 3, 4], weights: [5, 3, 1, 1]}
refunds:
  rate: 0.05
"""

EXTENDS_EXAMPLE = """\
extends: double11            # or a path: ../base.yaml
name: double11-small
marketplace:
  shops: 300                 # everything else under marketplace is inherited
traffic:
  promotions: []             # lists are replaced whole, here by an empty one
"""

_BROKEN = """\
name: shop week
window:
  start: 2024-11-08
  duration: 1.5d
traffic:
  orders: many
  promotion:
    - start: 2024-11-11
marketplace:
  shop_popularity: {dist: lognormal, s: 1.4}
"""


def render_markdown() -> str:
    """The whole of ``docs/scenarios.md``.

    Returns
    -------
    str
        Markdown ending with a newline; deterministic for a given model and set of registered
        fraud patterns.
    """
    parts = [_INTRO.strip(), _example_section(), _errors_section(), _SOURCES.strip(),
             "## Reference", _REFERENCE_INTRO.strip()]
    for path, cls in _sections(Scenario, "", []):
        parts.append(_section(path, cls))
    parts.append(_fraud_section())
    return "\n\n".join(p.rstrip() for p in parts) + "\n"


def _sections(cls: type, path: str, seen: list[type]) -> list[tuple[str, type]]:
    """Every dataclass reachable from ``cls`` with the key path under which it appears."""
    out = [(path, cls)]
    seen.append(cls)
    hints = field_hints(cls)
    for f in init_fields(cls):
        kind = kind_of(hints[f.name])
        sub = f"{path}.{f.name}" if path else f.name
        if kind.name == "tuple":
            kind, sub = kind_of(kind.arg), sub + "[]"
        elif kind.name == "mapping":
            kind, sub = kind_of(kind.arg), sub + ".<name>"
        if kind.name == "dataclass" and kind.arg not in seen:
            out.extend(_sections(kind.arg, sub, seen))
    return out


def _section(path: str, cls: type, title: str | None = None) -> str:
    title = title or (f"### `{path}`" if path else "### Top level")
    doc = class_doc(cls)
    rows = ["| key | type | default | allowed | meaning |", "| --- | --- | --- | --- | --- |"]
    long_defaults = {}
    hints = field_hints(cls)
    for f in init_fields(cls):
        tp = hints[f.name]
        default = _default_text(f, tp)
        if len(default) > _INLINE:
            long_defaults[f.name] = to_plain(default_of(f))
            default = "see below"
        rows.append(f"| `{f.name}` | {_escape(type_label(tp))} | {default} | "
                    f"{_escape(_allowed(tp, f.metadata))} | {_escape(f.metadata.get('doc', ''))} |")
    text = f"{title}\n\n" + (f"{doc}\n\n" if doc else "") + "\n".join(rows)
    if long_defaults:
        block = yaml.safe_dump(long_defaults, default_flow_style=None, width=96,
                               allow_unicode=True, sort_keys=False)
        text += f"\n\nDefaults too long for the table:\n\n```yaml\n{block}```"
    return text


def _default_text(f: dataclasses.Field, tp: Any) -> str:
    if not has_default(f):
        return "**required**"
    value = default_of(f)
    kind = kind_of(tp)
    if kind.name == "dataclass":
        return "see its section"
    if kind.name == "seconds":
        return f"`{format_duration(int(value))}`"
    plain = to_plain(value)
    if plain == "":
        return '`""`'
    text = yaml.safe_dump(plain, default_flow_style=True, width=10_000, allow_unicode=True,
                          sort_keys=False).strip()
    text = text.removesuffix("\n...").removesuffix("...").strip()
    return f"`{text}`"


def _allowed(tp: Any, meta: Any) -> str:
    kind = kind_of(tp)
    notes = []
    if kind.name in ("int", "float", "probability", "seconds"):
        rng = range_text(kind, bounds(kind, meta))
        if rng:
            notes.append(rng)
    if meta.get("length") is not None:
        notes.append(f"exactly {meta['length']} items")
    return ", ".join(notes)


def _escape(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _example_section() -> str:
    # Loaded here so that the documented example can never be one the loader refuses.
    load_scenario_text(EXAMPLE, "shop-week.yaml")
    return ("## A complete small example\n\nEvery key left out takes its default (see the "
            "reference below).\n\n```yaml\n" + EXAMPLE + "```")


def _errors_section() -> str:
    try:
        load_scenario_text(_BROKEN, "shop-week.yaml")
    except ScenarioError as exc:
        report = str(exc)
    else:  # pragma: no cover - the broken example must stay broken
        raise AssertionError("the documented broken example loads")
    return (_ERRORS.strip() + "\n\n```yaml\n" + _BROKEN + "```\n\n`brushbench validate "
            "shop-week.yaml` prints every problem at once, then exits with status 2:\n\n"
            "```text\n" + report + "\n```")


def _fraud_section() -> str:
    head = ("## Fraud patterns\n\nEach entry of `fraud` names a registered pattern in "
            "`pattern`; its other keys are those of that pattern, listed below.")
    names = registry.names()
    if not names:
        return head + "\n\nNo fraud pattern is registered in this version."
    sections = []
    for name in names:
        spec = registry.spec(name)
        sections.append(_section(name, spec, title=f"### `fraud[]` with `pattern: {name}`"))
    return head + "\n\n" + "\n\n".join(sections)


_INTRO = f"""
# Scenario files

<!-- Generated by `python -m brushbench.scenario.docs > docs/scenarios.md` from
src/brushbench/scenario/model.py. Edit the model (or docs.py), not this file. -->

A scenario describes a marketplace, its legitimate traffic and the fraud injected into it, in one
YAML file. `brushbench generate FILE` turns it into a labelled order log; the same file, seed and
generator version always give the same tables.

## File layout

A scenario file is one YAML mapping. Only `name` and `window.start` are required; every other key
has a default, listed in the [reference](#reference) with its type, its allowed range and where
the figure comes from. The top-level keys group the settings:

| key | what it sets |
| --- | --- |
| `name`, `description`, `sources`, `seed`, `locale` | identity, citations, seed, Faker locale |
| `window` | the time span of the log and its time zone |
| `marketplace` | shops, items, categories, buyers, households, IP addresses, distributors |
| `traffic` | organic orders: volume, hour-of-day and day shapes, promotions, re-ranking, channels |
| `flash_sales`, `redirects`, `bulk_buyers` | legitimate traffic that looks like brushing |
| `logistics`, `refunds`, `reviews` | what happens after the order |
| `fraud` | fraud campaigns, each naming a registered pattern |

Files are read as YAML 1.1 with `yaml.safe_load` semantics: no custom tags, and anchors (`&a`,
`*a`, `<<: *a`) work as usual. Two YAML 1.1 habits to know: a number with an exponent is text
unless written with a dot and a sign (`1.0e-3`, `1.0e+3`; `1e-3` is text, `0.001` is safest),
and unquoted `yes`, `no`, `on`, `off` are booleans. A key written twice in one mapping is an
error.

## Values

**Numbers.** Integers where the reference says *integer*; any number where it says *number* or
*probability* (a probability is between 0 and 1). `true` and `false` are never numbers.

**Durations** are written `90s`, `3m`, `24h`, `7d` or combined from largest to smallest unit,
`1h30m`; a plain integer is a number of seconds. Only whole numbers: write `90m`, not `1.5h`.

**Times** are ISO 8601 dates or date-times: `2024-11-11`, `2024-11-11 08:30:00` or
`2024-11-11T08:30:00+08:00`. A time without an offset is wall-clock time of
`window.timezone` (an IANA name such as `Asia/Shanghai`); a date alone means its midnight; an
offset, when given, fixes the instant. Loaded scenarios hold timezone-aware datetimes in
`window.timezone`; a wall-clock time skipped by a daylight-saving change moves forward as the
clock does.

**Distributions** describe varying quantities (weights, prices, delays). A plain number is a
constant. A mapping names a [`scipy.stats`](https://docs.scipy.org/doc/scipy/reference/stats.html)
distribution in `dist`, with its shape parameters and optional `loc` and `scale`, exactly as
`scipy.stats` spells them:

```yaml
price: {{dist: lognorm, s: 0.7, scale: 12900}}    # median 12,900 cents
delay: {{dist: expon, scale: 3600}}
units: {{dist: geom, p: 0.9}}                     # discrete laws take loc but no scale
size:  {{dist: {CATEGORICAL}, values: [1, 2, 3], weights: [0.7, 0.2, 0.1]}}
fixed: {{dist: {CONSTANT}, value: 5}}               # the same as `fixed: 5`
```

`{CATEGORICAL}` draws from a finite table (weights need not sum to 1 and default to equal);
`{CONSTANT}` is a fixed value. Parameters are checked when the file is loaded.

## Building on another file: `extends`

```yaml
{EXTENDS_EXAMPLE}```

`extends` names a file, relative to the extending file, or else a bundled scenario (`brushbench
scenarios` lists them). The parent may itself extend another file; a cycle is an error. The files
are merged before anything is checked: mappings merge key by key, while lists, numbers, strings
and distributions (`{{dist: ...}}` mappings) in the child replace the parent's value whole. A
problem in an inherited value is reported at its place in the parent file.
"""

_ERRORS = """
## Checking files: errors, `brushbench validate`, `brushbench schema`

Every problem is one line, `file:LINE:COLUMN: key.path: what was expected, what was found`, the
format editors and CI logs link to the place in the file. Unknown keys get a "did you mean"
suggestion, and the loader reports all the problems in a file, not only the first. Beyond each
key's type and range it checks the rules that involve several keys: `name` uses only letters,
digits, `_` and `-`; `window.timezone` is a known IANA zone; promotions, flash sales and
redirects start inside the window; `shop_rank` is at most `marketplace.shops`; there is at least
one category; channels are among `search`, `recommend`, `campaign`, `affiliate`, `share_link`
(`external` is reserved for redirects) with weights >= 0 and a positive sum; platforms are among
`app`, `mobile_web`, `pc`, likewise; hour, day and rating weights are >= 0 with a positive sum.

`brushbench schema` prints the JSON Schema (draft 2020-12) of scenario files, derived from the
same model. Save it and point your editor at it for completion and inline checks, for instance
with the YAML language server:

```yaml
# yaml-language-server: $schema=./scenario.schema.json
```

For example, this file

"""

_SOURCES = """
## Where the defaults come from

Defaults are taken from public figures where there are any; [sources.md](sources.md) gives
each figure with its source. The rest are assumptions chosen to look plausible, and
bundled scenarios cite in `sources` what they change.

- `traffic.hour_profile`: hour-of-day share of orders in the Shopee Code League 2020 order log
  ([sources](sources.md#scl-log)), with flash-sale peaks at 00:00 and 12:00.
- `traffic.promotions[].burst_share` and `burst_tau`: Double 11 intraday figures, 37% of the
  2019 day's GMV in the first hour and a midnight burst decaying over 10-30 minutes
  ([sources](sources.md#double11),
  [the promotion day](sources.md#promotion-day)); `refund_uplift`: post-Double 11 refund rates
  of 2-6 times the usual ([refunds](sources.md#refunds)).
- `traffic.quantity`: Olist items per order, one item in 90% of orders
  ([sources](sources.md#marketplace)).
- `marketplace.categories.<name>.weight_g`: Olist product weights, medians 200 g for telephony
  and fashion bags, 400 g for perfumery, 1,250 g for bed-bath ([sources](sources.md#marketplace)).
- `refunds.rate`: between the Shopee seller target (< 2.5%) and the US online return rate
  (16.5%) ([refunds](sources.md#refunds)).
- Everything else (shop and buyer counts, popularity laws, prices, household and network
  shares, logistics and review delays, coupons) is an assumption.
"""

_REFERENCE_INTRO = """
One table per mapping, keyed by its path in the file (`[]` marks the items of a list,
`.<name>` the values of a mapping keyed by names of your choosing). *allowed* gives the range a
number must fall in; types are explained under [Values](#values).
"""


if __name__ == "__main__":
    print(render_markdown(), end="")
