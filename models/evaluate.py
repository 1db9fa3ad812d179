"""Evaluate the shipped models on the held-out test split and on typed sentences.

For each model, on the generator's test split: exact match (spaces ignored), BLEU
(sacrebleu, tokenize="zh"), and the
alignment error rate (AER) of every cross-attention head against the gold alignments.
A head's alignment links each target word to its most-attended source word, after
summing piece-level attention into words (rows: the decoder positions whose output
piece belongs to the target word; the "input" convention instead uses the positions
that read the word, which some heads follow one step later). With S = P = gold links,
AER = 1 - 2|A ∩ S| / (|A| + |S|). Where training taught one head the gold alignments
(train.py --align-weight), that head is marked "guided" and the best unguided head is
reported too. On `data/natural.tsv` (sentences written by hand, as people type them,
with reference translations; none from the generator): corpus chrF and BLEU.

    python -m models.evaluate --json [--limit N] [--save models/checkpoints/evaluation.json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import sacrebleu
import torch

from .checkpoint import load_checkpoint, load_pretrained
from .corpus import DATA_DIR, Pair, read_split, split_path
from .grammar.surface import normalise
from .tokenizer import EOS_ID, PAD_ID, SOS_ID
from .transformer import Recorder, Seq2Seq, backend_label

CONVENTIONS = ("output", "input")


def _membership(word_ids: list[int], n_words: int) -> np.ndarray:
    """(n_words, n_pieces) 0/1 matrix: which pieces make up each word."""
    m = np.zeros((n_words, len(word_ids)), dtype=np.float32)
    for p, w in enumerate(word_ids):
        if w >= 0:
            m[w, p] = 1.0
    return m


@torch.no_grad()
def alignment_counts(model: Seq2Seq, pairs: list[Pair], backend: str, batch_size: int = 200
                     ) -> dict[str, np.ndarray]:
    """For each convention: (layers, heads + 1, 2) counts of [|A ∩ S|, |A| + |S|]; the last
    "head" is the layer average of the heads' maps."""
    tok = model.tokenizer
    if tok is None:
        raise ValueError("this model has no tokenizer attached")
    L, H = model.cfg.n_dec_layers, model.cfg.n_heads
    counts = {c: np.zeros((L, H + 1, 2)) for c in CONVENTIONS}
    model.eval()
    for k in range(0, len(pairs), batch_size):
        chunk = pairs[k:k + batch_size]
        enc = [tok.encode_with_words(normalise(p.src)) for p in chunk]
        dec = [tok.encode_with_words(p.tgt, words=p.tgt_words) for p in chunk]
        Ls = max(len(e[0]) for e in enc) + 1
        Lt = max(len(d[0]) for d in dec) + 1
        src = torch.full((len(chunk), Ls), PAD_ID, dtype=torch.long)
        dec_in = torch.full((len(chunk), Lt), PAD_ID, dtype=torch.long)
        for i, ((s_ids, _, _), (t_ids, _, _)) in enumerate(zip(enc, dec, strict=True)):
            src[i, :len(s_ids) + 1] = torch.tensor(s_ids + [EOS_ID])
            dec_in[i, :len(t_ids) + 1] = torch.tensor([SOS_ID] + t_ids)
        rec = Recorder()
        model(src.to(model.device), dec_in.to(model.device), backend, True, rec)
        cross = torch.stack(rec.maps["cross"], dim=1).float().cpu().numpy()  # (B, L, H, Lt, Ls)
        cross = np.concatenate([cross, cross.mean(axis=2, keepdims=True)], axis=2)
        for i, p in enumerate(chunk):
            s_ids, s_wids, s_words = enc[i]
            t_ids, t_wids, _ = dec[i]
            ns, nt, ls, lt = len(s_words), len(p.tgt_words), len(s_ids), len(t_ids)
            gold = set(p.alignment)
            src_m = _membership(s_wids, ns).T                       # (ls, ns); <eos> dropped
            tgt_m = _membership(t_wids, nt)                          # (nt, lt)
            a = cross[i, :, :, :lt + 1, :ls]
            for conv in CONVENTIONS:
                # "output": position t predicts target piece t; "input": position t + 1
                # reads target piece t.
                q = a[:, :, :lt, :] if conv == "output" else a[:, :, 1:lt + 1, :]
                best = (tgt_m @ q @ src_m).argmax(-1)                  # (L, H+1, nt)
                hit = np.zeros(best.shape[:2])
                for si, tj in gold:
                    hit += best[:, :, tj] == si
                counts[conv][:, :, 0] += hit
                counts[conv][:, :, 1] += nt + len(gold)
    return counts


