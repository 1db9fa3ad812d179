"""Train the encoder-decoder on the parallel corpus with the original paper's recipe.

Adam (0.9, 0.98, eps 1e-9), linear warm-up then inverse-square-root decay, label
smoothing 0.1, dropout. The log records loss, validation loss / token accuracy and
per-layer gradient norms; config.json records the exact command and every setting.

    python -m models.train --norm post --out models/checkpoints/post
    python -m models.train --norm pre  --out models/checkpoints/pre --device cuda
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import platform
import shlex
import shutil
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from .checkpoint import load_checkpoint, save_checkpoint
from .corpus import DATA_DIR, read_split
from .grammar.surface import normalise
from .tokenizer import CHECKPOINT_DIR, EOS_ID, LEXICON_FILE, MODEL_FILE, PAD_ID, SOS_ID, Tokenizer
from .transformer import ModelConfig, Seq2Seq


def encode_pairs(tok: Tokenizer, pairs, max_len: int) -> list[tuple[list[int], list[int]]]:
    """Piece ids of each pair, the source in the canonical form the model reads (the same
    `normalise` the model applies to what people type)."""
    out = []
    for p in pairs:
        s, t = tok.encode(normalise(p.src)), tok.encode(p.tgt)
        # Pairs that do not fit are dropped rather than truncated mid-sentence.
        if len(s) < max_len and len(t) < max_len:
            out.append((s, t))
    return out


def piece_alignments(tok: Tokenizer, pairs, max_len: int) -> list[list[tuple[int, list[int]]]]:
    """For each pair that `encode_pairs` keeps: (target piece t, source pieces of the
    English words its Chinese word is linked to) for every linked target piece."""
    out = []
    for p in pairs:
        s_ids, s_wids, _ = tok.encode_with_words(normalise(p.src))
        t_ids, t_wids, _ = tok.encode_with_words(p.tgt, words=p.tgt_words)
        if not (len(s_ids) < max_len and len(t_ids) < max_len):
            continue
        links: dict[int, list[int]] = {}
        for i, j in p.alignment:
            links.setdefault(j, []).append(i)
        rows = []
        for t, wj in enumerate(t_wids):
            src_pieces = [s for s, wi in enumerate(s_wids) if wi in links.get(wj, ())]
            if src_pieces:
                rows.append((t, src_pieces))
        out.append(rows)
    return out


def alignment_target(rows: list[list[tuple[int, list[int]]]], Lt: int, Ls: int,
                     device: torch.device) -> torch.Tensor:
    """(B, Lt, Ls) gold attention: uniform over the linked source pieces, zero rows for
    target pieces without a link (and for <eos> and padding)."""
    g = torch.zeros(len(rows), Lt, Ls)
    for b, ex in enumerate(rows):
        for t, src_pieces in ex:
            g[b, t, src_pieces] = 1.0 / len(src_pieces)
    return g.to(device)


def alignment_loss(probs: torch.Tensor, gold: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of one head's attention rows against the gold rows (Garg et al.,
    2019, "Jointly Learning to Align and Translate with Transformer Models")."""
    n_rows = (gold.sum(-1) > 0).sum().clamp_min(1)
    return -(gold * probs.clamp_min(1e-9).log()).sum() / n_rows


