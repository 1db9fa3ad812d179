"""A seeded English -> Chinese parallel corpus of beginner sentences with gold alignments.

Sentences come from `models.grammar`: beginner English (about CEFR A1-A2) typed as
people type it, with its Chinese (about HSK 1-3). The grammar builds both sides together,
so it knows which words correspond: every Chinese word gets exactly one gold link to the
English word it translates (English words may have zero or several). One link per
Chinese word keeps the alignment error rate of "each target word's most-attended source
word" able to reach zero.

Each split is drawn from a stream of its own (seeded from the corpus seed and the split's
name), so valid and test regenerate without the training split; training pairs skip every
valid and test sentence, so the splits are disjoint by sentence. The training split (over
a million pairs) is not kept in git: `python -m models.corpus --out models/data` writes it
bit-for-bit, and `manifest.json` holds every split's SHA-256 to check it against.

File format, one pair per line (a user may swap in any corpus of this shape):
    english \\t chinese \\t chinese words space-separated \\t alignment "0-0 1-2 ..."
alignment pairs are (english word index, chinese word index).

    python -m models.corpus --out models/data      # regenerates the files bit-for-bit
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import lzma
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import grammar

DATA_DIR = Path(__file__).resolve().parent / "data"
SPLITS = ("train", "valid", "test")
DEFAULT_SIZES = {"train": 2_000_000, "valid": 2_000, "test": 2_000}
DEFAULT_SEED = 1234
MIN_WORDS, MAX_WORDS = 1, 20
MANIFEST = "manifest.json"



@dataclass
class Pair:
    src: str
    tgt: str
    tgt_words: list[str]
    alignment: list[tuple[int, int]]

    def to_line(self) -> str:
        links = " ".join(f"{i}-{j}" for i, j in self.alignment)
        return f"{self.src}\t{self.tgt}\t{' '.join(self.tgt_words)}\t{links}"

    @classmethod
    def from_words(cls, en: list[str], zh: list[str], links: list[tuple[int, int]]) -> Pair:
        """A pair from a realised sentence (`grammar.generate`, `surface.realise`)."""
        return cls(" ".join(en), "".join(zh), zh, sorted(links, key=lambda t: (t[1], t[0])))

    @classmethod
    def from_line(cls, line: str) -> Pair:
        cols = line.rstrip("\n").split("\t")
        if len(cols) != 4:
            raise ValueError(f"expected 4 tab-separated columns, got {len(cols)}: {line!r}")
        links = [tuple(int(x) for x in link.split("-")) for link in cols[3].split()]
        return cls(cols[0], cols[1], cols[2].split(), [(a, b) for a, b in links])


# Always in training: the classic, as typed carefully and casually.
ANCHORS = [Pair("I love you.", "我爱你。", ["我", "爱", "你", "。"],
                [(0, 0), (1, 1), (2, 2), (2, 3)]),
           Pair("I love you", "我爱你。", ["我", "爱", "你", "。"],
                [(0, 0), (1, 1), (2, 2), (2, 3)])]


def generate_pair(rng: random.Random) -> Pair:
    """One random sentence pair from the grammar (the caller filters by length)."""
    return Pair.from_words(*grammar.generate(rng))


def check_pair(p: Pair) -> None:
    """Raise if the pair breaks the corpus invariants (used by generation and tests)."""
    n_en, n_zh = len(p.src.split()), len(p.tgt_words)
    if "".join(p.tgt_words) != p.tgt:
        raise ValueError(f"segmentation does not spell the target: {p}")
    for i, j in p.alignment:
        if not (0 <= i < n_en and 0 <= j < n_zh):
            raise ValueError(f"link {i}-{j} out of range: {p}")
    targets = sorted(j for _, j in p.alignment)
    if targets != list(range(n_zh)):
        raise ValueError(f"every Chinese word needs exactly one link: {p}")


def _stream(seed: int, split: str, n: int, exclude: set[str]) -> list[Pair]:
    """`n` distinct pairs from the split's own random stream, skipping `exclude`."""
    rng = random.Random(f"{seed}/{split}")
    seen = set(exclude)
    pairs: list[Pair] = []
    while len(pairs) < n:
        p = generate_pair(rng)
        if p.src in seen or not (MIN_WORDS <= len(p.src.split()) <= MAX_WORDS):
            continue
        check_pair(p)
        seen.add(p.src)
        pairs.append(p)
    return pairs


def generate(seed: int = DEFAULT_SEED, sizes: dict[str, int] | None = None,
             splits: tuple[str, ...] = SPLITS) -> dict[str, list[Pair]]:
    """Distinct pairs, disjoint by sentence across splits; the anchors are in training."""
    sizes = sizes or DEFAULT_SIZES
    anchors = {p.src for p in ANCHORS}
    out: dict[str, list[Pair]] = {}
    held_out: set[str] = set(anchors)
    for split in ("valid", "test"):
        pairs = _stream(seed, split, sizes[split], held_out)
        held_out |= {p.src for p in pairs}
        if split in splits:
            out[split] = pairs
    if "train" in splits:
        out["train"] = ANCHORS + _stream(seed, "train", sizes["train"] - len(ANCHORS),
                                         held_out)
    return {split: out[split] for split in splits}


def split_path(directory: Path, split: str) -> Path:
    """The file of a split: `<split>.tsv.gz`, else `<split>.tsv.xz` (smaller, for moving
    the training split to a GPU machine), else `<split>.tsv`."""
    for suffix in (".tsv.gz", ".tsv.xz"):
        path = Path(directory) / f"{split}{suffix}"
        if path.exists():
            return path
    return Path(directory) / f"{split}.tsv"


def read_split(split: str, directory: Path | str = DATA_DIR) -> list[Pair]:
    path = split_path(Path(directory), split)
    opener: Any = {".gz": gzip.open, ".xz": lzma.open}.get(path.suffix, open)
    with opener(path, "rt", encoding="utf-8") as f:
        return [Pair.from_line(line) for line in f if line.strip()]


def iter_lines(pairs: list[Pair]) -> Iterator[str]:
    for p in pairs:
        yield p.to_line() + "\n"


def sha256_lines(pairs: list[Pair]) -> str:
    return hashlib.sha256("".join(iter_lines(pairs)).encode("utf-8")).hexdigest()


def write(splits: dict[str, list[Pair]], directory: Path | str) -> list[Path]:
    """Train is gzipped with a zero timestamp so that the bytes depend only on the content."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for split, pairs in splits.items():
        text = "".join(iter_lines(pairs)).encode("utf-8")
        if split == "train":
            path = directory / "train.tsv.gz"
            buf = io.BytesIO()
            with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0,
                               compresslevel=9) as gz:
                gz.write(text)
            path.write_bytes(buf.getvalue())
        else:
            path = directory / f"{split}.tsv"
            path.write_bytes(text)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", default=str(DATA_DIR))
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--train", type=int, default=DEFAULT_SIZES["train"])
    ap.add_argument("--valid", type=int, default=DEFAULT_SIZES["valid"])
    ap.add_argument("--test", type=int, default=DEFAULT_SIZES["test"])
    args = ap.parse_args(argv)
    sizes = {"train": args.train, "valid": args.valid, "test": args.test}
    splits = generate(args.seed, sizes)
    for path in write(splits, args.out):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    manifest = {"seed": args.seed, "sizes": sizes,
                "sha256": {split: sha256_lines(pairs) for split, pairs in splits.items()}}
    (Path(args.out) / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    main()
