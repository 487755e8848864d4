"""Load and validate scenarios: YAML in, a :class:`~.model.Scenario` or located issues out.

The steps are: parse the text into located nodes (:mod:`.yamlnodes`), merge the files it
``extends`` (:mod:`.extends`), build the typed objects (:mod:`.build`), then check the rules that
span several keys (:mod:`.checks`). Every step collects issues instead of raising, so one run
reports every mistake in a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from . import bundled, registry
from .build import Builder
from .checks import cross_check, valid_zone
from .errors import Issue, Location, ScenarioError, sort_issues
from .extends import compose, display_name, file_location, read_text, start_stack
from .model import Scenario, Window
from .yamlnodes import Map, Node, Scalar, describe

_DEFAULT_ZONE = Window.__dataclass_fields__["timezone"].default


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file, or a bundled scenario by name.

    Parameters
    ----------
    path : str or Path
        A YAML file, or the name of a bundled scenario (``"double11"``) when no such file
        exists.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        With every problem found, each located in the file (or the file it extends) where it
        was written. An unreadable file is a ``ScenarioError`` too.
    """
    located = _locate(path)
    if isinstance(located, Issue):
        raise ScenarioError([located])
    scenario, issues = _load_path(*located)
    if scenario is None:  # then there are issues to report
        raise ScenarioError(issues)
    return scenario


def load_scenario_text(text: str, filename: str = "<string>") -> Scenario:
    """Load and validate scenario YAML given as text.

    Parameters
    ----------
    text : str
        The YAML document.
    filename : str, optional
        Shown in issue locations; a relative ``extends`` is resolved from its folder (the
        working folder for ``"<string>"``).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        With every problem found.
    """
    scenario, issues = _load_text(text, filename, Path(filename).parent, start_stack(filename))
    if scenario is None:  # then there are issues to report
        raise ScenarioError(issues)
    return scenario


def check_files(paths: Iterable[str | Path]) -> list[Issue]:
    """Every problem in the given scenario files; an empty list when all are valid.

    A path that is not a file is looked up as a bundled scenario name. This function does not
    raise for anything wrong in or about the files (missing, unreadable, not YAML, invalid).

    Parameters
    ----------
    paths : iterable of str or Path

    Returns
    -------
    list of Issue
        In the order of ``paths``, then of position in each file.
    """
    issues: list[Issue] = []
    for raw in paths:
        located = _locate(raw)
        if isinstance(located, Issue):
            issues.append(located)
        else:
            issues.extend(_load_path(*located)[1])
    return issues


def _locate(raw: str | Path) -> tuple[Path, str] | Issue:
    """The file to read and the name its issues give, or why there is none."""
    path, filename = Path(raw), str(raw)
    if path.is_dir():
        return Issue(file_location(filename), "(file)", "expected a scenario file, found a folder")
    if path.is_file():
        return path, filename
    try:
        path = bundled.resolve(raw)
    except FileNotFoundError as exc:
        return Issue(file_location(filename), "(file)",
                     f"expected a scenario file, found {exc.args[0]}")
    return path, display_name(path)  # point at the bundled file, not at its name


def _load_path(path: Path, filename: str) -> tuple[Scenario | None, list[Issue]]:
    try:
        text = read_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return None, [Issue(file_location(filename), "(file)",
                            f"expected a readable UTF-8 file, found: {reason}")]
    return _load_text(text, filename, path.parent, start_stack(str(path)))


def _load_text(text: str, filename: str, base_dir: Path,
               stack: tuple[Path, ...]) -> tuple[Scenario | None, list[Issue]]:
    root, issues = compose(text, filename, base_dir, stack)
    if root is None:
        if not issues:
            issues.append(Issue(file_location(filename), "(top level)",
                                "expected a mapping of scenario keys, found an empty document"))
        return None, sort_issues(issues, filename)
    builder = Builder(_zone_of(root), root.loc, registry)
    scenario = builder.build_dataclass(Scenario, root, ())
    cross_check(scenario, builder.report)
    issues.extend(builder.issues)
    if issues or not isinstance(scenario, Scenario):
        return None, sort_issues(issues or [_internal(root)], filename)
    return scenario, []


def _zone_of(root: Node) -> tzinfo:
    """The zone naive timestamps are read in: ``window.timezone`` when valid (the builder needs
    it before it reaches the window, since promotions may come first in the file)."""
    window = root.entries.get("window") if isinstance(root, Map) else None
    if window is not None and isinstance(window.value, Map):
        tz = window.value.entries.get("timezone")
        if tz is not None and isinstance(tz.value, Scalar):
            zone = valid_zone(tz.value.value)
            if zone is not None:
                return zone
    return ZoneInfo(str(_DEFAULT_ZONE))


def _internal(root: Node) -> Issue:
    # Unreachable unless a check forgets to report: never return an invalid scenario silently.
    return Issue(Location(root.loc.file, 1, 1), "(top level)",
                 f"expected a valid scenario, found {describe(root)} that could not be built")
