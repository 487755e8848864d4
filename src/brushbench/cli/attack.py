"""``brushbench attack TARGET --scenario S --pattern P``: search for the campaigns a detector
misses that still pay (docs/attack.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._choices import ATTACK_FLOOR as DEFAULT_FLOOR
from ._choices import ATTACK_REVIEW_BUDGET as DEFAULT_REVIEW_BUDGET
from ._choices import PAYOFF_MEASURES as MEASURES
from ._choices import PAYOFF_WORDS as WORDS
from .errors import EXIT_FAILURE, UserError, writing_file

#: Candidates of one attack.
DEFAULT_BUDGET = 40
#: The scale of ``attack`` (~100k orders for the Double 11 scenarios: the standard suite's).
DEFAULT_SCALE = 0.1


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "attack", help="search for the paying campaigns a detector misses",
        description="Search the knobs of one campaign of a scenario (sizes, timing, "
                    "camouflage, the pattern's own keys, within the ranges its Spec allows) for "
                    "the campaign the detector's recall is lowest on at a review budget, among "
                    "those that still pay: the brushed shop's extra legitimate orders through "
                    "the re-ranking, against the same log without the campaign, at least "
                    "--floor. Each candidate is generated and the detector runs on it as in "
                    "`eval` (fit on a training seed, score a test seed without its answer key, "
                    "in its own process). Writes attack.json, the robustness curve "
                    "(robustness.html, robustness.png with matplotlib) and the best evasions as "
                    "scenario files. Exit 0 when the attack ran (whether or not it found a "
                    "paying evasion), 1 when every candidate's run failed or --fail-below is "
                    "met, 2 for bad input.")
    p.add_argument("target", metavar="TARGET",
                   help="module, module:attr, file.py[:attr] or installed detector name")
    p.add_argument("--scenario", help="the attacked scenario (file or bundled name)")
    p.add_argument("--pattern", help="the pattern of the attacked campaign")
    p.add_argument("--robustness", action="store_true",
                   help="instead of one attack, the leaderboard's fixed set (one campaign per "
                        "pattern, brushbench.attack.robustness.ATTACKS): writes "
                        "--out/<detector>.json with the robust recall per pattern, which "
                        "`brushbench leaderboard build` shows when the folder is "
                        "leaderboard/robustness (default --out)")
    p.add_argument("--campaign", type=int, default=1, metavar="N",
                   help="which of the scenario's campaigns of that pattern, from 1 (default 1)")
    p.add_argument("--budget", type=int, default=None, metavar="N",
                   help="candidates to try, the scenario's own campaign included (default 40; "
                        "16 per attack with --robustness)")
    p.add_argument("--seed", type=int, default=0,
                   help="seeds the search and is the candidates' test seed (default 0)")
    p.add_argument("--floor", default=DEFAULT_FLOOR, metavar="X",
                   help="the payoff a campaign must earn to count, e.g. 20, or a multiple of "
                        "what the scenario's own campaign earns, e.g. 0.5x "
                        f"(default {DEFAULT_FLOOR})")
    p.add_argument("--payoff", choices=MEASURES, default=MEASURES[0],
                   help="what the floor measures: rank_gain, the places the brushed shop climbs "
                        "in the window's sales ranking; extra_orders, the legitimate orders it "
                        "gains through the re-ranking (both against the log without the "
                        f"campaign; default {MEASURES[0]})")
    p.add_argument("--review-budget", type=float, default=DEFAULT_REVIEW_BUDGET, metavar="SHARE",
                   help="share of the orders reviewers look at, where recall is counted "
                        f"(default {DEFAULT_REVIEW_BUDGET})")
    p.add_argument("--scale", type=float, default=DEFAULT_SCALE,
                   help=f"volume multiplier of the scenario (default {DEFAULT_SCALE})")
    p.add_argument("--knobs", default=None, metavar="K1,K2",
                   help="search only these keys of the pattern (default: all its knobs)")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="output folder (default: attacks/<detector>-<scenario>-<pattern>)")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds per run (default 600)")
    p.add_argument("--memory", type=int, default=None, metavar="MB",
                   help="address-space limit per run, in MB, as for eval")
    p.add_argument("--fail-below", type=float, default=None, metavar="RECALL",
                   help="exit 1 when a paying evasion's recall is below RECALL (for CI)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..runtime import launch

    try:
        launch.warm_up()
    except ValueError as exc:
        raise UserError(str(exc)) from None

    from ..attack import AttackError, attack
    from ..attack.report import write
    from ..attack.run import slug
    from ..dataset import DatasetError
    from ..runtime.detectors import DetectorLoadError
    from ..scenario import ScenarioError, load_scenario
    from ..scenario.bundled import resolve
    from ..scenario.limits import LimitError, check_scale
    from ..scenario.registry import names as pattern_names
    from .evaluate import memory_limit
    from .progress import ProgressBar

    if not args.timeout > 0:
        raise UserError("--timeout must be positive")
    try:
        check_scale(args.scale)
    except LimitError as exc:
        raise UserError(f"--scale: {exc}") from None
    args.memory = memory_limit(args.memory)
    if args.robustness:
        return _robustness(args)
    if args.scenario is None or args.pattern is None:
        raise UserError("attack needs --scenario and --pattern (or --robustness)")
    if args.budget is None:
        args.budget = DEFAULT_BUDGET
    if args.pattern not in pattern_names():
        raise UserError(f"--pattern {args.pattern}: unknown fraud pattern (known: "
                        f"{', '.join(pattern_names())})")
    try:
        scenario = load_scenario(resolve(args.scenario))
    except FileNotFoundError as exc:
        raise UserError(f"--scenario {str(exc).strip(chr(39) + chr(34))}") from None
    except ScenarioError as exc:
        raise UserError(str(exc), located=True) from None
    knobs = None if args.knobs is None else [k.strip() for k in args.knobs.split(",")
                                             if k.strip()]

    bar = ProgressBar(label="attack", unit="candidates")

    def tick(p) -> None:
        best = p.best
        detail = ("no paying evasion yet" if best is None else
                  f"best recall {best.recall:.3f}, +{best.payoff.rank_gain:g} places, "
                  f"+{best.payoff.extra_orders} orders")
        bar.update(p.done, p.total, detail)

    try:
        result = attack(args.target, scenario, args.pattern, budget=args.budget, seed=args.seed,
                        floor=args.floor, payoff_measure=args.payoff,
                        review_budget=args.review_budget, scale=args.scale,
                        which=args.campaign, knobs=knobs, timeout=args.timeout,
                        memory_mb=args.memory, progress=tick)
    except (AttackError, DetectorLoadError, DatasetError, LimitError) as exc:
        raise UserError(str(exc)) from None
    bar.finish()
    out = Path(args.out) if args.out else Path("attacks") / slug(
        f"{result.detector.get('name')}-{scenario.name}-{args.pattern}")
    with writing_file(out):
        written = write(result, out)
    print(summary_text(result))
    for kind, path in written.items():
        print(f"{kind}: {path}")
    if all(t.status != "ok" for t in result.trials):
        reasons = {t.reason for t in result.trials}
        print(f"every run failed: {'; '.join(sorted(reasons))[:300]}", file=sys.stderr)
        return EXIT_FAILURE
    if (args.fail_below is not None and result.robust_recall is not None
            and result.robust_recall < args.fail_below):
        return EXIT_FAILURE
    return 0


def _robustness(args: argparse.Namespace) -> int:
    """``--robustness``: the leaderboard's fixed set of attacks; one file for the detector."""
    import json

    from ..attack import AttackError
    from ..attack.robustness import BUDGET, robustness
    from ..attack.run import slug
    from ..dataset import DatasetError
    from ..dataset._fs import write_file_atomic
    from ..runtime.detectors import DetectorLoadError

    if args.scenario is not None or args.pattern is not None:
        raise UserError("--robustness runs its own attacks: drop --scenario and --pattern")

    def tick(label, p) -> None:
        if p.done == p.total:
            best = "no paying evasion" if p.best is None else f"{p.best.recall:.3f}"
            print(f"  {label}: {p.total} candidates, robust recall {best}", file=sys.stderr)

    try:
        doc = robustness(args.target, budget=args.budget or BUDGET, seed=args.seed,
                         floor=args.floor, timeout=args.timeout, memory_mb=args.memory,
                         progress=tick)
    except (AttackError, DetectorLoadError, DatasetError) as exc:
        raise UserError(str(exc)) from None
    target = Path(args.target)
    name = slug(target.stem if target.suffix == ".py" else args.target)
    path = Path(args.out or "leaderboard/robustness") / f"{name}.json"
    with writing_file(path):
        write_file_atomic(path, json.dumps(doc, indent=1) + "\n")
    for pattern, value in doc["robust_recall"].items():
        shown = "no paying evasion found" if value is None else f"{value:.3f}"
        print(f"{pattern}: robust recall {shown}")
    print(f"robustness: {path}")
    return 0


