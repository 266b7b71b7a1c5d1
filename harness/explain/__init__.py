"""Interpretability figures of encoders and finished runs.

- :mod:`~cmrbench.explain.study`: one study's attention (torchvision MViT) and gradient
  saliency (any encoder) overlays: MP4 videos, contact sheets, raw maps (``cmrbench explain``).
- :mod:`~cmrbench.explain.view_attention`: the multi-view head's mean relative attention per
  label and view plane from ``predictions.csv`` (``cmrbench view-attention``).
- :mod:`~cmrbench.explain.embedding_map`: UMAP (or PCA) of study embeddings coloured by a label
  (``cmrbench embedding-map``).
- :mod:`~cmrbench.explain.manifest`: ``RUN_DIR/figures.json``, what a leaderboard links.
"""