def evaluate_model(model: Seq2Seq, pairs: list[Pair], backend: str, batch_size: int = 250
                   ) -> dict:
    t0 = time.time()
    hyps: list[str] = []
    for k in range(0, len(pairs), batch_size):
        hyps += model.translate_batch([p.src for p in pairs[k:k + batch_size]], backend)
    refs = [p.tgt for p in pairs]
    exact = float(np.mean([h.replace(" ", "") == r.replace(" ", "")
                           for h, r in zip(hyps, refs, strict=True)]))
    bleu = sacrebleu.corpus_bleu(hyps, [refs], tokenize="zh").score
    counts = alignment_counts(model, pairs, backend)
    layer_avg: dict[str, list[float]] = {}
    H = model.cfg.n_heads
    # A head trained on gold alignments (train.py --align-weight) is reported, and the best
    # of the heads that learned to align on their own is reported beside it.
    guided = (model.config.get("training") or {}).get("guided_alignment")
    guided_head = (guided["layer"], guided["head"]) if guided else None
    best: dict | None = None
    best_free: dict | None = None
    for conv, c in counts.items():
        aer = 1.0 - 2.0 * c[..., 0] / c[..., 1]
        layer_avg[conv] = [round(float(x), 4) for x in aer[:, H]]
        for layer in range(aer.shape[0]):
            for head in range(H):
                cand = {"aer": round(float(aer[layer, head]), 4), "layer": layer, "head": head,
                        "query": conv, "guided": (layer, head) == guided_head}
                if best is None or cand["aer"] < best["aer"]:
                    best = cand
                if not cand["guided"] and (best_free is None or cand["aer"] < best_free["aer"]):
                    best_free = cand
    assert best is not None
    failures = [{"src": p.src, "ref": p.tgt, "hyp": h}
                for p, h in zip(pairs, hyps, strict=True) if h.replace(" ", "") != p.tgt][:5]
    return {
        "n": len(pairs), "exact_match": round(exact, 4), "bleu": round(bleu, 2),
        "best_head_aer": best, "best_unguided_head_aer": best_free, "layer_avg_aer": layer_avg,
        "guided_alignment": guided,
        "love": model.translate("I love you", backend),
        "backend": backend_label(backend, model.device),
        "decoding": "greedy, sentence by sentence, batched, key/value cache",
        "seconds": round(time.time() - t0, 1), "examples_wrong": failures,
    }


def read_natural(path: Path | str) -> list[tuple[str, str]]:
    """(English, reference Chinese) pairs from a two-column TSV."""
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        cols = line.split("\t")
        if len(cols) != 2:
            raise ValueError(f"{path}:{n}: expected 2 tab-separated columns, got {len(cols)}")
        rows.append((cols[0], cols[1]))
    return rows


def evaluate_natural(model: Seq2Seq, rows: list[tuple[str, str]], backend: str,
                     batch_size: int = 250, seen: set[str] | None = None) -> dict:
    """chrF and BLEU of greedy translations of typed sentences against references; with
    `seen` (the training sources, normalised), also how many of the sentences training
    contained word for word, and the scores on the rest."""
    t0 = time.time()
    hyps: list[str] = []
    for k in range(0, len(rows), batch_size):
        hyps += model.translate_batch([src for src, _ in rows[k:k + batch_size]], backend)
    refs = [ref for _, ref in rows]
    sentence_chrf = [sacrebleu.sentence_chrf(h, [r]).score for h, r in zip(hyps, refs,
                                                                              strict=True)]
    out: dict = {}
    if seen is not None:
        unseen = [i for i, (src, _) in enumerate(rows) if normalise(src) not in seen]
        u_hyps, u_refs = [hyps[i] for i in unseen], [refs[i] for i in unseen]
        out = {"in_training": len(rows) - len(unseen), "unseen": {"n": len(unseen)} | ({
            "chrf": round(sacrebleu.corpus_chrf(u_hyps, [u_refs]).score, 2),
            "bleu": round(sacrebleu.corpus_bleu(u_hyps, [u_refs], tokenize="zh").score, 2),
        } if unseen else {})}
    return out | {
        "n": len(rows),
        "chrf": round(sacrebleu.corpus_chrf(hyps, [refs]).score, 2),
        "bleu": round(sacrebleu.corpus_bleu(hyps, [refs], tokenize="zh").score, 2),
        "share_sentence_chrf_ge_50": round(float(np.mean([c >= 50 for c in sentence_chrf])), 3),
        "seconds": round(time.time() - t0, 1),
        "translations": [{"src": s, "ref": r, "hyp": h, "chrf": round(c, 1)}
                         for (s, r), h, c in zip(rows, hyps, sentence_chrf, strict=True)],
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Evaluate the post-LN and pre-LN models.")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--limit", type=int, default=0, help="first N test pairs only")
    ap.add_argument("--backend", choices=("triton", "reference"), default="reference",
                    help="reference is the fast choice on CPU (Triton runs interpreted)")
    ap.add_argument("--data", default=str(DATA_DIR))
    ap.add_argument("--split", default="test")
    ap.add_argument("--natural", default=str(DATA_DIR / "natural.tsv"),
                    help="typed sentences with references (two columns); '' to skip")
    ap.add_argument("--natural-limit", type=int, default=0, help="first N natural rows only")
    ap.add_argument("--checkpoint", action="append", default=[],
                    help="NAME=FOLDER to evaluate instead of the shipped post/pre")
    ap.add_argument("--save", default="", help="also write the JSON here")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    pairs = read_split(args.split, args.data)
    if args.limit:
        pairs = pairs[:args.limit]
    if args.checkpoint:
        models = {n: load_checkpoint(p) for n, p in (c.split("=", 1) for c in args.checkpoint)}
    else:
        models = {n: load_pretrained(n) for n in ("post", "pre")}
    natural = read_natural(args.natural) if args.natural else []
    if args.natural_limit:
        natural = natural[:args.natural_limit]
    # Where the training split is present (it is regenerated, not shipped), say how many
    # typed sentences it contains word for word.
    seen = None
    if natural and split_path(Path(args.data), "train").exists():
        seen = {normalise(p.src) for p in read_split("train", args.data)}
    result = {}
    for name, m in models.items():
        result[name] = evaluate_model(m, pairs, args.backend)
        if natural:
            result[name]["natural"] = evaluate_natural(m, natural, args.backend, seen=seen)
    text = json.dumps(result, indent=None if args.json else 2, ensure_ascii=False)
    print(text)
    if args.save:
        Path(args.save).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
