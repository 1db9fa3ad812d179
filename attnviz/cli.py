"""`python -m attnviz export ...`: the app's figures and raw maps, written to a folder.

    python -m attnviz export --src "I love you" --norm both --format svg --out out/
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kernels import configure

from .inputs import clean_input
from .labels import NORM_LABELS, file_stem


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m attnviz",
                                 description="See the attention inside attnviz's models.")
    sub = ap.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("export", help="write every heatmap, grid and the raw maps to a folder")
    ex.add_argument("--src", required=True, help="English source sentence")
    ex.add_argument("--tgt", default=None,
                    help="Chinese target (default: the model's own greedy translation)")
    ex.add_argument("--norm", choices=("post", "pre", "both"), default="post",
                    help="norm placement of the model (default: post)")
    ex.add_argument("--no-causal", action="store_true",
                    help="turn the decoder self-attention's causal mask off")
    ex.add_argument("--format", choices=("png", "svg", "pdf"), default="png",
                    help="image format (default: png)")
    ex.add_argument("--layer", type=int, default=0, help="layer of the single-map images")
    ex.add_argument("--head", type=int, default=None,
                    help="head of the single-map images (default: mean over heads)")
    ex.add_argument("--neuron", action="append", default=[], metavar="KIND:LAYER:HEAD:ROW",
                    help="also write one score row's neuron view as JSON (query, keys, scale, "
                         "scores, probs); KIND is enc, self or cross; may be repeated")
    ex.add_argument("--ablate", action="append", default=[], metavar="KIND:LAYER:HEAD",
                    help="switch a head off (its output zeroed before the output projection) "
                         "for the translation, maps and figures; KIND is enc, self or cross, "
                         "HEAD a number or * for every head of the layer; may be repeated")
    ex.add_argument("--importance", action="store_true",
                    help="also write each head's importance (the drop in the target's "
                         "log-probability when it alone is switched off) as JSON and figures")
    ex.add_argument("--out", required=True, type=Path, help="output folder")
    return ap


def export(args: argparse.Namespace, ap: argparse.ArgumentParser) -> int:
    # Heavy imports (torch, triton, plotly) only once the arguments are known to be good.
    from . import ablation, neuron, notices, pipeline, trace_views
    from . import export as ex

    try:
        neurons = [neuron.parse_spec(spec) for spec in args.neuron]
    except ValueError as e:
        ap.error(str(e))
    cleaned = clean_input(args.src, args.tgt)
    for note in cleaned.notices:
        print(f"note: {note}", file=sys.stderr)
    if not cleaned.ok:
        ap.error("--src has nothing to read: give an English sentence")
    written: list[Path] = []
    for norm in pipeline.norms_of(args.norm):
        try:
            model = pipeline.load_model(norm)
        except pipeline.ModelUnavailable as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
        card = model.card()
        n_layers, n_heads = card.n_layers, card.n_heads
        if not 0 <= args.layer < n_layers:
            ap.error(f"--layer must be in 0..{n_layers - 1}")
        if args.head is not None and not 0 <= args.head < n_heads:
            ap.error(f"--head must be in 0..{n_heads - 1}")
        try:
            heads = [h for spec in args.ablate
                     for h in ablation.parse_spec(spec, n_layers, n_heads)]
        except ValueError as e:
            ap.error(str(e))
        tr = pipeline.trace(model, cleaned.src, cleaned.tgt, not args.no_causal, ablate=heads)
        unsure = notices.unsure_notice(tr)
        for note in tr.notices + notices.unknown_word_notices(tr) + ([unsure] if unsure else []):
            print(f"note: {note}", file=sys.stderr)
        try:  # before any file is written
            views = [neuron.score_row(tr, *spec) for spec in neurons]
        except ValueError as e:
            ap.error(f"--neuron: {e}")
        prefix = f"{NORM_LABELS[norm]} · "
        # An ablated model's files say so in their names and titles: never mistaken for,
        # or written over, the intact model's.
        tag = ("ablated",) if tr.ablated_heads else ()
        if tr.ablated_heads:
            prefix += f"switched off: {ablation.describe(tr.ablated_heads)} · "
        figs = {file_stem(norm, tr.causal, *tag, k): f
                for k, f in trace_views.all_figures(tr, prefix, args.layer, args.head).items()}
        if args.importance:  # of the intact model's heads, each alone (ablated ones marked)
            imp = pipeline.head_importance(model, cleaned.src, tr.target_text, tr.causal)
            figs |= {file_stem(norm, tr.causal, "importance", kind): trace_views.importance_figure(
                imp, kind, tr.ablated_heads, f"{NORM_LABELS[norm]} · head importance · ")
                for kind in imp.drop}
        try:
            written += ex.write_figures(figs, args.out, args.format)
        except ex.ExportUnavailable as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
        written += ex.write_maps(tr, args.out, file_stem(norm, tr.causal, *tag, "maps"))
        if args.importance:
            written.append(ex.write_json(ex.importance_json(imp), args.out,
                                         file_stem(norm, tr.causal, "importance")))
        for (kind, layer, head, row), view in zip(neurons, views, strict=True):
            stem = file_stem(norm, tr.causal, *tag, "neuron", kind, f"L{layer}", f"h{head}",
                             f"row{row}")
            written.append(ex.write_json(neuron.to_json(tr, view), args.out, stem))
        off = f"; switched off: {ablation.describe(tr.ablated_heads)}" if tr.ablated_heads else ""
        print(f"{NORM_LABELS[norm]}: target {'(model) ' if tr.target_from_model else ''}"
              f"{tr.target_text!r}; maps by {tr.backend}{off}")
    for path in written:
        print(path)
    return 0


def main(argv: list[str] | None = None) -> int:
    configure()  # the CLI's start: compiled or interpreted kernels, before Triton loads
    ap = build_parser()
    args = ap.parse_args(argv)
    if args.command == "export":
        return export(args, ap)
    ap.error(f"unknown command {args.command!r}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
