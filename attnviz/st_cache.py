"""Streamlit caches over attnviz.pipeline: one model per placement per process, traces
keyed by their inputs, so every session sees its own sentence and reruns cost nothing."""

from __future__ import annotations

from functools import partial

import streamlit as st

from models import DecodeStep, HeadImportance, ModelCard, Trace, load_warmup_study

from . import pipeline


@st.cache_resource(show_spinner="Loading the model…")
def model(norm: str):
    return pipeline.load_model(norm)


@st.cache_resource(show_spinner=False)
def card(norm: str) -> ModelCard:
    """What the page shows of a model beside its traces: training log, settings, the
    guided head."""
    return model(norm).card()


@st.cache_data(max_entries=256, show_spinner="Translating…")
def translation(norm: str, src: str) -> str:
    return pipeline.translate(model(norm), src)


@st.cache_data(max_entries=512, show_spinner="Running the model through the kernel…")
def trace(norm: str, src: str, tgt: str | None, causal: bool) -> Trace:
    m = model(norm)
    return pipeline.trace(m, src, tgt, causal, translation(norm, src) if tgt is None else None)


def trace_pair(norm: str, src: str, tgt: str | None, causal: bool) -> pipeline.TracePair:
    # Cached per trace, not per pair: flipping the causal toggle back and forth reuses
    # both; the flipped one is only computed when the page asks for it.
    return pipeline.TracePair(trace(norm, src, tgt, causal),
                              partial(trace, norm, src, tgt, not causal))


@st.cache_data(max_entries=128, show_spinner="Translating with the heads switched off…")
def ablated_translation(norm: str, src: str, heads: tuple[pipeline.Head, ...]) -> str:
    return pipeline.translate(model(norm), src, heads)


@st.cache_data(max_entries=128, show_spinner="Running the ablated model through the kernel…")
def ablated_trace(norm: str, src: str, target: str, causal: bool,
                  heads: tuple[pipeline.Head, ...]) -> Trace:
    """The ablated model teacher-forced on `target` (the intact trace's), so that its maps
    and predictions line up row by row with the intact model's."""
    return pipeline.trace(model(norm), src, target, causal, ablate=heads)


@st.cache_data(max_entries=128, show_spinner="Switching off each head in turn…")
def head_importance(norm: str, src: str, target: str, causal: bool) -> HeadImportance:
    return pipeline.head_importance(model(norm), src, target, causal)


@st.cache_data(max_entries=128, show_spinner="Decoding step by step…")
def decode_steps(norm: str, src: str) -> list[DecodeStep]:
    return pipeline.decode_steps(model(norm), src, translation(norm, src))


@st.cache_resource(show_spinner=False)
def warmup_study() -> dict[str, ModelCard]:
    return load_warmup_study()
