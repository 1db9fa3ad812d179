"""The wing for other people's models: attnviz's kernel under Hugging Face and torch.nn
models, `capture` of their attention maps, and local loading for the "Your model" page.

    attnviz.backends.hf         register() an attention implementation with transformers
    attnviz.backends.nn         MultiheadAttention, swap_attention(model)
    attnviz.backends.capturing  capture(model, heads=..., pool=..., probs_dtype=...,
                                vectors=...)
    attnviz.backends.hf_local   load_local(folder), attention_maps(model, tokenizer, text,
                                vectors=...)
    attnviz.backends.heads      ablating(model, [(layer name, head), ...]): heads off
    attnviz.backends.importance lm_kind, predictions, head_importance (Michel et al.)
    attnviz.backends._gates     the context variable of switched-off heads
    attnviz.backends._maps      what they share: masks in the kernel's terms, the kernel
                                call, the shaping of maps, the state of an active capture

The same names are public as `attnviz.hf`, `attnviz.nn` and `attnviz.capture`. Nothing
here imports Streamlit or attnviz's own models; the kernel's limits come from `kernels`.
"""
