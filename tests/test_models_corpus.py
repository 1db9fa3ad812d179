"""The generated corpus: deterministic, valid alignments, disjoint splits."""

from __future__ import annotations

import random

from models.corpus import DATA_DIR, Pair, check_pair, generate, generate_pair, read_split, write


def test_generation_is_deterministic(tmp_path):
    sizes = {"train": 300, "valid": 20, "test": 20}
    a, b = generate(7, sizes), generate(7, sizes)
    assert [p.to_line() for s in a.values() for p in s] == [
        p.to_line() for s in b.values() for p in s]
    write(a, tmp_path / "a")
    write(b, tmp_path / "b")
    for name in ("train.tsv.gz", "valid.tsv", "test.tsv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert generate(8, sizes)["train"][1].src != a["train"][1].src or \
        generate(8, sizes)["train"][2].src != a["train"][2].src


def test_shipped_files_regenerate_bit_for_bit(tmp_path):
    write(generate(), tmp_path)
    for name in ("train.tsv.gz", "valid.tsv", "test.tsv"):
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes(), name


def test_alignments_are_valid_and_round_trip():
    rng = random.Random(3)
    for _ in range(2000):
        p = generate_pair(rng)
        check_pair(p)
        assert Pair.from_line(p.to_line()) == p
        assert " " not in p.tgt and p.src == " ".join(p.src.split())


def test_splits_sizes_disjoint_and_anchor():
    splits = {s: read_split(s) for s in ("train", "valid", "test")}
    assert len(splits["train"]) >= 100_000
    assert len(splits["valid"]) >= 2000 and len(splits["test"]) >= 2000
    srcs = {s: {p.src for p in pairs} for s, pairs in splits.items()}
    assert all(len(srcs[s]) == len(splits[s]) for s in splits)
    assert not srcs["train"] & srcs["valid"]
    assert not srcs["train"] & srcs["test"]
    assert not srcs["valid"] & srcs["test"]
    love = [p for p in splits["train"] if p.src == "I love you"]
    assert love and love[0].tgt == "我爱你" and love[0].alignment == [(0, 0), (1, 1), (2, 2)]
    for p in splits["test"]:
        check_pair(p)
        assert 3 <= len(p.src.split()) <= 12
