"""The round files, the commitment, and evaluating submissions on a round's hidden seeds.

What is protected, and what is not (docs/rounds.md says the same to users):

- the seeds are drawn from the OS's randomness (:mod:`secrets`), never from a generator a
  participant could reproduce, and are published only by :func:`reveal`;
- the private seeds file is written with mode 0600: other OS users cannot read it;
- :func:`evaluate_round` generates the round's datasets in a fresh temporary folder (mode
  0700, removed afterwards), never in the shared dataset cache, whose entries are named by
  seed; its results name the round and the commitment and number the runs 0, 1, ... instead
  of recording the seeds;
- a detector runs as the same OS user as ``round eval``: it can read any file that user can,
  the seeds file and the test datasets (with their answer keys and manifests) included. The
  harness does not sandbox file access; run submissions you do not trust in a container or as
  another user that cannot read the seeds file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..dataset._fs import read_json, write_file_atomic

if TYPE_CHECKING:  # the harness is imported when a round is evaluated, not before
    from ..harness.evaluate import RunProgress
    from ..harness.suites import Suite
    from ..results.model import Results

ROUND_KIND = "brushbench-round"
SEEDS_KIND = "brushbench-round-seeds"
#: Bumped on any incompatible change of the round files.
ROUND_SCHEMA_VERSION = 1
ROUND_SUFFIX = ".round.json"
SEEDS_SUFFIX = ".seeds.json"
#: Seeds are drawn from [SEED_MIN, SEED_MAX): above the public seeds and their training seeds.
SEED_MIN = 100_000
SEED_MAX = 2**31 - 100_000
SALT_BYTES = 16


class RoundError(ValueError):
    """A round file or seeds file that cannot be used, or a commitment that does not match;
    one line."""


@dataclass(frozen=True)
class RoundSeeds:
    """The private part of a round: its seeds and salt (``NAME.seeds.json``)."""

    round: str
    seeds: tuple[int, ...]
    salt: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": SEEDS_KIND, "round_schema_version": ROUND_SCHEMA_VERSION,
                "round": self.round, "seeds": list(self.seeds), "salt": self.salt}


@dataclass(frozen=True)
class Round:
    """The public part of a round (``NAME.round.json``).

    Attributes
    ----------
    name : str
    suite : dict
        ``name``, ``hash`` and ``source`` (the bundled name or the file it was made from).
    n_seeds : int
    commitment : str
        :func:`commitment` of the seeds, the salt and ``suite["hash"]``.
    created : str
        UTC, ISO 8601.
    revealed : dict or None
        ``seeds``, ``salt`` and ``revealed_at`` once :func:`reveal` published them.
    """

    name: str
    suite: Mapping[str, str]
    n_seeds: int
    commitment: str
    created: str
    revealed: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": ROUND_KIND, "round_schema_version": ROUND_SCHEMA_VERSION,
                "name": self.name, "suite": dict(self.suite), "seeds": self.n_seeds,
                "commitment": {"algorithm": "sha256", "value": self.commitment,
                               "of": "canonical JSON of {salt, seeds, suite_hash}: sorted "
                                     "keys, no spaces"},
                "created": self.created, "revealed": (None if self.revealed is None
                                                      else dict(self.revealed))}

    def results_tag(self) -> dict[str, Any]:
        """What a results file records of the round (no seeds)."""
        return {"name": self.name, "commitment": self.commitment,
                "suite": self.suite["name"], "suite_hash": self.suite["hash"],
                "seeds": self.n_seeds}


def commitment(seeds: Sequence[int], salt: str, suite_hash: str) -> str:
    """sha256 (hex) of ``{"salt", "seeds", "suite_hash"}`` as canonical JSON (sorted keys, no
    spaces, seeds in the round's order)."""
    text = json.dumps({"salt": salt, "seeds": [int(s) for s in seeds],
                       "suite_hash": suite_hash}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def draw_seeds(n: int) -> tuple[int, ...]:
    """``n`` distinct seeds from the OS's randomness (:mod:`secrets`), none of them the
    training seed of another (``seed + TRAIN_SEED_OFFSET``)."""
    from ..harness.evaluate import TRAIN_SEED_OFFSET

    if n < 1:
        raise RoundError(f"a round needs at least one seed, got {n}")
    out: list[int] = []
    while len(out) < n:
        seed = SEED_MIN + secrets.randbelow(SEED_MAX - SEED_MIN)
        taken = {s for s in out} | {s + TRAIN_SEED_OFFSET for s in out} \
            | {s - TRAIN_SEED_OFFSET for s in out}
        if seed not in taken:
            out.append(seed)
    return tuple(out)


def round_paths(name: str | os.PathLike[str]) -> tuple[Path, Path, str]:
    """(``NAME.round.json``, ``NAME.seeds.json``, the round's name) of ``NAME`` (a name or a
    path prefix; a trailing ``.round.json`` is dropped)."""
    text = os.fspath(name)
    if text.endswith(ROUND_SUFFIX):
        text = text[: -len(ROUND_SUFFIX)]
    base = Path(text)
    if not base.name or base.name in (".", ".."):
        raise RoundError(f"{name!s}: not a round name")
    return (base.with_name(base.name + ROUND_SUFFIX), base.with_name(base.name + SEEDS_SUFFIX),
            base.name)


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _text(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _write_private(path: Path, text: str, *, overwrite: bool) -> None:
    """Write ``path`` with mode 0600 through a temporary sibling: a rename when overwriting,
    else a hard link, which fails if the file appeared meanwhile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # FileExistsError if there is one
    finally:
        Path(tmp).unlink(missing_ok=True)


def new_round(name: str | os.PathLike[str], suite: str | os.PathLike[str], *,
              seeds: int | None = None, overwrite: bool = False) -> tuple[Round, Path, Path]:
    """Draw a round's secret seeds and write its public and private files.

    Parameters
    ----------
    name : str or path
        The round's name, or a path prefix (``rounds/spring`` writes
        ``rounds/spring.round.json`` and ``rounds/spring.seeds.json``).
    suite : str or path
        A bundled suite's name or a suite file.
    seeds : int, optional
        How many seeds (default: the suite's ``seeds``).
    overwrite : bool
        Replace existing round files; without it either file existing is refused.

    Returns
    -------
    (Round, Path, Path)
        The round, the public file and the private file.

    Raises
    ------
    RoundError
        ``seeds`` below 1.
    FileExistsError
        A round file or seeds file is there and ``overwrite`` is False.
    brushbench.harness.suites.SuiteError
        The suite cannot be loaded.
    """
    from ..harness.suites import load_suite

    public, private, round_name = round_paths(name)
    if not overwrite:
        for path in (public, private):
            if path.exists():
                raise FileExistsError(f"{path}: already exists")
    loaded = load_suite(os.fspath(suite))
    values = draw_seeds(loaded.seeds if seeds is None else seeds)
    salt = secrets.token_hex(SALT_BYTES)
    source = os.fspath(suite)
    rnd = Round(name=round_name,
                suite={"name": loaded.name, "hash": loaded.hash, "source": source},
                n_seeds=len(values), commitment=commitment(values, salt, loaded.hash),
                created=_now())
    # The private file first: a round file whose seeds were lost could never be evaluated.
    _write_private(private, _text(RoundSeeds(round_name, values, salt).to_json()),
                   overwrite=overwrite)
    try:
        if overwrite:
            write_file_atomic(public, _text(rnd.to_json()))
        else:
            _write_public_new(public, _text(rnd.to_json()))
    except BaseException:
        private.unlink(missing_ok=True)
        raise
    return rnd, public, private


def _write_public_new(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.link(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _load_json(path: Path, kind: str, what: str) -> dict[str, Any]:
    doc = read_json(path, RoundError, missing=f"no such {what}")
    if not isinstance(doc, dict) or doc.get("kind") != kind:
        raise RoundError(f"{path}: not a brushbench {what} (kind is not {kind!r})")
    if doc.get("round_schema_version") != ROUND_SCHEMA_VERSION:
        raise RoundError(f"{path}: round_schema_version {doc.get('round_schema_version')!r} "
                         f"is not supported (this brushbench reads {ROUND_SCHEMA_VERSION})")
    return doc


def _seed_list(value: Any, path: Path) -> tuple[int, ...]:
    if (not isinstance(value, list) or not value
            or not all(isinstance(s, int) and not isinstance(s, bool) for s in value)):
        raise RoundError(f"{path}: seeds must be a non-empty list of integers")
    return tuple(value)


def resolve_round(ref: str | os.PathLike[str]) -> Path:
    """The round file ``ref`` names: the file itself, or ``REF.round.json``."""
    path = Path(ref)
    if path.is_file():
        return path
    public = round_paths(ref)[0]
    if public.is_file():
        return public
    raise RoundError(f"{ref!s}: no such round file (looked for {path} and {public})")


def read_round(ref: str | os.PathLike[str]) -> Round:
    """A round file (or ``REF.round.json``), checked.

    Raises
    ------
    RoundError
        Missing, not JSON, not a round file, or a field of the wrong type.
    """
    path = resolve_round(ref)
    doc = _load_json(path, ROUND_KIND, "round file")
    try:
        suite = doc["suite"]
        value = doc["commitment"]["value"]
        rnd = Round(name=str(doc["name"]),
                    suite={k: str(suite[k]) for k in ("name", "hash", "source")},
                    n_seeds=int(doc["seeds"]), commitment=str(value),
                    created=str(doc["created"]), revealed=doc.get("revealed"))
    except (KeyError, TypeError, ValueError) as exc:
        raise RoundError(f"{path}: not a complete round file ({type(exc).__name__}: {exc})"
                         ) from None
    if rnd.revealed is not None:
        if not isinstance(rnd.revealed, dict) or not isinstance(rnd.revealed.get("salt"), str):
            raise RoundError(f"{path}: 'revealed' must hold seeds and salt")
        _seed_list(rnd.revealed.get("seeds"), path)
    return rnd


def read_seeds(path: str | os.PathLike[str]) -> RoundSeeds:
    """A private seeds file, checked (not yet against a round: :func:`check_seeds`)."""
    path = Path(path)
    doc = _load_json(path, SEEDS_KIND, "seeds file")
    if not isinstance(doc.get("salt"), str):
        raise RoundError(f"{path}: no salt")
    return RoundSeeds(str(doc.get("round")), _seed_list(doc.get("seeds"), path), doc["salt"])


def check_seeds(rnd: Round, seeds: RoundSeeds, where: str = "the seeds") -> None:
    """Raise :class:`RoundError` unless ``seeds`` are the ones ``rnd`` committed to."""
    if len(seeds.seeds) != rnd.n_seeds:
        raise RoundError(f"{where}: {len(seeds.seeds)} seed(s), round {rnd.name!r} has "
                         f"{rnd.n_seeds}")
    actual = commitment(seeds.seeds, seeds.salt, rnd.suite["hash"])
    if actual != rnd.commitment:
        raise RoundError(f"{where} do not match round {rnd.name!r}: commitment "
                         f"{actual[:12]} != {rnd.commitment[:12]}")


def verify(ref: str | os.PathLike[str], seeds: RoundSeeds | None = None) -> Round:
    """Check the round's commitment against its revealed seeds (or ``seeds``).

    Raises
    ------
    RoundError
        Not revealed and no ``seeds`` given, or the commitment does not match.
    """
    rnd = read_round(ref)
    if seeds is None:
        if rnd.revealed is None:
            raise RoundError(f"round {rnd.name!r} is not revealed yet: nothing to verify "
                             "(`brushbench round reveal` publishes its seeds)")
        seeds = RoundSeeds(rnd.name, tuple(rnd.revealed["seeds"]), rnd.revealed["salt"])
        check_seeds(rnd, seeds, f"{resolve_round(ref)}: the revealed seeds")
    else:
        check_seeds(rnd, seeds)
    return rnd


def reveal(ref: str | os.PathLike[str], seeds: RoundSeeds) -> Round:
    """Publish ``seeds`` (checked against the commitment first) into the round file,
    atomically; return the revealed round."""
    path = resolve_round(ref)
    rnd = read_round(path)
    check_seeds(rnd, seeds, "the seeds file's seeds")
    done = replace(rnd, revealed={"seeds": list(seeds.seeds), "salt": seeds.salt,
                                  "revealed_at": _now()})
    write_file_atomic(path, _text(done.to_json()))
    return done


def round_suite(rnd: Round, base: Path | None = None) -> Suite:
    """The round's suite, loaded from its source (as given, else beside the round file) and
    checked against the hash the round recorded."""
    from ..harness.suites import load_suite

    source = rnd.suite["source"]
    local = base / source if base is not None else None
    suite = load_suite(local if local is not None and local.is_file() else source)
    if suite.hash != rnd.suite["hash"]:
        raise RoundError(f"suite {source!r} changed since round {rnd.name!r} was made (hash "
                         f"{suite.hash[:12]}, the round has {rnd.suite['hash'][:12]})")
    return suite


def evaluate_round(ref: str | os.PathLike[str], seeds: RoundSeeds, target: str, *,
                   timeout: float = 600.0, memory_mb: int | None = None,
                   progress: Callable[[RunProgress], None] | None = None,
                   stream: bool = False, batch: str | int | float | None = None) -> Results:
    """Run ``target`` on the round's suite with its hidden seeds.

    The datasets are generated in a private temporary folder, removed afterwards. The results'
    suite is ``round:NAME`` with the commitment as its hash, so they are compared only with
    results of the same round; they carry a ``round`` section (:meth:`Round.results_tag`); each
    run's ``seed`` is the seed's position in the round (0, 1, ...) and ``train_seed`` is null.
    ``progress`` gets those positions too.

    Raises
    ------
    RoundError
        ``seeds`` are not the round's, or the suite changed.
    """
    from ..harness.evaluate import RunProgress, evaluate
    from ..results.model import Suite as SuiteRecord
    from ..runtime.batches import DEFAULT_BATCH

    path = resolve_round(ref)
    rnd = read_round(path)
    check_seeds(rnd, seeds)
    suite = round_suite(rnd, path.parent)
    position = {seed: i for i, seed in enumerate(seeds.seeds)}

    def tick(p: RunProgress) -> None:
        if progress is not None:
            progress(RunProgress(p.done, p.total, p.scenario, position[p.seed], p.status))

    private = tempfile.mkdtemp(prefix="brushbench-round-")  # mode 0700
    try:
        results = evaluate(target, suite, seed_values=seeds.seeds, timeout=timeout,
                           memory_mb=memory_mb, progress=tick, stream=stream,
                           batch=DEFAULT_BATCH if batch is None else batch,
                           cache_root=Path(private))
    finally:
        shutil.rmtree(private, ignore_errors=True)
    runs = tuple(_hide_seeds(replace(run, seed=position[run.seed], train_seed=None), position)
                 for run in results.runs)
    return replace(results, runs=runs,
                   suite=SuiteRecord(name=f"round:{rnd.name}", hash=rnd.commitment,
                                     extra={"base": {"name": suite.name, "hash": suite.hash}}),
                   extra={**results.extra, "round": rnd.results_tag()})


def _hide_seeds(run: Any, position: Mapping[int, int]) -> Any:
    """``run`` with every seed (and training seed) written in its texts (a traceback naming a
    dataset folder, whose name holds the seed) replaced by its position."""
    from ..harness.evaluate import TRAIN_SEED_OFFSET

    names = {str(seed): f"<seed {i}>" for seed, i in position.items()}
    names.update({str(seed + TRAIN_SEED_OFFSET): f"<training seed {i}>"
                  for seed, i in position.items()})
    pattern = re.compile(r"(?<!\d)(" + "|".join(map(re.escape, names)) + r")(?!\d)")

    def scrub(text: str | None) -> str | None:
        return None if text is None else pattern.sub(lambda m: names[m.group(1)], text)

    return replace(run, reason=scrub(run.reason), traceback=scrub(run.traceback),
                   problems=tuple(scrub(p) if isinstance(p, str) else p for p in run.problems))


__all__ = ["ROUND_KIND", "ROUND_SCHEMA_VERSION", "SEEDS_KIND", "Round", "RoundError",
           "RoundSeeds", "check_seeds", "commitment", "draw_seeds", "evaluate_round",
           "new_round", "read_round", "read_seeds", "resolve_round", "reveal", "round_paths",
           "round_suite", "verify"]