def make_batch(examples: list[tuple[list[int], list[int]]], device: torch.device,
               bucket: int = 1, max_positions: int | None = None
               ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(source + <eos>, <sos> + target, target + <eos>), padded with PAD to a multiple of
    `bucket` (so the compiled kernel sees a handful of lengths, not every one), but never
    past `max_positions`."""
    B = len(examples)
    Ls, Lt = (max(len(x) for x in side) + 1 for side in zip(*examples, strict=True))
    cap = max_positions or 1 << 30
    Ls, Lt = max(Ls, min(_round_up(Ls, bucket), cap)), max(Lt, min(_round_up(Lt, bucket), cap))
    src = torch.full((B, Ls), PAD_ID, dtype=torch.long)
    dec_in = torch.full((B, Lt), PAD_ID, dtype=torch.long)
    dec_out = torch.full((B, Lt), PAD_ID, dtype=torch.long)
    for i, (s, t) in enumerate(examples):
        src[i, :len(s) + 1] = torch.tensor(s + [EOS_ID])
        dec_in[i, :len(t) + 1] = torch.tensor([SOS_ID] + t)
        dec_out[i, :len(t) + 1] = torch.tensor(t + [EOS_ID])
    return src.to(device), dec_in.to(device), dec_out.to(device)


def _round_up(n: int, k: int) -> int:
    return -(-n // k) * k


def lr_at(step: int, peak: float, warmup: int, decay_start: int = 0) -> float:
    """The paper's schedule, scaled so that it peaks at `peak` after `warmup` steps.
    Without warm-up (warmup 0) the rate starts at `peak` and decays from `decay_start`
    on exactly as the warmed-up schedule does: the two differ only in the ramp."""
    step = max(step, 1)
    if warmup > 0:
        return peak * min(step / warmup, math.sqrt(warmup / step))
    return peak * min(1.0, math.sqrt(max(decay_start, 1) / step))


def _encode_worker(args: tuple[str, list, int, bool]) -> tuple[list, list | None]:
    tok_path, pairs, max_len, align = args
    tok = Tokenizer(tok_path)
    ex = encode_pairs(tok, pairs, max_len)
    return ex, (piece_alignments(tok, pairs, max_len) if align else None)


def encode_parallel(tok: Tokenizer, pairs, max_len: int, align: bool, workers: int
                    ) -> tuple[list, list | None]:
    """encode_pairs (and piece_alignments) over `workers` processes, in order."""
    if workers <= 1 or len(pairs) < 20_000:
        return _encode_worker((str(tok.model_path), pairs, max_len, align))
    size = -(-len(pairs) // (workers * 4))
    jobs = [(str(tok.model_path), pairs[k:k + size], max_len, align)
            for k in range(0, len(pairs), size)]
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        parts = pool.map(_encode_worker, jobs)
    examples = [e for ex, _ in parts for e in ex]
    rows = [r for _, rs in parts for r in rs] if align else None
    return examples, rows


def layer_grad_norms(model: Seq2Seq) -> dict[str, float]:
    groups: dict[str, list[torch.Tensor]] = {"embed": [model.embed.weight]}
    for i, layer in enumerate(model.encoder):
        groups[f"enc{i}"] = list(layer.parameters())
    for i, layer in enumerate(model.decoder):
        groups[f"dec{i}"] = list(layer.parameters())
    out = {}
    for name, params in groups.items():
        sq = sum(float(p.grad.detach().pow(2).sum()) for p in params if p.grad is not None)
        out[name] = math.sqrt(sq)
    return out


@torch.no_grad()
def validate(model: Seq2Seq, examples, backend: str, device: torch.device,
             batch_size: int = 500, bucket: int = 1) -> dict[str, float]:
    model.eval()
    total_loss, total_tok, correct = 0.0, 0, 0
    for k in range(0, len(examples), batch_size):
        src, dec_in, dec_out = make_batch(examples[k:k + batch_size], device, bucket,
                                          model.cfg.max_len + 1)
        logits = model(src, dec_in, backend)
        mask = dec_out != PAD_ID
        total_loss += float(F.cross_entropy(logits[mask], dec_out[mask], reduction="sum"))
        correct += int((logits.argmax(-1)[mask] == dec_out[mask]).sum())
        total_tok += int(mask.sum())
    model.train()
    return {"val_loss": total_loss / total_tok, "val_token_acc": correct / total_tok}


def loss_fn(logits: torch.Tensor, target: torch.Tensor, smoothing: float) -> torch.Tensor:
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1),
                           ignore_index=PAD_ID, label_smoothing=smoothing)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description="Train the attnviz encoder-decoder.")
    ap.add_argument("--norm", choices=("post", "pre"), required=True)
    ap.add_argument("--out", required=True, help="checkpoint folder to write")
    ap.add_argument("--data", default=str(DATA_DIR), help="folder with train/valid TSV")
    ap.add_argument("--tokenizer", default=str(CHECKPOINT_DIR / MODEL_FILE))
    ap.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    ap.add_argument("--backend", choices=("triton", "reference"), default=None,
                    help="attention backend (default: triton on CUDA, reference on CPU, "
                         "where the Triton interpreter is too slow to train)")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--d-model", type=int, default=128)
    ap.add_argument("--n-heads", type=int, default=4)
    ap.add_argument("--layers", type=int, default=3, help="encoder and decoder layers each")
    ap.add_argument("--d-ff", type=int, default=512)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--max-len", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1.5e-3, help="peak learning rate")
    ap.add_argument("--warmup", type=int, default=400,
                    help="linear warm-up steps (0: none, start at the peak rate)")
    ap.add_argument("--decay-start", type=int, default=0,
                    help="with --warmup 0: the step from which the rate decays as 1/sqrt")
    ap.add_argument("--bucket", type=int, default=16,
                    help="pad batch lengths to a multiple of this (few compiled variants)")
    ap.add_argument("--workers", type=int, default=1, help="processes to encode the data")
    ap.add_argument("--init", default="",
                    help="checkpoint folder to continue training from (same settings)")
    ap.add_argument("--rewarm", type=int, default=100,
                    help="with --init: steps over which the rate ramps back up")
    ap.add_argument("--max-minutes", type=float, default=0,
                    help="stop (and save) after this many minutes of training (0: no limit)")
    ap.add_argument("--save-dtype", choices=("float32", "float16"), default="float16",
                    help="weights on disk (loading casts back to float32)")
    ap.add_argument("--label-smoothing", type=float, default=0.1)
    ap.add_argument("--log-every", type=int, default=50)
    ap.add_argument("--eval-every", type=int, default=500)
    ap.add_argument("--threads", type=int, default=2, help="CPU threads for torch")
    ap.add_argument("--train-limit", type=int, default=0, help="use only the first N pairs")
    ap.add_argument("--align-weight", type=float, default=0.0,
                    help="guided alignment: weight of a loss teaching one cross-attention "
                         "head the corpus's gold alignments (0 = plain recipe)")
    ap.add_argument("--align-layer", type=int, default=-2,
                    help="decoder layer of the guided head (default: penultimate)")
    ap.add_argument("--align-head", type=int, default=0)
    return ap


def train(args: argparse.Namespace, argv: list[str]) -> Seq2Seq:
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda asked for, but CUDA is not available")
    backend = args.backend or ("triton" if device.type == "cuda" else "reference")
    tok = Tokenizer(args.tokenizer)
    train_pairs = read_split("train", args.data)
    if args.train_limit:
        train_pairs = train_pairs[:args.train_limit]
    t_enc = time.time()
    # The guided head's probabilities are recomputed in PyTorch from the projections the
    # kernel receives (the kernel's maps carry no gradient): see DecoderLayer.cross.
    train_ex, align_rows = encode_parallel(tok, train_pairs, args.max_len,
                                           args.align_weight > 0, args.workers)
    del train_pairs
    print(f"encoded in {time.time() - t_enc:.0f} s", flush=True)
    valid_ex = encode_pairs(tok, read_split("valid", args.data), args.max_len)
    cfg = ModelConfig(vocab_size=tok.vocab_size, d_model=args.d_model, n_heads=args.n_heads,
                      n_enc_layers=args.layers, n_dec_layers=args.layers, d_ff=args.d_ff,
                      dropout=args.dropout, max_len=args.max_len, norm=args.norm)
    start, previous = 0, None
    if args.init:
        # Continue an earlier run: its weights, its log, its step count for the schedule.
        init = load_checkpoint(args.init)
        if init.cfg != cfg:
            raise SystemExit(f"--init {args.init}: its config {init.cfg} differs from the "
                             f"settings given {cfg}")
        previous = init.config.get("training")
        start = int((previous or {}).get("steps_done") or
                    max((e.get("step", 0) for e in init.training_log), default=0))
        model = init
        model.tokenizer = tok
    else:
        model = Seq2Seq(cfg, tok)
    model = model.to(device)
    model.train()
    align_layer = args.align_layer % args.layers
    if align_rows is not None:
        model.decoder[align_layer].keep_cross_head = args.align_head
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.98), eps=1e-9)
    # (a continued run draws a new order, not the first run's batches again)
    gen = torch.Generator().manual_seed(args.seed + start)
    order = torch.randperm(len(train_ex), generator=gen).tolist()
    pos = 0
    log: list[dict] = list(model.training_log) if args.init else []
    n_params = sum(p.numel() for p in model.parameters())
    print(f"{len(train_ex)} training pairs, {n_params:,} parameters, backend {backend}",
          flush=True)
    t0 = time.time()
    running, running_n = 0.0, 0
    steps_done = 0
    for step in range(1, args.steps + 1):
        if args.max_minutes and time.time() - t0 > 60 * args.max_minutes:
            print(f"time limit: stopping after {steps_done} steps", flush=True)
            log.append({"step": start + steps_done, "elapsed_s": time.time() - t0,
                        **validate(model, valid_ex, backend, device, bucket=args.bucket)})
            break
        steps_done = step
        if pos + args.batch_size > len(order):
            order = torch.randperm(len(train_ex), generator=gen).tolist()
            pos = 0
        idx = order[pos:pos + args.batch_size]
        pos += args.batch_size
        src, dec_in, dec_out = make_batch([train_ex[i] for i in idx], device, args.bucket,
                                          args.max_len + 1)
        # A resumed run's Adam starts without moments: ramp back up over --rewarm steps.
        lr = lr_at(start + step, args.lr, args.warmup, args.decay_start) * (
            min(1.0, step / args.rewarm) if args.init and args.rewarm else 1.0)
        for g in opt.param_groups:
            g["lr"] = lr
        logits = model(src, dec_in, backend)
        loss = loss_fn(logits, dec_out, args.label_smoothing)
        align = None
        if align_rows is not None:
            probs = model.decoder[align_layer].last_cross_probs
            gold = alignment_target([align_rows[i] for i in idx], dec_in.shape[1],
                                    src.shape[1], device)
            align = alignment_loss(probs, gold)
            loss = loss + args.align_weight * align
        opt.zero_grad(set_to_none=True)
        loss.backward()
        running += loss.item()
        running_n += 1
        entry: dict = {}
        if step % args.log_every == 0 or step == 1:
            entry = {"step": start + step, "lr": lr, "loss": running / running_n,
                     "grad_norm": layer_grad_norms(model), "elapsed_s": time.time() - t0}
            if align is not None:
                entry["align_loss"] = align.item()
            running, running_n = 0.0, 0
        opt.step()
        if step % args.eval_every == 0 or step == args.steps:
            entry = entry or {"step": start + step, "lr": lr, "elapsed_s": time.time() - t0}
            entry.update(validate(model, valid_ex, backend, device, bucket=args.bucket))
        if entry:
            log.append(entry)
            msg = " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                           for k, v in entry.items() if k != "grad_norm")
            print(msg, flush=True)
    wall = time.time() - t0
    model.training_log = log
    model.decoder[align_layer].keep_cross_head = None
    out = Path(args.out)
    settings = {k: v for k, v in vars(args).items()}
    training = {
        "command": "python -m models.train " + " ".join(shlex.quote(a) for a in argv),
        "settings": settings, "backend": backend, "wall_time_s": round(wall, 1),
        "n_params": n_params, "train_pairs": len(train_ex), "steps_done": start + steps_done,
        "resumed_from": ({"path": str(args.init), "steps": start, "training": previous}
                         if args.init else None),
        "optimizer": "Adam(betas=(0.9, 0.98), eps=1e-9), warm-up then inverse sqrt",
        "guided_alignment": ({"layer": align_layer, "head": args.align_head,
                              "weight": args.align_weight} if align_rows is not None else None),
        "torch": torch.__version__, "triton": _triton_version(),
        "python": platform.python_version(),
        "device_name": (torch.cuda.get_device_name(device) if device.type == "cuda"
                        else platform.processor() or platform.machine()),
    }
    model.extra_config = {"training": training}
    model.cpu().eval()
    save_checkpoint(model, out, dtype=getattr(torch, args.save_dtype))
    if out.resolve().parent != CHECKPOINT_DIR.resolve():
        # A checkpoint outside models/checkpoints/ carries its own tokenizer.
        tok_path = Path(args.tokenizer)
        shutil.copyfile(tok_path, out / MODEL_FILE)
        if tok_path.with_name(LEXICON_FILE).exists():
            shutil.copyfile(tok_path.with_name(LEXICON_FILE), out / LEXICON_FILE)
    print(f"wrote {out} in {wall:.0f} s", flush=True)
    return model


def _triton_version() -> str | None:
    try:
        import triton
    except ImportError:
        return None
    return triton.__version__


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    train(build_parser().parse_args(argv), argv)


if __name__ == "__main__":
    main()
