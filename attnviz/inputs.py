"""What a person types, made safe to trace, and the URL's query parameters.

No Streamlit here: the app and the CLI clean inputs the same way.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from models.grammar.surface import normalise, symbols_in
from models.tokenizer import is_cjk

# Far more than the model's 64 tokens; the cut keeps tokenising cheap for hostile input,
# and the model then truncates to its own limit (and says so in Trace.notices).
MAX_CHARS = 400
NORMS = ("post", "pre", "both")
ABLATE_URL = "ablate-url"   # the session key of a URL's heads to switch off, until applied
DEFAULTS = {"src": "She bought three red apples at the market yesterday.", "tgt": "",
            "norm": "post", "causal": True}


@dataclass
class CleanInput:
    src: str
    tgt: str | None                  # None: use the model's own greedy translation
    notices: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.src)


def _clean(text: str, what: str, notices: list[str]) -> str:
    text = text if isinstance(text, str) else ""
    # Control and format characters (NUL, bidi overrides, zero-width) are invisible and
    # can reorder what is shown; drop them, keep every printable character (emoji, RTL).
    kept = "".join(ch for ch in text if ch in " \t\n" or unicodedata.category(ch)[0] != "C")
    if len(kept) != len(text):
        notices.append(f"{what}: {len(text) - len(kept)} invisible control character(s) removed")
    kept = " ".join(kept.split())
    if len(kept) > MAX_CHARS:
        notices.append(f"{what} was {len(kept):,} characters long; only the first {MAX_CHARS} "
                       "are used")
        kept = kept[:MAX_CHARS].rstrip()
    return kept


def clean_input(src: str, tgt: str | None) -> CleanInput:
    """Collapse whitespace, drop control characters, cap the length; an empty target
    means "let the model translate"."""
    notices: list[str] = []
    s = _clean(src, "source", notices)
    t = _clean(tgt or "", "target", notices)
    symbols = symbols_in(s)
    if symbols:
        notices.append(f"the model leaves out {' '.join(symbols)}: it never saw emoji or "
                       "pictographs in training")
    if s and not normalise(s):
        s = ""  # nothing left for the model to read: no maps, the notice says why
    elif s and not any(ch.isalnum() for ch in s):
        notices.append("the source has no letters or digits: the model knows English "
                       "sentences only, so what it makes of this is a guess")
    elif any(is_cjk(ch) for ch in s) and not any(ch.isascii() and ch.isalpha() for ch in s):
        notices.append("the source looks like Chinese: the model reads English and writes "
                       "Chinese, so type English here (Chinese belongs in the target box)")
    if t and not any(is_cjk(ch) for ch in t) and any(ch.isalpha() for ch in t):
        notices.append("the target has no Chinese characters: the model writes Chinese, so "
                       "these maps show it reading a target it would never write; type a "
                       "Chinese translation, or leave the target empty for the model's own")
    return CleanInput(s, t or None, notices)


def from_query(params: Mapping[str, str]) -> dict:
    """Inputs from URL query parameters; unknown or malformed values fall back to defaults."""
    out = dict(DEFAULTS)
    if "src" in params:
        out["src"] = str(params["src"])[: MAX_CHARS * 4]
    if "tgt" in params:
        out["tgt"] = str(params["tgt"])[: MAX_CHARS * 4]
    if params.get("norm") in NORMS:
        out["norm"] = params["norm"]
    if params.get("causal") in ("0", "1"):
        out["causal"] = params["causal"] == "1"
    if params.get("ablate"):
        # Heads switched off, as the CLI spells them ("cross:2:1,enc:0:*"); checked against
        # the model's size where the Head ablation tab reads them.
        out[ABLATE_URL] = str(params["ablate"])[:MAX_CHARS]
    return out


def to_query(src: str, tgt: str, norm: str, causal: bool, ablate: str = "") -> dict[str, str]:
    """Query parameters that reproduce the inputs (empty target and ablation left out)."""
    q = {"src": src, "norm": norm, "causal": "1" if causal else "0"}
    if tgt:
        q["tgt"] = tgt
    if ablate:
        q["ablate"] = ablate
    return q
