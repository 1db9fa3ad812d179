"""The lexicon's data files: every one read by the grammar, every field unambiguous (list
separators that occur nowhere else, links that cover each Chinese word once), and the one
loader refusing a file that does not say what the code asks for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from models.grammar.lexicon import tables
from models.grammar.lexicon.closed import PRONOUNS
from models.grammar.lexicon.nouns import PLACES
from models.grammar.lexicon.tables import DATA_DIR, table

FILES = sorted(DATA_DIR.glob("*.tsv"))
MODULES = sorted(Path(tables.__file__).parent.glob("*.py"))
TAG = re.compile(r"[a-z]+")


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    lines = [line for line in path.read_text(encoding="utf-8").split("\n")
             if line and not line.startswith("#")]
    return lines[0].split("\t"), [line.split("\t") for line in lines[1:]]


def test_every_data_file_is_a_table_the_grammar_reads():
    source = "".join(m.read_text() for m in MODULES)
    assert len(FILES) >= 20
    for path in FILES:
        assert f'table("{path.stem}"' in source, path.name


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_fields_are_unambiguous(path):
    raw = path.read_bytes().decode("utf-8")
    assert "\r" not in raw and raw.endswith("\n")
    header, rows = _rows(path)
    assert rows, "a table with no entries"
    english = "base" if "base" in header else header[0]
    for row in rows:
        f = dict(zip(header, row, strict=True))
        for name, value in f.items():
            assert value == value.strip() and "  " not in value, (name, row)
            if name not in ("article",):
                assert value, (name, row)                 # only the article is optional
            if name in ("tags", "objects"):                # "|"-joined tags
                assert all(TAG.fullmatch(t) for t in value.split("|")), row
            else:
                assert "|" not in value, (name, row)
        n_en = len(f[english].split())
        n_zh = len(f["chinese"].split())
        if "links" in f:                                   # "i-j": each Chinese word once
            links = [tuple(map(int, link.split("-"))) for link in f["links"].split()]
            assert all(re.fullmatch(r"\d+-\d+", link) for link in f["links"].split()), row
            assert sorted(j for _, j in links) == list(range(n_zh)), row
            assert all(i < n_en for i, _ in links), row
        elif "heads" in f:                                 # one English index a Chinese word
            heads = f["heads"].split()
            assert all(h.isdigit() and int(h) < n_en for h in heads), row
            assert len(heads) == n_zh, row
        else:
            assert n_zh == 1, row                          # one Chinese word


def test_fields_come_in_the_order_the_code_asks():
    assert PLACES[0] == ("home", "家", "at", "")           # the file says article first
    assert PRONOUNS[0] == ("i", "me", "my", "我", "1s")


@pytest.mark.parametrize("text, error", [
    ("english\tchinese\n", "header"),
    ("# a comment\nenglish\tzh\tx\ncat\t猫\tx\n", "header"),
    ("english\tchinese\tx\ncat\t猫\n", "2 fields"),
    ("english\tchinese\tx\ncat\t猫\tx\t\n", "4 fields"),
])
def test_a_file_that_says_something_else_is_refused(tmp_path, monkeypatch, text, error):
    monkeypatch.setattr(tables, "DATA_DIR", tmp_path)
    name = f"bad{abs(hash(text))}"
    (tmp_path / f"{name}.tsv").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=error):
        table(name, ("english", "chinese", "x"))
