"""`models.evaluate` on a small subset: the numbers it reports are the ones it computes."""

from __future__ import annotations

import json

import sacrebleu

from models import evaluate
from models.corpus import DATA_DIR


def test_evaluate_subset_reports_test_and_natural(tmp_path, capsys):
    out = tmp_path / "eval.json"
    evaluate.main(["--json", "--limit", "12", "--natural-limit", "8", "--save", str(out)])
    printed = json.loads(capsys.readouterr().out)
    saved = json.loads(out.read_text())
    assert printed == saved
    rows = evaluate.read_natural(DATA_DIR / "natural.tsv")[:8]
    for name in ("post", "pre"):
        r = saved[name]
        assert r["n"] == 12 and 0.0 <= r["exact_match"] <= 1.0
        assert 0.0 <= r["best_unguided_head_aer"]["aer"] <= 1.0
        assert not r["best_unguided_head_aer"]["guided"]
        nat = r["natural"]
        assert nat["n"] == 8 and [t["src"] for t in nat["translations"]] == [s for s, _ in rows]
        hyps = [t["hyp"] for t in nat["translations"]]
        refs = [ref for _, ref in rows]
        assert abs(nat["chrf"] - sacrebleu.corpus_chrf(hyps, [refs]).score) < 0.01
        assert all(h for h in hyps)


def test_read_natural_rejects_malformed_lines(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("I love you.\t我爱你。\nno tab here\n", encoding="utf-8")
    try:
        evaluate.read_natural(bad)
    except ValueError as e:
        assert "bad.tsv:2" in str(e)
    else:
        raise AssertionError("a malformed line was accepted")
