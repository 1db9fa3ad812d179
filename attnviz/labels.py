"""Names shown to people, said once for the app, the CLI and the figures."""

NORM_LABELS = {"post": "Post-LN", "pre": "Pre-LN"}
