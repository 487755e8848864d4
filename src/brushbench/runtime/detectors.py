"""Find a detector from what a user types: a module, ``module:attr``, a file or an entry point.

Targets
-------
``mymodule`` / ``pkg.mod``
    A module path, imported like ``python -m`` would: the current folder first, then
    ``sys.path``.
``pkg.mod:Attr``
    An attribute of a module: a detector class or a score function.
``path/to/file.py`` / ``path/to/file.py:Attr``
    A Python file, loaded under a private module name (its folder is added to the end of
    ``sys.path`` so that it can import its neighbours, as when running it as a script).
``name``
    An installed detector: an entry point of the group ``brushbench.detectors`` (a module path
    is tried first; an entry point is used when no module of that name exists). A package
    declares one in its ``pyproject.toml``::

        [project.entry-points."brushbench.detectors"]
        my_detector = "my_package.detector:MyDetector"

What makes a detector
---------------------
- **Function form**: a module with a ``score(data)`` function (or ``mod:func`` naming any
  function of one argument).
- **Class form**: a class with ``score(data)`` and optionally ``fit(train)``,
  ``predict(data)`` and ``score_stream(batches)``. In a module without a ``score`` function,
  the one class defined there that has ``score`` (or ``score_stream``) is used; with several,
  name one with ``mod:Class``. As in scikit-learn, the constructor only stores parameters and
  is called with no arguments (give every parameter a default); ``fit`` trains and returns
  ``self`` (the harness keeps using the instance it built, whatever ``fit`` returns).

See :mod:`brushbench.runtime` for what the methods receive and return.

Loading imports the module (running its top-level code) but does not build or run the
detector.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import keyword
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

#: The entry-point group installed detectors register under.
ENTRY_POINT_GROUP = "brushbench.detectors"


class DetectorLoadError(Exception):
    """A target cannot be turned into a detector.

    The message is one line: the target, what was tried and why it failed.
    """


@dataclass(frozen=True)
class DetectorSpec:
    """A loaded detector target: what it is and how to build it (nothing is built yet).

    Attributes
    ----------
    target : str
        What the user typed.
    kind : {"function", "class"}
        Function form (``score(data)``) or class form.
    name : str
        Display name: the class name, the module's last component for the function form,
        or the entry point's name.
    module : str
        Name of the module that defines the detector (private name for a file target).
    attr : str or None
        Attribute of that module (the class or function), None for a module's ``score``.
    source : {"module", "file", "entry_point"}
        How the target was resolved.
    file : str or None
        Absolute path of the file that defines the detector, when there is one.
    file_sha256 : str or None
        SHA-256 of that file's bytes, to tell versions of a detector apart in results.
    version : str or None
        The module's ``__version__`` or the installing distribution's version.
    has_fit, has_score, has_predict, has_score_stream : bool
        The methods the detector offers (the function form only has ``score``).
    """

    target: str
    kind: Literal["function", "class"]
    name: str
    module: str
    attr: str | None
    source: Literal["module", "file", "entry_point"]
    file: str | None = None
    file_sha256: str | None = None
    version: str | None = None
    has_fit: bool = False
    has_score: bool = True
    has_predict: bool = False
    has_score_stream: bool = False
    obj: Any = field(default=None, repr=False, compare=False)

    def build(self) -> Any:
        """A fresh detector instance (the class called with no arguments, or a wrapper of the
        score function, so both forms have a ``score`` method)."""
        if self.kind == "function":
            return FunctionDetector(self.obj)
        return self.obj()

    def identity(self) -> dict[str, Any]:
        """The JSON-able description stored with results."""
        return {"target": self.target, "name": self.name, "kind": self.kind,
                "module": self.module, "attr": self.attr, "source": self.source,
                "file": self.file, "file_sha256": self.file_sha256, "version": self.version}


class FunctionDetector:
    """The function form as an object: ``score`` calls the module's function."""

    def __init__(self, function: Callable[[Any], Any]):
        self.function = function

    def score(self, data: Any) -> Any:
        return self.function(data)


def load_detector(target: str) -> DetectorSpec:
    """Resolve a target (module, ``module:attr``, file path or entry point) to a detector.

    Parameters
    ----------
    target : str
        See the module docs for the accepted forms.

    Returns
    -------
    DetectorSpec

    Raises
    ------
    DetectorLoadError
        With a one-line reason: no such module or file, no such attribute, an import that
        failed (with the exception and its line), nothing that looks like a detector, a
        class whose constructor needs arguments.
    """
    target = target.strip()
    if not target:
        raise DetectorLoadError("empty detector target: give a module, module:attr, a .py "
                                "file or an installed detector's name")
    path_part, attr = _split_attr(target)
    if _looks_like_file(path_part):
        module, name_hint = _load_file(target, path_part), Path(path_part).stem
        return _spec(target, module, attr, source="file", name_hint=name_hint)
    if not _is_dotted_name(path_part):
        return _from_entry_point(target, path_part, attr, reason="not a module path")
    imported = _import_module(target, path_part, fallback_to_entry_point=attr is None)
    if imported is None:
        return _from_entry_point(target, path_part, attr,
                                 reason=f"no module named {path_part!r}")
    return _spec(target, imported, attr, source="module",
                 name_hint=path_part.rsplit(".", 1)[-1])


