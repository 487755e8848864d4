"""``brushbench round new|eval|reveal|verify``: hidden-seed rounds (docs/rounds.md)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from .errors import EXIT_FAILURE, UserError, user_errors


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "round", help="hidden-seed rounds: new, eval, reveal, verify",
        description="A round evaluates detectors on seeds drawn in secret, so that nobody can "
                    "tune to them: `new` commits to them in a public round file, `eval` runs "
                    "submissions on them, `reveal` publishes them and `verify` checks them "
                    "against the commitment. See docs/rounds.md.")
    p.set_defaults(run=lambda args: _usage(p))
    rsub = p.add_subparsers(dest="round_command", metavar="ACTION")

    new = rsub.add_parser(
        "new", help="draw secret seeds; write NAME.round.json and NAME.seeds.json",
        description="Draw secret seeds (the OS's randomness) and write the public round file "
                    "NAME.round.json (suite, number of seeds, commitment) and the private "
                    "NAME.seeds.json (mode 0600: keep it to yourself until the reveal).")
    new.add_argument("name", metavar="NAME", help="the round's name, or a path prefix")
    new.add_argument("--suite", required=True, help="bundled suite name or suite file")
    new.add_argument("--seeds", type=int, default=None, metavar="N",
                     help="how many seeds (default: the suite's)")
    new.add_argument("--overwrite", action="store_true", help="replace existing round files")
    new.set_defaults(run=_new)

    ev = rsub.add_parser(
        "eval", help="run submissions on a round's hidden seeds",
        description="Run each TARGET on the round's suite with its hidden seeds; the results "
                    "name the round and its commitment, not the seeds. Exit 0 when every run "
                    "is ok, 1 when a run failed, 2 for bad input.")
    ev.add_argument("round", metavar="ROUND", help="NAME.round.json (or NAME)")
    ev.add_argument("targets", nargs="+", metavar="TARGET", help="detector file or module")
    ev.add_argument("--seeds-file", required=True, metavar="PRIVATE",
                    help="the round's NAME.seeds.json")
    ev.add_argument("--out", default=None, metavar="DIR",
                    help="folder of the results files (default: rounds/NAME beside the round "
                         "file); one ROUND--DETECTOR.json per target")
    ev.add_argument("--timeout", type=float, default=600.0, help="seconds per run (default 600)")
    ev.add_argument("--memory", type=int, default=None, metavar="MB",
                    help="address-space limit per run, in MB, as for eval (default: min(8 GiB, "
                         "75%% of RAM), or $BRUSHBENCH_MEMORY_MB; 0: no limit)")
    ev.set_defaults(run=_eval)

    rev = rsub.add_parser(
        "reveal", help="publish a round's seeds into its round file",
        description="Check the seeds file against the round's commitment, then write the "
                    "seeds and salt into the round file so that anyone can verify it.")
    rev.add_argument("round", metavar="ROUND", help="NAME.round.json (or NAME)")
    rev.add_argument("--seeds-file", required=True, metavar="PRIVATE")
    rev.set_defaults(run=_reveal)

    ver = rsub.add_parser(
        "verify", help="check a revealed round's seeds against its commitment",
        description="Recompute the commitment from the revealed seeds, salt and suite hash "
                    "(or from --seeds-file). Exit 0 when it matches, 1 when it does not.")
    ver.add_argument("round", metavar="ROUND", help="NAME.round.json (or NAME)")
    ver.add_argument("--seeds-file", default=None, metavar="PRIVATE",
                     help="check these seeds instead of the revealed ones")
    ver.set_defaults(run=_verify)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "detector"


def _new(args: argparse.Namespace) -> int:
    from ..harness.suites import SuiteError
    from ..rounds import RoundError, new_round

    if args.seeds is not None and args.seeds < 1:
        raise UserError(f"--seeds must be >= 1, got {args.seeds}")
    try:
        rnd, public, private = new_round(args.name, args.suite, seeds=args.seeds,
                                         overwrite=args.overwrite)
    except FileExistsError as exc:
        raise UserError(f"{exc} (use --overwrite to replace it)") from None
    except (RoundError, SuiteError, OSError) as exc:
        raise UserError(str(exc).splitlines()[0]) from None
    print(f"round {rnd.name}: suite {rnd.suite['name']}, {rnd.n_seeds} hidden seed(s)")
    print(f"commitment: {rnd.commitment}")
    print(f"public:  {public}")
    print(f"private: {private} (mode 0600; keep it secret until `brushbench round reveal`)")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from ..dataset import DatasetError
    from ..harness.suites import SuiteError
    from ..results.io import write_results
    from ..results.render import render_table
    from ..rounds import RoundError, evaluate_round, read_round, read_seeds, resolve_round
    from ..rounds.core import check_seeds, round_suite
    from ..runtime.detectors import DetectorLoadError
    from .evaluate import memory_limit

    if args.timeout <= 0:
        raise UserError("--timeout must be positive")
    memory_mb = memory_limit(args.memory)
    with user_errors(RoundError, SuiteError):
        path = resolve_round(args.round)
        rnd = read_round(path)
        seeds = read_seeds(args.seeds_file)
        check_seeds(rnd, seeds, args.seeds_file)
        round_suite(rnd, path.parent)  # a changed suite is refused before any run
    out_dir = Path(args.out) if args.out else path.parent / "rounds" / rnd.name
    exit_code = 0
    for target in args.targets:
        def tick(p):
            print(f"  [{p.done}/{p.total}] {p.scenario} hidden seed #{p.seed}: {p.status}",
                  file=sys.stderr)

        with user_errors(DetectorLoadError, DatasetError, RoundError):
            results = evaluate_round(path, seeds, target, timeout=args.timeout,
                                     memory_mb=memory_mb, progress=tick)
        name = results.detector.name or target
        out = out_dir / f"{_slug(rnd.name)}--{_slug(name)}.json"
        with user_errors(OSError, prefix=f"{out}: cannot write: "):
            write_results(results, out)
        print(render_table(results))
        print(f"results: {out}")
        if any(not r.ok for r in results.runs):
            exit_code = EXIT_FAILURE
    return exit_code


def _reveal(args: argparse.Namespace) -> int:
    from ..rounds import RoundError, read_seeds, reveal

    with user_errors(RoundError, OSError):
        rnd = reveal(args.round, read_seeds(args.seeds_file))
    assert rnd.revealed is not None
    print(f"round {rnd.name}: revealed {rnd.n_seeds} seed(s): "
          f"{', '.join(str(s) for s in rnd.revealed['seeds'])}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from ..rounds import RoundError, read_seeds, verify

    with user_errors(RoundError, exit_code=EXIT_FAILURE):
        seeds = read_seeds(args.seeds_file) if args.seeds_file else None
        rnd = verify(args.round, seeds)
    print(f"round {rnd.name}: ok, the seeds match commitment {rnd.commitment[:12]}")
    return 0
