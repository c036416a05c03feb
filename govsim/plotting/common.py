"""What every figure module shares: saving a figure.

No backend is forced: matplotlib picks Agg on a machine without a display, and a notebook keeps its
inline backend, so figures returned by ``govsim.plotting`` show in Jupyter.
"""

from __future__ import annotations

import matplotlib.pyplot as plt


def save(fig, path, dpi: int = 120) -> None:
    """Write ``fig`` to ``path`` and close it (frees its memory)."""
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
