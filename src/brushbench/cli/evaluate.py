"""``brushbench eval TARGET...``: score detectors on a suite; optionally gate against a baseline."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._choices import DEFAULT_BATCH, LABEL_LEVELS, PRESETS
from .compare import add_gate_arguments, gate_options, report
from .errors import EXIT_FAILURE, UserError, user_errors

if TYPE_CHECKING:
    from ..results.model import Results


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval", help="evaluate detectors on a suite of scenarios",
        description="Run each detector in its own process on every scenario and seed of a suite "
                    "(fit on a training seed with labels, score a test seed without them), "
                    "write one results JSON per detector and print a table. --data FILE scores "
                    "a given order log (or dataset folder) instead, once. Exit 0 when every "
                    "run is ok, 1 when a run failed (or --compare finds a regression), 2 for "
                    "bad input.")
    p.add_argument("targets", nargs="+", metavar="TARGET",
                   help="module, module:attr, file.py[:attr] or installed detector name")
    src = p.add_mutually_exclusive_group()
    # default None (meaning quick): argparse only sees a clash with --data or --scenario when
    # the value differs from the default, so `--suite quick --data x` must not be the default.
    src.add_argument("--suite", default=None, help="bundled suite name or suite file "
                     "(default: quick)")
    src.add_argument("--scenario", help="one scenario (file or bundled name) instead of a suite")
    src.add_argument("--data", metavar="FILE_OR_DIR",
                     help="score a given dataset instead: an order log (CSV or Parquet, one row "
                          "per order) or a brushbench dataset folder (used as it is)")
    log = p.add_argument_group("--data with an order log")
    log.add_argument("--columns", metavar="MAPPING",
                     help="brushbench name = the log's column, comma-separated, e.g. "
                          "order_id=orderid,shop_id=shopid,buyer_id=userid,created_at=event_time;"
                          f" or a preset ({', '.join(PRESETS)}). Columns already named like "
                          "brushbench's need no entry")
    log.add_argument("--labels", metavar="FILE",
                     help="answer key: order_id[,is_brushing], shop_id[,is_brushing], "
                          "buyer_id[,is_brushing], or the SCL 2020 submission shopid,userid")
    log.add_argument("--label-level", choices=LABEL_LEVELS, default=None,
                     help="which labels of --labels to use (default: what its columns say)")
    p.add_argument("--train", metavar="DIR", default=None,
                   help="with --data: a dataset folder with an answer key (e.g. another seed "
                        "from `brushbench generate`) that fit(train) gets; without it a "
                        "detector that needs training is skipped")
    log.add_argument("--timezone", metavar="TZ", default=None,
                     help="IANA time zone of the log's times without an offset (default UTC)")
    p.add_argument("--scale", type=float, default=1.0,
                   help="with --scenario: volume multiplier (default 1)")
    p.add_argument("--seeds", type=int, default=None, help="seeds per scenario (default: the "
                   "suite's)")
    p.add_argument("--out", default=None, help="results file (one target) or folder (several); "
                   "default: results/<detector>.<suite>.json")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds per run (default 600)")
    p.add_argument("--memory", type=int, default=None, metavar="MB",
                   help="address-space limit per run, in MB, on top of the loaded data "
                        "(default: min(8 GiB, 75%% of RAM), or $BRUSHBENCH_MEMORY_MB; "
                        "0: no limit)")
    p.add_argument("--stream", action="store_true",
                   help="evaluate score_stream(batches) (time-ordered batches, latency per batch, "
                        "time to detect each campaign) even when the detector also has score(); "
                        "a detector with only score_stream always streams")
    p.add_argument("--batch", default=DEFAULT_BATCH, metavar="WINDOW",
                   help="streaming batch window, e.g. 30m, 1h, 1d (default: 1h)")
    p.add_argument("--attack", action="store_true",
                   help="also attack each detector (the fixed attacks of `brushbench attack "
                        "--robustness`: one campaign per pattern, searched for the paying "
                        "evasion it misses) and add its robust recall per pattern to the "
                        "results (key `robustness`); minutes per detector")
    p.add_argument("--compare", metavar="BASE.json",
                   help="compare the results with BASE.json (as `brushbench compare` does)")
    add_gate_arguments(p)
    p.set_defaults(run=run)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "detector"


def memory_limit(value: int | None) -> int | None:
    """``--memory``: omitted, the default limit; 0, none (a UserError when malformed)."""
    from ..runtime.runner import memory_option

    try:
        return memory_option(value)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    # The run processes' server imports numpy, pandas and pyarrow: start it first, so that it
    # does so while this process imports them too and reads the suite (or imports the log).
    from ..runtime import launch

    try:
        launch.warm_up()
    except ValueError as exc:  # BRUSHBENCH_ISOLATION names no way of starting a process
        raise UserError(str(exc)) from None

    from ..dataset import DatasetError
    from ..harness.evaluate import evaluate, evaluate_data
    from ..harness.suites import SuiteError, load_suite, single_scenario_suite
    from ..results.compare import compare_files
    from ..results.io import write_results
    from ..results.model import ResultsError
    from ..results.render import render_table
    from ..runtime.batches import parse_batch
    from ..runtime.detectors import DetectorLoadError

    if args.seeds is not None and args.seeds < 1:
        raise UserError(f"--seeds must be >= 1, got {args.seeds}")
    from ..scenario.limits import LimitError, check_scale

    if not args.timeout > 0:  # nan too
        raise UserError("--timeout must be positive")
    with user_errors(LimitError, prefix="--"):
        check_scale(args.scale)
    if args.attack and args.data is not None:
        raise UserError("--attack applies to a suite (it generates its own campaigns), not to "
                        "--data")
    if args.compare and len(args.targets) != 1:
        raise UserError("--compare takes exactly one TARGET")
    try:
        parse_batch(args.batch)
    except ValueError as exc:
        raise UserError(f"--batch: {exc}") from None
    args.memory = memory_limit(args.memory)
    gate = gate_options(args) if args.compare else None
    data_dir = _data_dir(args)
    suite = None
    if data_dir is None:
        try:
            suite = (single_scenario_suite(args.scenario, args.scale, args.seeds or 3)
                     if args.scenario else load_suite(args.suite or "quick"))
        except SuiteError as exc:
            raise UserError(str(exc), located=":" in str(exc).split(" ", 1)[0]) from None

    exit_code = 0
    for target in args.targets:
        def tick(p, target=target):
            print(f"  [{p.done}/{p.total}] {p.scenario} seed {p.seed}: {p.status}",
                  file=sys.stderr)

        results: Results
        try:
            if data_dir is not None:
                results = evaluate_data(target, data_dir, train_dir=args.train,
                                    timeout=args.timeout,
                                    memory_mb=args.memory, progress=tick, stream=args.stream,
                                    batch=args.batch)
            else:
                assert suite is not None
                results = evaluate(target, suite, seeds=args.seeds, timeout=args.timeout,
                               memory_mb=args.memory, progress=tick, stream=args.stream,
                               batch=args.batch)
        except (DetectorLoadError, DatasetError) as exc:
            raise UserError(str(exc)) from None
        if args.attack:
            results = _with_robustness(results, target, args)
        out = _out_path(args, results, len(args.targets))
        write_results(results, out)
        print(render_table(results))
        if data_dir is not None:
            print(_entity_line(results))
        if args.attack:
            print(_robustness_line(results))
        print(f"results: {out}")
        if any(not r.ok for r in results.runs):
            exit_code = EXIT_FAILURE
        if args.compare:
            assert gate is not None
            try:
                comparison = compare_files(args.compare, out, **gate)
            except (ResultsError, ValueError) as exc:
                raise UserError(str(exc)) from None
            exit_code = max(exit_code, report(comparison, args))
    return exit_code


def _with_robustness(results: Results, target: str, args: argparse.Namespace) -> Results:
    """``results`` with the robustness document of ``target`` (:mod:`brushbench.attack`)."""
    import dataclasses

    from ..attack import robustness as fixed

    def tick(label: str, p: Any) -> None:
        if p.done == p.total:
            best = "no paying evasion" if p.best is None else f"robust recall {p.best.recall:.3f}"
            print(f"  attack {label}: {p.total} candidates, {best}", file=sys.stderr)

    doc = fixed.robustness(target, budget=fixed.BUDGET, attacks=fixed.ATTACKS,
                           timeout=args.timeout, memory_mb=args.memory, progress=tick)
    return dataclasses.replace(results, extra={**results.extra, "robustness": doc})


def _robustness_line(results: Results) -> str:
    """Robust recall per pattern, beside the recall on the scenario's own campaign."""
    doc = results.extra.get("robustness") or {}
    parts = []
    for row in doc.get("attacks", []):
        robust = row.get("robust_recall")
        shown = "no paying evasion" if robust is None else f"{robust:.3f}"
        parts.append(f"{row['pattern']} {shown} (its own campaign {row['reference_recall']:.3f})")
    return f"robust R@{doc.get('review_budget', 0.01):.0%} under attack: " + "; ".join(parts)


