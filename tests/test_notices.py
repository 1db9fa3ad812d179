"""What the app says above the maps: the model's unsure choices, Markdown-safe notices."""

from __future__ import annotations

import pytest

from attnviz import notices
from attnviz.inputs import clean_input
from attnviz.st_components import markdown_escape


def test_unsure_steps_are_the_translation_pieces_chosen_below_the_threshold(post_model):
    tr = post_model.trace("The weather in my city is terrible during the winter months.")
    steps = notices.unsure_steps(tr)
    probs = [top[0].prob for top in tr.predictions]
    assert steps, "this sentence is out of the grammar: some choice is unsure"
    assert [p for _, _, p in steps] == sorted(p for p in probs if p < notices.UNSURE_PROB)
    for position, piece, prob in steps:
        assert tr.dec_output[position] == piece and probs[position] == prob
    note = notices.unsure_notice(tr)
    assert note is not None and "unsure" in note and f"position {steps[0][0]}" in note
    # Every choice counts at a threshold of 1; none at 0.
    assert len(notices.unsure_steps(tr, 1.0)) == len(tr.predictions)
    assert notices.unsure_steps(tr, 0.0) == [] and notices.unsure_notice(tr, 0.0) is None


def test_a_confident_translation_and_a_typed_target_say_nothing(post_model):
    assert notices.unsure_notice(post_model.trace("I love you.")) is None
    # A typed target was not chosen by the post_model: no claim about its choices.
    typed = post_model.trace("The weather in my city is terrible.", "天气很糟糕。")
    assert notices.unsure_steps(typed, 1.0) == []


@pytest.mark.parametrize("text", ["**bold** _it_ `code` [a](javascript:x) $x$ <b>", "# head",
                                  "1. list", "a\\b"])
def test_markdown_escape_leaves_no_markup(text):
    escaped = markdown_escape(text)
    # Each special character is escaped exactly once, and unescaping gives the text back.
    out, i = [], 0
    while i < len(escaped):
        if escaped[i] == "\\":
            out.append(escaped[i + 1])
            i += 2
        else:
            assert escaped[i] not in "\\`*_{}[]()#+-.!|<>~$", escaped
            out.append(escaped[i])
            i += 1
    assert "".join(out) == text


@pytest.mark.parametrize("src, notes", [
    ("?!", ["no letters or digits"]), ("...", ["no letters or digits"]),
    ("I love you.", []), ("😀 42", ["leaves out 😀"]),
    ("a\u202eb\x00c", ["2 invisible control character(s) removed"]),
    ("x" * 500, ["only the first 400"]),
    ("我爱你。", ["looks like Chinese"]), ("我爱 Tom。", []), ("。？", ["no letters or digits"]),
    ("I love pizza 🍕😀", ["leaves out 🍕 😀"]),
])
def test_clean_input_says_what_it_changed_or_doubts(src, notes):
    cleaned = clean_input(src, None)
    assert cleaned.ok and cleaned.tgt is None
    assert len(cleaned.notices) == len(notes)
    for note, want in zip(cleaned.notices, notes, strict=True):
        assert want in note
    assert not clean_input("   ", "  ").ok and clean_input("   ", "  ").tgt is None
    only_emoji = clean_input("😀🎉", None)      # nothing left to read: a notice, no maps
    assert not only_emoji.ok and any("leaves out 😀 🎉" in n for n in only_emoji.notices)


@pytest.mark.parametrize("tgt, doubted", [
    ("Where is the bathroom?", True), ("我爱你。", False), ("我爱 Tom。", False),
    ("42!", False), ("", False),
])
def test_clean_input_doubts_a_target_without_chinese(tgt, doubted):
    cleaned = clean_input("I love you.", tgt)
    assert any("no Chinese characters" in n for n in cleaned.notices) == doubted
    assert cleaned.tgt == (tgt or None)


def test_a_translation_made_sentence_by_sentence_is_judged_where_the_pass_agrees(post_model):
    tr = post_model.trace("Hello! How are you?")
    agrees = [top[0].piece == piece for top, piece in zip(tr.predictions, tr.dec_output,
                                                            strict=True)]
    assert not all(agrees), "the whole-text pass would end after the first sentence"
    for position, piece, _ in notices.unsure_steps(tr, threshold=1.01):
        assert agrees[position] and piece == tr.dec_output[position]
