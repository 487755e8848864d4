"""The leaderboard's figures as PNG bytes (matplotlib, an optional dependency).

Byte-stable: figures are drawn on their own Agg canvas (no pyplot, no global backend switch),
under matplotlib's default style (a user's ``matplotlibrc`` cannot change them), with the
bundled DejaVu fonts, and written by Pillow as palette PNGs with no metadata (no software
version, no time). The same matplotlib and Pillow then give the same bytes; other versions may
draw them slightly differently, which is why the rebuild test compares the README, not the
page.
"""

from __future__ import annotations

import importlib.util
import io
import math
from collections.abc import Sequence

from .stats import Curve

INSTALL_HINT = "pip install 'brushbench[leaderboard]'"
DPI = 100


def available() -> bool:
    """Is matplotlib installed (the HTML page needs it; the README does not)?"""
    return importlib.util.find_spec("matplotlib") is not None


def colors(n: int) -> list[tuple[tuple[float, float, float, float], str]]:
    """(colour, line style) of the i-th entry: tab10, then tab20, then dashed repeats."""
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    size = 10 if n <= 10 else 20
    styles = ("-", "--", ":", "-.")
    return [(cmap(i % size), styles[(i // size) % len(styles)]) for i in range(n)]


def _png(fig) -> bytes:
    """The figure as a 256-colour palette PNG: a third of the size of matplotlib's RGBA PNG
    and, for flat-coloured charts, the same to the eye (Pillow comes with matplotlib)."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgb = np.asarray(canvas.buffer_rgba())[..., :3]
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).quantize(256).save(buf, format="png",
                                                                 optimize=True)
    return buf.getvalue()


def pr_curves(scenario: str, series: Sequence[tuple[str, Curve | None]],
              base_rate: float | None) -> bytes:
    """One scenario's mean PR curve of each entry, and the chance level (the base rate).

    ``series`` is (label, curve) per entry, in the entries' order (an entry without a curve
    keeps its colour and is named "no curve" in the legend).
    """
    import matplotlib.style
    from matplotlib.figure import Figure

    with matplotlib.style.context("default"):
        fig = Figure(figsize=(6.4, 3.6), dpi=DPI)
        ax = fig.add_subplot()
        for (label, curve), (color, style) in zip(series, colors(len(series)), strict=True):
            if curve is None:
                ax.plot([], [], color=color, linestyle=style, label=f"{label} (no curve)")
                continue
            ax.plot(curve.recall, curve.precision, color=color, linestyle=style, linewidth=1.6,
                    label=label)
        if base_rate is not None:
            ax.axhline(base_rate, color="0.5", linewidth=0.8, linestyle="--",
                       label=f"chance ({base_rate:.3f})")
        ax.set(xlim=(0, 1), ylim=(0, 1.02), xlabel="recall", ylabel="interpolated precision",
               title=scenario)
        ax.grid(True, linewidth=0.4, alpha=0.5)
        # Outside the axes: curves run from the top left to the bottom right, so no corner
        # inside is free, and a legend on top of them hides the part that matters.
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        fig.tight_layout()
        return _png(fig)


def heatmap(rows: Sequence[str], columns: Sequence[str],
            values: Sequence[Sequence[float | None]], title: str) -> bytes:
    """``values[i][j]`` of row ``rows[i]`` and column ``columns[j]`` in [0, 1]; None is a grey
    cell marked "—"."""
    import matplotlib.style
    import numpy as np
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    data = np.array([[math.nan if v is None else float(v) for v in row] for row in values],
                    dtype=float).reshape(len(rows), len(columns))
    cmap = colormaps["viridis"].with_extremes(bad="0.85")
    with matplotlib.style.context("default"):
        fig = Figure(figsize=(1.6 + 1.1 * max(len(columns), 1), 0.9 + 0.45 * max(len(rows), 1)),
                     dpi=DPI)
        ax = fig.add_subplot()
        image = ax.imshow(np.ma.masked_invalid(data), cmap=cmap, vmin=0.0, vmax=1.0,
                          aspect="auto")
        ax.set_xticks(range(len(columns)), labels=list(columns), rotation=30, ha="right",
                      fontsize=8)
        ax.set_yticks(range(len(rows)), labels=list(rows), fontsize=8)
        for i in range(len(rows)):
            for j in range(len(columns)):
                v = data[i, j]
                text = "—" if math.isnan(v) else f"{v:.2f}"
                dark = not math.isnan(v) and v < 0.6
                ax.text(j, i, text, ha="center", va="center", fontsize=8,
                        color="white" if dark else "black")
        ax.set_title(title, fontsize=9)
        fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
        fig.tight_layout()
        return _png(fig)


__all__ = ["INSTALL_HINT", "available", "colors", "heatmap", "pr_curves"]
