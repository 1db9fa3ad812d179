"""Train the encoder-decoder on the parallel corpus with the original paper's recipe.

Adam (0.9, 0.98, eps 1e-9), linear warm-up then inverse-square-root decay, label
smoothing 0.1, dropout. The log records loss, validation loss / token accuracy and
per-layer gradient norms; config.json records the exact command and every setting.

    python -m models.train --norm post --out models/checkpoints/post
    python -m models.train --norm pre  --out models/checkpoints/pre --device cuda
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import multiprocessing
import platform
import shlex
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import save_file

from .batching import PackedPairs
from .checkpoint import load_checkpoint, save_checkpoint
from .corpus import DATA_DIR, read_split, split_path
from .grammar.surface import normalise
from .tokenizer import CHECKPOINT_DIR, LEXICON_FILE, MODEL_FILE, PAD_ID, Tokenizer
from .transformer import ModelConfig, Seq2Seq

STATE_FILE = "train_state.safetensors"


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
    packed = PackedPairs.from_examples([([0], [0])] * len(rows), rows)
    return packed.alignment(range(len(rows)), Lt, Ls, device)


def alignment_loss(probs: torch.Tensor, gold: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of one head's attention rows against the gold rows (Garg et al.,
    2019, "Jointly Learning to Align and Translate with Transformer Models")."""
    n_rows = (gold.sum(-1) > 0).sum().clamp_min(1)
    return -(gold * probs.clamp_min(1e-9).log()).sum() / n_rows


