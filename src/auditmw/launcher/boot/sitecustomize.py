"""Put first on PYTHONPATH by ``auditmw run``: start auditmw, then any other sitecustomize.

Whatever goes wrong here, the app still starts: the problem is told on stderr.
"""

import importlib.machinery
import importlib.util
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))

try:
    from auditmw.launcher.boot_hooks import boot

    boot()
except Exception as exc:  # auditmw must never keep the app from starting
    sys.stderr.write(f"auditmw: not auditing this process: {type(exc).__name__}: {exc}\n")


def _load_next_sitecustomize() -> None:
    """The sitecustomize we shadow (a virtualenv's or the distribution's), if any."""
    rest = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None or spec.origin == __file__:
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


_load_next_sitecustomize()
