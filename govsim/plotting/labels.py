"""The label registry, as plots import it (it lives in :mod:`govsim.labels`, beside the engine's tables)."""

from govsim.labels import FORUM_NAMES, INDEX, LABELS, SHARE, Label, axis, label, title

__all__ = ["FORUM_NAMES", "INDEX", "LABELS", "SHARE", "Label", "axis", "label", "title"]
