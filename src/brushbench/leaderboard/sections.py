"""Extra sections of the leaderboard: a hook for features that add their own part to the page.

A :class:`Section` carries its own Markdown and HTML; :func:`brushbench.leaderboard.build` (and
``write_board``) take a sequence of them and place them, in the order given, after the
discrimination checks and the failed runs and before the list of entries, in both the README
and the HTML page. The section's text must be byte-stable (no clock) like the rest.

>>> from brushbench.leaderboard.sections import Section
>>> Section("Rounds", ["One line of Markdown."], ["<p>One paragraph.</p>"]).markdown_lines()
['## Rounds', '', 'One line of Markdown.']
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """A heading and its body, once as Markdown lines and once as HTML lines."""

    title: str
    markdown: Sequence[str]
    html: Sequence[str]

    def markdown_lines(self) -> list[str]:
        return [f"## {self.title}", "", *self.markdown]

    def html_lines(self) -> list[str]:
        return [f"<h2>{html.escape(self.title)}</h2>", *self.html]


__all__ = ["Section"]