def make_batch(examples: list[tuple[list[int], list[int]]], device: torch.device,
               bucket: int = 1, max_positions: int | None = None
               ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(source + <eos>, <sos> + target, target + <eos>) of these examples: see
    `PackedPairs.batch`."""
    return PackedPairs.from_examples(examples).batch(range(len(examples)), device, bucket,
                                                     max_positions)


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
    rows = [r for _, rs in parts for r in (rs or [])] if align else None
    return examples, rows


def encode_cached(tok: Tokenizer, pairs, args: argparse.Namespace, source: Path
                  ) -> PackedPairs:
    """The training pairs encoded and packed, read from `--packed-cache` when it was made
    from the same tokenizer, split file and --max-len (a second run on the same machine
    then skips encoding)."""
    align = args.align_weight > 0
    size = source.stat().st_size if source.exists() else len(pairs)
    key = (hashlib.sha256(Path(tok.model_path).read_bytes()).hexdigest()
           + f"/{source.name}:{size}/{args.max_len}/{align}/{args.train_limit}")
    cache = Path(args.packed_cache) if args.packed_cache else None
    if cache is not None and cache.exists():
        with np.load(cache) as z:
            hit = str(z["key"]) == key
        if hit:
            print(f"packed pairs read from {cache}", flush=True)
            return PackedPairs.load(cache)
    examples, rows = encode_parallel(tok, pairs, args.max_len, align, args.workers)
    packed = PackedPairs.from_examples(examples, rows)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        packed.save(cache, key=key)
    return packed


def save_train_state(out: Path, model: Seq2Seq, opt: torch.optim.Optimizer,
                     order: np.ndarray, pos: int, steps_done: int) -> None:
    """Float32 weights, Adam's moments and the data order, as safetensors (never pickle)."""
    tensors = {f"model.{k}": v.detach().cpu().float().contiguous()
               for k, v in model.state_dict().items()}
    opt_state = opt.state_dict()
    for i, st in opt_state["state"].items():
        for name, v in st.items():
            v = torch.as_tensor(v).detach().cpu()
            tensors[f"adam.{i}.{name}"] = v.float().reshape(1) if name == "step" \
                else v.contiguous()
    tensors["order"] = torch.from_numpy(np.asarray(order, np.int64))
    meta = {"pos": str(pos), "steps_done": str(steps_done),
            "param_groups": json.dumps(opt_state["param_groups"])}
    save_file(tensors, str(out / STATE_FILE), metadata=meta)


def load_train_state(folder: Path, model: Seq2Seq, steps_done: int) -> dict | None:
    """What `save_train_state` wrote in `folder`, if it is there and belongs to the
    checkpoint beside it; its float32 weights replace the checkpoint's (maybe float16)."""
    path = folder / STATE_FILE
    if not path.exists():
        return None
    with safe_open(str(path), "pt") as f:
        meta = f.metadata()
        if int(meta["steps_done"]) != steps_done:
            print(f"{path}: not the state of this checkpoint; ignored", flush=True)
            return None
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
    state: dict[int, dict] = {}
    for k, v in tensors.items():
        if k.startswith("adam."):
            _, i, name = k.split(".", 2)
            state.setdefault(int(i), {})[name] = v.reshape(()) if name == "step" else v
    optimizer = {"state": state, "param_groups": json.loads(meta["param_groups"])}
    print(f"continuing exactly from {path} (step {steps_done})", flush=True)
    return {"optimizer": optimizer, "order": tensors["order"].numpy(), "pos": int(meta["pos"])}


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
    ap.add_argument("--stop-at", type=float, default=0,
                    help="also stop (and save) at this wall-clock time, in seconds since "
                         "the epoch: a device call's deadline, however long loading took")
    ap.add_argument("--cooldown", action="store_true",
                    help="with a time limit: scale the rate down linearly to zero by the "
                         "time the run stops (a final anneal of a continued run)")
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
    ap.add_argument("--save-state", action="store_true",
                    help="also write train_state.safetensors (float32 weights, Adam moments, "
                         "data order) so that --init continues exactly where this run stopped")
    ap.add_argument("--packed-cache", default="",
                    help="an .npz to keep the encoded training split in (reused when it "
                         "matches the tokenizer, the split and --max-len)")
    return ap


def train(args: argparse.Namespace, argv: list[str]) -> Seq2Seq:
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda asked for, but CUDA is not available")
    backend = args.backend or ("triton" if device.type == "cuda" else "reference")
    if device.type == "cuda":
        # TF32 for the projections and the output layer (the kernel keeps fp32 exact).
        torch.backends.cuda.matmul.allow_tf32 = True
    tok = Tokenizer(args.tokenizer)
    train_pairs = read_split("train", args.data)
    if args.train_limit:
        train_pairs = train_pairs[:args.train_limit]
    t_enc = time.time()
    # The guided head's probabilities are recomputed in PyTorch from the projections the
    # kernel receives (the kernel's maps carry no gradient): see DecoderLayer.cross.
    train_data = encode_cached(tok, train_pairs, args, split_path(Path(args.data), "train"))
    del train_pairs
    print(f"encoded in {time.time() - t_enc:.0f} s", flush=True)
    valid_ex = encode_pairs(tok, read_split("valid", args.data), args.max_len)
    cfg = ModelConfig(vocab_size=tok.vocab_size, d_model=args.d_model, n_heads=args.n_heads,
                      n_enc_layers=args.layers, n_dec_layers=args.layers, d_ff=args.d_ff,
                      dropout=args.dropout, max_len=args.max_len, norm=args.norm)
    start, previous, state = 0, None, None
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
        state = load_train_state(Path(args.init), model, start)
    else:
        model = Seq2Seq(cfg, tok)
    model = model.to(device)
    model.train()
    align_layer = args.align_layer % args.layers
    guided = args.align_weight > 0
    if guided:
        model.decoder[align_layer].keep_cross_head = args.align_head
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.98), eps=1e-9)
    # (a continued run draws a new order, not the first run's batches again)
    gen = torch.Generator().manual_seed(args.seed + start)
    order = torch.randperm(len(train_data), generator=gen).numpy()
    pos = 0
    if state is not None:
        # An exact continuation: Adam's moments and the data order as the run left them.
        opt.load_state_dict(state["optimizer"])
        order, pos = state["order"], state["pos"]
    log: list[dict] = list(model.training_log) if args.init else []
    n_params = sum(p.numel() for p in model.parameters())
    print(f"{len(train_data)} training pairs, {n_params:,} parameters, backend {backend}",
          flush=True)
    t0 = time.time()
    # The run stops at the earlier of its time limits (none: math.inf).
    end = min(t0 + 60 * args.max_minutes if args.max_minutes else math.inf,
              args.stop_at or math.inf)
    running, running_n = 0.0, 0
    steps_done = 0
    for step in range(1, args.steps + 1):
        if time.time() > end:
            print(f"time limit: stopping after {steps_done} steps", flush=True)
            log.append({"step": start + steps_done, "elapsed_s": time.time() - t0,
                        **validate(model, valid_ex, backend, device, bucket=args.bucket)})
            break
        steps_done = step
        if pos + args.batch_size > len(order):
            order = torch.randperm(len(train_data), generator=gen).numpy()
            pos = 0
        idx = order[pos:pos + args.batch_size]
        pos += args.batch_size
        src, dec_in, dec_out = train_data.batch(idx, device, args.bucket, args.max_len + 1)
        # A resumed run's Adam starts without moments: ramp back up over --rewarm steps.
        rewarm = args.init and args.rewarm and state is None
        lr = lr_at(start + step, args.lr, args.warmup, args.decay_start) * (
            min(1.0, step / args.rewarm) if rewarm else 1.0)
        if args.cooldown and end < math.inf:
            lr *= max(0.0, 1.0 - (time.time() - t0) / max(end - t0, 1e-9))
        for g in opt.param_groups:
            g["lr"] = lr
        logits = model(src, dec_in, backend)
        loss = loss_fn(logits, dec_out, args.label_smoothing)
        align = None
        if guided:
            probs = model.decoder[align_layer].last_cross_probs
            gold = train_data.alignment(idx, dec_in.shape[1], src.shape[1], device)
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
        "n_params": n_params, "train_pairs": len(train_data), "steps_done": start + steps_done,
        "resumed_from": ({"path": str(args.init), "steps": start, "training": previous}
                         if args.init else None),
        "optimizer": "Adam(betas=(0.9, 0.98), eps=1e-9), warm-up then inverse sqrt"
                     + (", cooled down linearly to 0 by the time limit" if args.cooldown
                        else ""),
        "guided_alignment": ({"layer": align_layer, "head": args.align_head,
                              "weight": args.align_weight} if guided else None),
        "torch": torch.__version__, "triton": _triton_version(),
        "python": platform.python_version(),
        "device_name": (torch.cuda.get_device_name(device) if device.type == "cuda"
                        else platform.processor() or platform.machine()),
    }
    model.extra_config = {"training": training}
    model.cpu().eval()
    save_checkpoint(model, out, dtype=getattr(torch, args.save_dtype))
    if args.save_state:
        save_train_state(out, model, opt, order, pos, start + steps_done)
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
