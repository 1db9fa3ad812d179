"""The lexicon's word lists, read from the TSV files in `data/` (one table a file).

Format of `data/<name>.tsv`: UTF-8, tab-separated, one entry a line, in the order the
grammar draws from. Lines starting with "#" are comments (what the columns mean, a group's
label) and blank lines are skipped; the first other line is the header, naming the columns.
Every entry has a field for every column; an optional field is empty where an entry has
none. Fields are taken as written (no quoting, no trimming). Lists inside a field keep the
separator the grammar reads: tags joined by "|", Chinese words and links by single spaces.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, overload

DATA_DIR = Path(__file__).resolve().parent / "data"


@overload
def table(name: str, columns: tuple[str, str]) -> list[tuple[str, str]]: ...
@overload
def table(name: str, columns: tuple[str, str, str]) -> list[tuple[str, str, str]]: ...
@overload
def table(name: str, columns: tuple[str, str, str, str]) -> list[tuple[str, str, str, str]]: ...
@overload
def table(name: str, columns: tuple[str, str, str, str, str]
          ) -> list[tuple[str, str, str, str, str]]: ...
@overload
def table(name: str, columns: tuple[str, str, str, str, str, str, str]
          ) -> list[tuple[str, str, str, str, str, str, str]]: ...
@cache
def table(name: str, columns: tuple[str, ...]) -> list[Any]:
    """The entries of `data/<name>.tsv`, each a tuple of its `columns` in that order.

    The header must name exactly `columns` (in any order) and every entry must have a
    field for each: a file that says anything else is refused, not guessed at. Read once.
    """
    path = DATA_DIR / f"{name}.tsv"
    lines = [(n, line) for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1)
             if line and not line.startswith("#")]
    header = lines[0][1].split("\t")
    if sorted(header) != sorted(columns) or len(set(header)) != len(header):
        raise ValueError(f"{path}: header {header} should name the columns {list(columns)}")
    order = [header.index(c) for c in columns]
    rows = []
    for n, line in lines[1:]:
        fields = line.split("\t")
        if len(fields) != len(header):
            raise ValueError(f"{path}:{n}: {len(fields)} fields, the header names "
                             f"{len(header)}: {line!r}")
        rows.append(tuple(fields[i] for i in order))
    return rows
