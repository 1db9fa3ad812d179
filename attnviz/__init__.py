"""attnviz: everything between the model and the screen.

Figures, export and the command line for attnviz's own models, and the backend that
puts our attention kernel under other people's models (`attnviz.hf`, `attnviz.nn`,
`attnviz.capture`).
"""


def __getattr__(name: str):
    # Imported lazily so that `import attnviz` stays light (no transformers, no plotly).
    if name == "capture":
        from .capturing import capture

        return capture
    raise AttributeError(f"module 'attnviz' has no attribute {name!r}")
