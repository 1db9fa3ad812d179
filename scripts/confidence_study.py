"""How well the model's confidence in its own translation predicts its quality, on the
typed sentences of models/data/natural.tsv: the numbers behind `attnviz.notices.UNSURE_PROB`.

    .venv/bin/python scripts/confidence_study.py

For each model and sentence: the greedy translation's traced top-1 probabilities (the
probability of each piece it chose), their minimum, and the sentence chrF against the
reference. Prints, per threshold, how many translations have a piece chosen below it and
the mean sentence chrF of those and of the rest (markdown table).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import sacrebleu
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models import load_pretrained  # noqa: E402
from models.corpus import DATA_DIR  # noqa: E402
from models.evaluate import read_natural  # noqa: E402

THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6)


def main() -> int:
    torch.set_num_threads(2)
    rows = read_natural(DATA_DIR / "natural.tsv")
    print("| model | lowest chosen-piece probability | translations | mean sentence chrF "
          "of those | of the rest |")
    print("| --- | --- | --- | --- | --- |")
    for norm in ("post", "pre"):
        model = load_pretrained(norm)
        model.backend = "reference"  # the same choices as the kernel, in a fraction of the time
        lowest, chrf = [], []
        for src, ref in rows:
            tr = model.trace(src)
            lowest.append(min(top[0].prob for top in tr.predictions))
            chrf.append(sacrebleu.sentence_chrf(tr.target_text, [ref]).score)
        low, score = np.array(lowest), np.array(chrf)
        for t in THRESHOLDS:
            below = low < t
            print(f"| {norm} | < {t:.1f} | {below.sum()} of {len(rows)} | "
                  f"{score[below].mean():.1f} | {score[~below].mean():.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