def summary_text(result) -> str:
    """The printed summary: the scenario's campaign, then the best paying evasion (or none)."""
    ref, best = result.reference, result.best
    words = WORDS[result.floor.measure]
    lines = [f"{result.detector.get('name')} vs the {result.pattern} campaign of "
             f"{result.scenario.name} (scale {result.scale:g}, seed {result.seed}, "
             f"{len(result.trials)} candidates in {result.seconds:.0f} s, review budget "
             f"{result.review_budget:g}, floor: {result.floor_value:g} {words})"]
    lines.append("  the scenario's campaign: " + _line(ref))
    if best is None:
        lines.append(f"  no paying evasion found: no candidate earned the floor of "
                     f"{result.floor_value:g} {words}")
    else:
        lines.append("  best paying evasion:     " + _line(best))
        changed = {k: v for k, v in best.knobs.items() if not _same(ref.knobs.get(k), v)}
        knobs = ", ".join(f"{k}={_value(v)}" for k, v in changed.items()) or "as written"
        lines.append(f"    knobs: {knobs}")
    return "\n".join(lines)


def _line(trial) -> str:
    if trial.recall is None or trial.payoff is None:
        return f"{trial.status}: {trial.reason}"
    p = trial.payoff
    return (f"recall {trial.recall:.3f}, +{p.extra_orders} legitimate orders, rank "
            f"{p.rank_before:g} -> {p.rank_after:g} (+{p.rank_gain:g}), {p.orders} orders from "
            f"{p.accounts} accounts ({p.hired_share:.0%} hired)")


def _same(a, b) -> bool:
    """Equal knob values (floats that went through a log scale's round trip, equal to 9 digits)."""
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1.0)
    return a == b


def _value(v) -> str:
    return f"{v:.3g}" if isinstance(v, float) else str(v)
