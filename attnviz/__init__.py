"""attnviz: everything between the model and the screen.

Figures, export and the command line for attnviz's own models, and the wing that puts our
attention kernel under other people's models (`attnviz.backends`), public as
`attnviz.hf`, `attnviz.nn` and `attnviz.capture`.
"""

from __future__ import annotations

import importlib
from typing import Any

# name -> (module, attribute or None for the module itself), loaded on first use so that
# `import attnviz` stays light (no transformers, no plotly, no Triton).
_LAZY = {"hf": (".backends.hf", None), "nn": (".backends.nn", None),
         "capture": (".backends.capturing", "capture")}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'attnviz' has no attribute {name!r}")
    module_name, attr = _LAZY[name]
    module = importlib.import_module(module_name, __name__)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
