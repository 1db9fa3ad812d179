"""What the page and the CLI say about a trace in words, from the trace alone: the words
the model never saw, and the pieces of its own translation it was unsure of."""

from __future__ import annotations

from models import Trace


def _listing(words: list[str]) -> str:
    shown = ", ".join(f"“{w}”" for w in words[:12])
    return shown + (f" and {len(words) - 12} more" if len(words) > 12 else "")


def unknown_word_notices(tr: Trace) -> list[str]:
    """Plain sentences naming the words the model never saw in training."""
    notes = []
    if tr.unknown_source_words:
        n = len(tr.unknown_source_words)
        notes.append(f"The model has never seen {_listing(tr.unknown_source_words)}: its "
                     f"translation of {'it' if n == 1 else 'them'} is a guess, and the "
                     "attention around "
                     f"{'it' if n == 1 else 'them'} shows a model out of its depth.")
    if tr.unknown_target_words:
        notes.append(f"Your target has words the model never produced in training: "
                     f"{_listing(tr.unknown_target_words)}; its predictions there are guesses.")
    return notes


# Below this, a greedy choice counts as unsure: on the typed sentences of
# models/data/natural.tsv, translations with such a step score about half the chrF of the
# rest (benchmarks/confidence.md).
UNSURE_PROB = 0.4


def unsure_steps(tr: Trace, threshold: float = UNSURE_PROB) -> list[tuple[int, str, float]]:
    """(position, piece, probability) of each piece of the model's own translation that it
    chose with probability below `threshold`, least likely first; [] for a typed target
    (the model did not choose those pieces). A text of several sentences is translated
    sentence by sentence, so where the traced pass (the whole text at once) would choose
    another piece, that piece was not this pass's choice, and is left out."""
    if not tr.target_from_model:
        return []
    steps = [(i, top[0].piece, top[0].prob) for i, top in enumerate(tr.predictions)
             if top and top[0].piece == tr.dec_output[i] and top[0].prob < threshold]
    return sorted(steps, key=lambda s: s[2])


def unsure_notice(tr: Trace, threshold: float = UNSURE_PROB) -> str | None:
    """A plain sentence when the model was unsure of its own translation, else None."""
    steps = unsure_steps(tr, threshold)
    if not steps:
        return None
    shown = ", ".join(f"“{p.replace('▁', ' ').strip() or p}” at position {i} "
                      f"({100 * prob:.1f}%)" for i, p, prob in steps[:5])
    return (f"The model is unsure of this translation: it chose {shown} with less than "
            f"{threshold:.0%} probability. On typed test sentences, translations with such a "
            "step scored about half as well as the rest; read it as a guess, and its "
            "attention as that of a model out of its depth.")
