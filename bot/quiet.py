"""Library warnings that tell a Masar user or operator nothing they can act on.

Rasa 3.6 pulls in libraries (SQLAlchemy 1.4, matplotlib with a newer pyparsing, pkg_resources)
whose deprecation warnings scroll past on every start of `masar chat`, `ask`, `train` and
`serve`. Each filter below names the warning's category, the module that raises it and the start
of its message, so any other warning, from our code or a library, still shows.

Sanic (imported by Rasa) turns every DeprecationWarning back on at import time
(`filterwarnings("once", category=DeprecationWarning)`), and a filter added later wins. So
`install()` puts these filters in front once more right after Sanic is imported, wherever that
happens, without importing Sanic (or Rasa) in commands that never need it.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys
import warnings
from collections.abc import Callable
from types import ModuleType

# (message start, category, module raising it, why it is harmless here)
KNOWN: tuple[tuple[str, type[Warning], str], ...] = (
    # SQLAlchemy 1.4's notice that Rasa's tracker store and cache use 1.x APIs; the lock keeps 1.4.
    (r"Deprecated API features detected", DeprecationWarning, r"rasa\."),
    (r"Calling URL\(\) directly is deprecated", DeprecationWarning, r"rasa\."),
    # matplotlib (imported by Rasa, never used for plots here) and the packaging release Rasa
    # pins call pyparsing's old names.
    (r"'\w+' deprecated - use '\w+'", DeprecationWarning, r"(matplotlib|packaging)\."),
    # A legacy import hook in a Rasa dependency; Python 3.10 still supports it.
    (r"the load_module\(\) method is deprecated", DeprecationWarning, r"importlib\._bootstrap"),
    # python-telegram-bot's own rate limiter reads `retry_after` in the form v22 announces to change.
    (
        r"Deprecated since version v22\.2: In a future major version attribute `retry_after`",
        DeprecationWarning,
        r"telegram\.",
    ),
    # apscheduler and namespace packages (mpl_toolkits, ruamel) still use pkg_resources.
    (r"pkg_resources is deprecated as an API", DeprecationWarning, r"apscheduler"),
    (r"Deprecated call to `pkg_resources\.declare_namespace", DeprecationWarning, r"pkg_resources"),
)


def install() -> None:
    """Put the filters for the known warnings in front of all others, now and after Sanic loads.

    Rasa also draws tqdm progress bars while it trains unless its LOG_LEVEL is WARNING or ERROR;
    in a log file each redraw becomes a line. Masar reports training progress itself
    (bot.progress), so Rasa's bars are off unless LOG_LEVEL says otherwise.
    """
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    _filter()
    if "sanic" not in sys.modules and not any(isinstance(f, _AfterImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterImport("sanic", _filter))


def _filter() -> None:
    for message, category, module in KNOWN:
        warnings.filterwarnings("ignore", message=message, category=category, module=module)


class _AfterImport(importlib.abc.MetaPathFinder):
    """Runs `then()` right after the module `name` has been imported, once."""

    def __init__(self, name: str, then: Callable[[], None]) -> None:
        self.name, self.then = name, then

    def find_spec(self, fullname, path, target=None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)  # let the normal finders find it
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        exec_module, then = spec.loader.exec_module, self.then

        def exec_then(module: ModuleType) -> None:
            exec_module(module)
            then()

        spec.loader.exec_module = exec_then  # type: ignore[method-assign]  # this spec's loader only
        return spec
