"""Names a package exports but imports on first use (PEP 562), so that importing it is cheap.

A package lists where each name lives and takes the two module hooks from here::

    _HOME = {"Dataset": "brushbench.dataset.dataset",         # the attribute of that name
             "compare": "brushbench.results.compare:compare_results",   # another attribute
             "formats": "brushbench.dataset.formats:"}         # the module itself
    __getattr__, __dir__ = lazy_exports(__name__, _HOME)

A name is looked up once: its value is then stored in the package, and Python no longer asks.
Type checkers see the names through imports under ``if TYPE_CHECKING:`` in the package.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, homes: Mapping[str, str]
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, whose names ``homes`` locates."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module_name, colon, attr = home.partition(":")
        module = importlib.import_module(module_name)
        value = module if colon and not attr else getattr(module, attr or name)
        vars(sys.modules[package])[name] = value  # later lookups do not come back here
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *homes})

    return __getattr__, __dir__
