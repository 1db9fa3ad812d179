"""The corpus' gold word alignment of a source sentence, for the traces.

Only the shipped held-out splits (validation and test) are searched: the training split
is regenerated where training needs it.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

from .corpus import DATA_DIR, Pair, split_path
from .trace import GoldAlignment

SPLITS = ("valid", "test")


@lru_cache(maxsize=4)
def _corpus_index(data_dir: str) -> dict[str, str]:
    """Source sentence -> its TSV line, over every split (first occurrence wins).
    Only the source column is split here: parsing every alignment up front would cost
    time that a lookup of one sentence never needs."""
    index: dict[str, str] = {}
    for split in SPLITS:
        path = split_path(Path(data_dir), split)
        if not path.exists():
            continue
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as f:
            for line in f:
                index.setdefault(line.split("\t", 1)[0], line)
    return index


def find_gold(*sources: str, data_dir: Path | str = DATA_DIR) -> GoldAlignment | None:
    """The corpus pair whose source is exactly one of `sources` (whitespace collapsed;
    the first found wins), or None."""
    index = _corpus_index(str(data_dir))
    for src in sources:
        line = index.get(" ".join(src.split()))
        if line is None:
            continue
        try:
            pair = Pair.from_line(line)
        except ValueError:  # a malformed line in a user's corpus: no gold alignment
            return None
        return GoldAlignment(pair.src, pair.tgt, tuple(pair.tgt_words),
                             tuple((int(a), int(b)) for a, b in pair.alignment))
    return None
