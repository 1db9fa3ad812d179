"""attnviz: see the attention inside a small encoder-decoder Transformer.

    streamlit run app.py

Widgets in, figures out: the models, traces and figures live in attnviz/.
"""

from kernels import configure

configure()  # the app's start: compiled or interpreted kernels, before anything loads Triton

import logging  # noqa: E402

import plotly.graph_objects as go  # noqa: E402
import streamlit as st  # noqa: E402

from attnviz import ablation_view, sections, st_cache  # noqa: E402
from attnviz.examples import EXAMPLES, random_test_sentence  # noqa: E402
from attnviz.inputs import ABLATE_URL, NORMS, clean_input, from_query, to_query  # noqa: E402
from attnviz.labels import NORM_LABELS  # noqa: E402
from attnviz.pipeline import ModelUnavailable, norms_of  # noqa: E402
from attnviz.st_components import keep_widget_state  # noqa: E402

st.set_page_config(page_title="attnviz", layout="wide")


def _use_example() -> None:
    if st.session_state.example:
        st.session_state.update(src=st.session_state.example, tgt="")


def _use_random() -> None:
    st.session_state.update(src=random_test_sentence(), tgt="", example=None)


def attention_page() -> None:
    """The main page: one sentence pair through the trained models, every attention map."""
    st.title("attnviz")
    st.caption("Attention inside an English → Chinese Transformer, computed by our Triton kernel.")

    keep_widget_state(sections.TAB_WIDGET_KEYS + ablation_view.WIDGET_KEYS)
    # A shared URL fills the inputs once per session; afterwards the widgets own the state.
    first_run = "src" not in st.session_state
    if first_run:
        st.session_state.update(from_query(st.query_params))
        if ABLATE_URL in st.session_state:
            st.session_state["tab"] = "Head ablation"  # a shared ablation opens its tab

    c_examples, c_random = st.columns([4, 1], vertical_alignment="bottom")
    c_examples.pills("Examples", EXAMPLES, key="example", on_change=_use_example,
                     help="Fill the source with one of these (the target is cleared).")
    c_random.button("Random test sentence", key="random-example", on_click=_use_random,
                    help="A sentence from the corpus's test split, never seen in training.")
    c_src, c_tgt = st.columns(2)
    c_src.text_input("Source sentence (English)", key="src", max_chars=5000)
    c_tgt.text_input("Target sentence (Chinese, optional)", key="tgt", max_chars=5000,
                     help="Leave empty to use the model's own greedy translation as the target.")
    c_norm, c_causal, c_layer, c_head = st.columns([2, 2, 3, 2])
    c_norm.radio("Norm placement", NORMS, key="norm", horizontal=True,
                 format_func=lambda n: {"both": "Both side by side"}.get(n, NORM_LABELS.get(n, n)))
    c_causal.toggle("Causal mask", key="causal",
                    help="The decoder self-attention's mask: position i sees only positions ≤ i.")

    new_query = to_query(st.session_state.src, st.session_state.tgt, st.session_state.norm,
                         st.session_state.causal, ablation_view.url_value())
    if dict(st.query_params) != new_query:
        st.query_params.from_dict(new_query)

    cleaned = clean_input(st.session_state.src, st.session_state.tgt)
    for note in cleaned.notices:
        st.warning(note, icon=":material/info:")
    if not cleaned.ok:
        st.info("Type an English sentence in the source box to see its attention maps.")
        st.stop()

    # On a session's first run an empty chart makes the browser fetch Plotly's JavaScript
    # while the server is still loading the models, not after (half a second sooner).
    plotly_warmup = st.empty()
    if first_run:
        plotly_warmup.plotly_chart(go.Figure(layout={"height": 10}), key="plotly-warmup")
    norms = norms_of(st.session_state.norm)
    try:
        card = st_cache.card(norms[0])
        pairs = {n: st_cache.trace_pair(n, cleaned.src, cleaned.tgt, st.session_state.causal)
                 for n in norms}
    except ModelUnavailable as e:
        st.error(str(e))
        st.stop()
    except Exception as e:  # a kernel or model failure: say so plainly, log the traceback
        logging.getLogger("attnviz").exception("tracing %r failed", cleaned.src)
        st.error("The model could not trace this input; the error was:")
        st.text(f"{type(e).__name__}: {e}")
        st.stop()
    finally:
        plotly_warmup.empty()

    layer = c_layer.select_slider("Layer", list(range(card.n_layers)), key="layer")
    head = c_head.selectbox("Head", [None, *range(card.n_heads)], key="head",
                            format_func=lambda h: "mean over heads" if h is None else f"head {h}")
    view = sections.View(norms, pairs, layer, head, cleaned.src)
    sections.header(view)
    sections.image_export_status()

    def post_vs_pre() -> None:
        try:
            both = {n: st_cache.trace_pair(n, cleaned.src, cleaned.tgt, st.session_state.causal)
                    for n in ("post", "pre")}
        except ModelUnavailable as e:
            st.error(str(e))
        else:
            sections.post_vs_pre(both, layer, head)

    tab_sections = {
        "Attention maps": lambda: sections.attention_maps(view),
        "All heads": lambda: sections.all_heads(view),
        "Rollout": lambda: sections.rollout_maps(view),
        "Neuron view": lambda: sections.neuron_view(view),
        "Head ablation": lambda: ablation_view.head_ablation(view),
        "Post-LN vs Pre-LN": post_vs_pre,
        "Decoding step by step": lambda: sections.decoding(view),
        "Head summaries": lambda: sections.head_summaries(view),
    }
    tabs = st.tabs(list(tab_sections), key="tab", on_change="rerun")
    # Only the open tab is drawn: each holds many figures, and the page must stay fast.
    for tab, draw in zip(tabs, tab_sections.values(), strict=True):
        with tab:
            if tab.open:
                draw()

st.navigation([
    st.Page(attention_page, title="Attention inside the Transformer", icon=":material/grid_on:",
            default=True),
    st.Page("pages/2_Your_model.py", title="Your model", icon=":material/folder_open:"),
]).run()