def installed_detectors() -> dict[str, str]:
    """Installed detectors: entry point name -> its value (``module:attr``)."""
    return {ep.name: ep.value for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}


# ---------------------------------------------------------------------------------------------
# resolving


def _split_attr(target: str) -> tuple[str, str | None]:
    head, sep, tail = target.rpartition(":")
    # "C:\\x.py" or "C:/x.py": a drive letter, not an attribute.
    if sep and head and all(_is_identifier(p) for p in tail.split(".")):
        return head, tail
    return target, None


def _looks_like_file(text: str) -> bool:
    return text.endswith(".py") or "/" in text or os.sep in text or (
        os.altsep is not None and os.altsep in text)


def _is_identifier(text: str) -> bool:
    return text.isidentifier() and not keyword.iskeyword(text)


def _is_dotted_name(text: str) -> bool:
    return all(_is_identifier(p) for p in text.split("."))


@contextmanager
def _cwd_on_path() -> Iterator[None]:
    # `brushbench eval mymodule` must find ./mymodule.py like `python -m` would, although the
    # console script's sys.path does not hold the current folder.
    cwd = os.getcwd()
    added = cwd not in sys.path and "" not in sys.path
    if added:
        sys.path.insert(0, cwd)
    try:
        yield
    finally:
        if added and cwd in sys.path:
            sys.path.remove(cwd)


def _import_module(target: str, name: str, *, fallback_to_entry_point: bool
                   ) -> ModuleType | None:
    """The imported module; None when it does not exist (so an entry point may be tried)."""
    with _cwd_on_path():
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError as exc:
            missing = exc.name or ""
            if missing and (name == missing or name.startswith(missing + ".")):
                if fallback_to_entry_point:
                    return None
                raise DetectorLoadError(f"{target}: no module named {missing!r}") from None
            raise DetectorLoadError(f"{target}: importing {name!r} failed: "
                                    f"{_exception_line(exc)}") from None
        except (Exception, SystemExit) as exc:
            raise DetectorLoadError(f"{target}: importing {name!r} failed: "
                                    f"{_exception_line(exc)}") from None


def _load_file(target: str, file: str) -> ModuleType:
    path = Path(file).expanduser()
    if not path.exists():
        raise DetectorLoadError(f"{target}: file not found ({path.absolute()})")
    if path.is_dir():
        raise DetectorLoadError(f"{target}: is a folder; give a .py file, or the package as a "
                                "module path")
    if path.suffix != ".py":
        raise DetectorLoadError(f"{target}: not a Python file (expected a .py file)")
    path = path.resolve()
    source = path.read_bytes()
    # A private, content-keyed name: a file called random.py must not replace the standard
    # module, and an edited file is loaded afresh rather than served from sys.modules.
    stem = "".join(c if c.isalnum() else "_" for c in path.stem)
    digest = hashlib.sha256(str(path).encode() + b"\0" + source).hexdigest()[:12]
    name = f"_brushbench_detector_{stem}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise DetectorLoadError(f"{target}: cannot load {path} as a Python module")
    module = importlib.util.module_from_spec(spec)
    # Registered before running it: dataclasses and pickling look classes up by module name.
    sys.modules[name] = module
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.append(folder)
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:
        del sys.modules[name]
        raise DetectorLoadError(f"{target}: running {path.name} failed: "
                                f"{_exception_line(exc)}") from None
    return module


