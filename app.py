"""attnviz: see the attention inside a small encoder-decoder Transformer."""

import streamlit as st

st.set_page_config(page_title="attnviz", layout="wide")
st.title("attnviz")
st.caption("Attention inside an English → Chinese Transformer, computed by our Triton kernel.")
source = st.text_input("Source sentence (English)", value="I love you")
target = st.text_input("Target sentence (Chinese, optional)", value="")
