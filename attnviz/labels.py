"""Names shown to people and given to files, said once for the app, the CLI and the figures."""

NORM_LABELS = {"post": "Post-LN", "pre": "Pre-LN"}
# The CLI's spelling of each attention kind (--neuron, --ablate).
KIND_NAMES = {"enc": "encoder_self", "self": "decoder_self", "cross": "cross"}


def map_name(layer: int, head: int | None) -> str:
    """"L0_mean" (the mean over heads) or "L0_h3"."""
    return f"L{layer}_{'mean' if head is None else f'h{head}'}"


def file_stem(norm: str, causal: bool, *parts: str) -> str:
    """The name (without extension) of a trace's exported file, the same from the app and
    the CLI: attnviz_post_causal_cross_L0_mean, attnviz_pre_nocausal_maps, ..."""
    return figure_stem(norm, "causal" if causal else "nocausal", *parts)


def figure_stem(*parts: str) -> str:
    """The name (without extension) of any other exported file: attnviz_stats_update_ratio,
    attnviz_training_loss, attnviz_post_step2_cross, ..."""
    return "_".join(["attnviz", *parts])
