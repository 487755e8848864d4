"""``brushbench eval TARGET...``: score detectors on a suite; optionally gate against a baseline."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from ..harness.compare import compare_files
from ..harness.detectors import DetectorLoadError
from ..harness.evaluate import evaluate
from ..harness.results import ResultsError, write_results
from ..harness.suites import SuiteError, load_suite, single_scenario_suite
from ..harness.table import render_table
from .compare import add_gate_arguments, gate_options, report
from .errors import EXIT_FAILURE, UserError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval", help="evaluate detectors on a suite of scenarios",
        description="Run each detector in its own process on every scenario and seed of a suite "
                    "(fit on a training seed with labels, score a test seed without them), "
                    "write one results JSON per detector and print a table. Exit 0 when every "
                    "run is ok, 1 when a run failed (or --compare finds a regression), 2 for "
                    "bad input.")
    p.add_argument("targets", nargs="+", metavar="TARGET",
                   help="module, module:attr, file.py[:attr] or installed detector name")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--suite", default="quick", help="bundled suite name or suite file "
                     "(default: quick)")
    src.add_argument("--scenario", help="one scenario (file or bundled name) instead of a suite")
    p.add_argument("--scale", type=float, default=1.0, help="with --scenario: volume multiplier")
    p.add_argument("--seeds", type=int, default=None, help="seeds per scenario (default: the "
                   "suite's)")
    p.add_argument("--out", default=None, help="results file (one target) or folder (several); "
                   "default: results/<detector>.<suite>.json")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds per run (default 600)")
    p.add_argument("--memory", type=int, default=None, metavar="MB",
                   help="address-space limit per run, in MB")
    p.add_argument("--compare", metavar="BASE.json",
                   help="compare the results with BASE.json (as `brushbench compare` does)")
    add_gate_arguments(p)
    p.set_defaults(run=run)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "detector"


def run(args: argparse.Namespace) -> int:
    if args.seeds is not None and args.seeds < 1:
        raise UserError(f"--seeds must be >= 1, got {args.seeds}")
    if args.timeout <= 0 or args.scale <= 0:
        raise UserError("--timeout and --scale must be positive")
    if args.compare and len(args.targets) != 1:
        raise UserError("--compare takes exactly one TARGET")
    gate = gate_options(args) if args.compare else None
    try:
        suite = (single_scenario_suite(args.scenario, args.scale, args.seeds or 3)
                 if args.scenario else load_suite(args.suite))
    except SuiteError as exc:
        raise UserError(str(exc), located=":" in str(exc).split(" ", 1)[0]) from None

    exit_code = 0
    for target in args.targets:
        def tick(p, target=target):
            print(f"  [{p.done}/{p.total}] {p.scenario} seed {p.seed}: {p.status}",
                  file=sys.stderr)

        try:
            doc = evaluate(target, suite, seeds=args.seeds, timeout=args.timeout,
                           memory_mb=args.memory, progress=tick)
        except DetectorLoadError as exc:
            raise UserError(str(exc)) from None
        out = _out_path(args, doc, len(args.targets))
        write_results(doc, out)
        print(render_table(doc))
        print(f"results: {out}")
        if any(r["status"] != "ok" for r in doc["runs"]):
            exit_code = EXIT_FAILURE
        if args.compare:
            try:
                comparison = compare_files(args.compare, out, **gate)
            except (ResultsError, ValueError) as exc:
                raise UserError(str(exc)) from None
            exit_code = max(exit_code, report(comparison, args))
    return exit_code


def _out_path(args: argparse.Namespace, doc: dict, n_targets: int) -> Path:
    name = f"{_slug(str(doc['detector'].get('name')))}.{_slug(doc['suite']['name'])}.json"
    if args.out is None:
        return Path("results") / name
    out = Path(args.out)
    return out / name if n_targets > 1 or out.is_dir() else out