def _from_entry_point(target: str, name: str, attr: str | None, *, reason: str
                      ) -> DetectorSpec:
    points = [ep for ep in metadata.entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
    if attr is not None or not points:
        names = sorted(installed_detectors())
        have = (f"installed: {', '.join(names)}" if names else "none installed")
        raise DetectorLoadError(f"{target}: {reason}, and no installed detector of that name "
                                f"(entry point group {ENTRY_POINT_GROUP!r}: {have})")
    point = points[0]
    try:
        obj = point.load()
    except (Exception, SystemExit) as exc:
        raise DetectorLoadError(f"{target}: loading entry point {name} = {point.value!r} "
                                f"failed: {_exception_line(exc)}") from None
    dist = getattr(point, "dist", None)
    version = getattr(dist, "version", None)
    module_name, _, point_attr = point.value.partition(":")
    module = sys.modules.get(module_name.strip()) or inspect.getmodule(obj)
    if isinstance(obj, ModuleType):
        module, obj_attr = obj, None
    else:
        obj_attr = point_attr.strip() or None
    if module is None:
        raise DetectorLoadError(f"{target}: entry point {point.value!r} gave {obj!r}, "
                                "whose module cannot be found")
    spec = _spec(target, module, obj_attr, source="entry_point", name_hint=name)
    # The registered name is how users call it; keep it as the display name.
    return DetectorSpec(**{**_fields(spec), "name": name,
                           "version": spec.version or version})


def _spec(target: str, module: ModuleType, attr: str | None, *, source: str,
          name_hint: str) -> DetectorSpec:
    common = {"target": target, "module": module.__name__, "source": source,
              **_file_identity(module)}
    if attr is not None:
        obj: Any = module
        for part in attr.split("."):
            if not hasattr(obj, part):
                where = module.__name__ if source != "file" else Path(common["file"]).name
                raise DetectorLoadError(f"{target}: module {where!r} has no attribute "
                                        f"{attr!r}")
            obj = getattr(obj, part)
        if inspect.isclass(obj):
            return _class_spec(target, obj, attr, common)
        if inspect.isroutine(obj):
            _check_function(target, obj, attr)
            name = name_hint if attr == "score" else attr
            return DetectorSpec(kind="function", name=name, attr=attr, obj=obj, **common)
        if any(callable(getattr(obj, m, None)) for m in ("score", "score_stream")):
            raise DetectorLoadError(f"{target}: {attr!r} is an instance of "
                                    f"{type(obj).__name__}, not a class; point at the class "
                                    "(it is built with no arguments)")
        raise DetectorLoadError(f"{target}: {attr!r} is a {type(obj).__name__}, neither a "
                                "detector class nor a score function")
    function = getattr(module, "score", None)
    if callable(function) and not inspect.isclass(function):
        _check_function(target, function, "score")
        return DetectorSpec(kind="function", name=name_hint, attr=None, obj=function, **common)
    classes = [obj for _, obj in inspect.getmembers(module, inspect.isclass)
               if obj.__module__ == module.__name__ and _has_method(obj, "score", "score_stream")]
    if len(classes) > 1:
        names = ", ".join(c.__name__ for c in classes)
        raise DetectorLoadError(f"{target}: module defines several detector classes ({names}); "
                                f"name one, e.g. {target}:{classes[0].__name__}")
    if not classes:
        raise DetectorLoadError(f"{target}: module defines neither score() nor a detector "
                                "class (a class with a score method)")
    return _class_spec(target, classes[0], classes[0].__name__, common)


def _class_spec(target: str, cls: type, attr: str, common: dict[str, Any]) -> DetectorSpec:
    if not _has_method(cls, "score", "score_stream"):
        raise DetectorLoadError(f"{target}: class {cls.__name__} has no score() method")
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):  # some extension types have none: building will tell
        signature = None
    if signature is not None:
        required = [p.name for p in signature.parameters.values()
                    if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY,
                                                           p.POSITIONAL_OR_KEYWORD,
                                                           p.KEYWORD_ONLY)]
        if required:
            raise DetectorLoadError(f"{target}: {cls.__name__}() needs argument(s) "
                                    f"{', '.join(required)}, but detectors are built with "
                                    "none: give every parameter a default")
    version = common.pop("version", None) or getattr(cls, "__version__", None)
    return DetectorSpec(kind="class", name=cls.__name__, attr=attr, obj=cls,
                        version=None if version is None else str(version),
                        has_fit=_has_method(cls, "fit"), has_score=_has_method(cls, "score"),
                        has_predict=_has_method(cls, "predict"),
                        has_score_stream=_has_method(cls, "score_stream"), **common)


def _check_function(target: str, function: Callable[..., Any], name: str) -> None:
    try:
        inspect.signature(function).bind(None)
    except TypeError:
        raise DetectorLoadError(f"{target}: {name}{inspect.signature(function)} must take one "
                                "argument, the dataset") from None
    except ValueError:  # builtins without a signature: calling will tell
        pass


def _has_method(cls: type, *names: str) -> bool:
    return any(callable(getattr(cls, n, None)) for n in names)


def _file_identity(module: ModuleType) -> dict[str, Any]:
    file = getattr(module, "__file__", None)
    identity: dict[str, Any] = {"file": None, "file_sha256": None, "version": None}
    if file and os.path.isfile(file):
        identity["file"] = str(Path(file).resolve())
        identity["file_sha256"] = hashlib.sha256(Path(file).read_bytes()).hexdigest()
    version = getattr(module, "__version__", None)
    if version is not None:
        identity["version"] = str(version)
    return identity


def _fields(spec: DetectorSpec) -> dict[str, Any]:
    return {name: getattr(spec, name) for name in spec.__dataclass_fields__}


def _exception_line(exc: BaseException) -> str:
    """``Type: message (file:line)`` for the innermost frame of ``exc``."""
    text = str(exc).strip().splitlines()
    line = f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"{line} ({Path(exc.filename).name}:{exc.lineno})"
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is not None:
        line += f" ({Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno})"
    return line