def _data_dir(args: argparse.Namespace) -> Path | None:
    """The dataset folder ``--data`` names (an order log is imported first); None without it."""
    log_options = [f"--{name.replace('_', '-')}" for name in ("columns", "labels",
                                                               "label_level", "timezone")
                   if getattr(args, name) is not None]
    if args.data is None:
        if log_options:
            raise UserError(f"{', '.join(log_options)} only apply with --data FILE")
        if args.train is not None:
            raise UserError("--train only applies with --data (a suite trains on its own "
                            "training seeds)")
        return None
    # Imported only now: the importer needs pandas, which a suite's evaluation imports later,
    # off its start-up path.
    from ..userdata import ImportLogError, import_log, is_dataset_folder, parse_columns

    if args.train is not None and not is_dataset_folder(Path(args.train)):
        raise UserError(f"--train {args.train}: not a brushbench dataset folder (no "
                        "manifest.json); make one with `brushbench generate SCENARIO --out DIR`")
    if args.seeds is not None:
        raise UserError("--seeds does not apply to --data (a given dataset is scored once)")
    path = Path(args.data)
    if is_dataset_folder(path):
        if log_options:
            raise UserError(f"{path} is a brushbench dataset folder, used as it is: "
                            f"{', '.join(log_options)} only apply to an order log file")
        return path
    if path.is_dir():
        raise UserError(f"{path}: a folder without manifest.json is not a brushbench dataset; "
                        "--data takes an order log (CSV or Parquet) or a dataset folder")
    try:
        return import_log(path, columns=parse_columns(args.columns), labels=args.labels,
                          label_level=args.label_level, timezone=args.timezone or "UTC")
    except ImportLogError as exc:
        raise UserError(str(exc)) from None


def _entity_line(results: Results) -> str:
    """Shop and buyer average precision of a --data run (the table shows order metrics)."""
    from ..results.model import Undefined

    parts = []
    for run in results.runs:
        if not run.ok:
            continue
        for section in ("shops", "buyers"):
            ap = run.get(f"{section}.average_precision")
            shown = (f"{ap:.3f}" if isinstance(ap, float) else
                     f"undefined ({ap.reason if ap is not None else None})")
            parts.append(f"{section} AP {shown}")
        orders = run.get("orders.average_precision")
        if isinstance(orders, Undefined):
            parts.append(f"order metrics undefined: {orders.reason}")
    return "; ".join(parts) if parts else "no ok run: nothing scored"


def _out_path(args: argparse.Namespace, results: Results, n_targets: int) -> Path:
    name = f"{_slug(str(results.detector.name))}.{_slug(str(results.suite.name))}.json"
    if args.out is None:
        return Path("results") / name
    out = Path(args.out)
    return out / name if n_targets > 1 or out.is_dir() else out
