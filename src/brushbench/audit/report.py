"""The audit's result: findings, checks, and their text and JSON renderings."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Finding:
    """One probe on one comparison (all brushing orders, or one pattern's, vs legitimate ones).

    ``ap`` is the probe's average precision (the better sign for numeric probes, held-out
    target encoding for categorical ones), ``threshold`` the AP above which it is a leak.
    """

    probe: str
    column: str
    family: str
    pattern: str
    ap: float
    base_rate: float
    null_mean: float
    null_std: float
    threshold: float
    passed: bool
    direction: str
    unit: str
    n_units: int
    n_positive: int

    @property
    def name(self) -> str:
        """``table.column:probe``."""
        return f"{self.column}:{self.probe}"

    @property
    def excess(self) -> float:
        """AP minus threshold: positive for a leak."""
        return self.ap - self.threshold


@dataclass(frozen=True)
class Check:
    """A structural rule of the order log (rows sorted by time, unique ids)."""

    name: str
    passed: bool
    detail: str


@dataclass
class AuditReport:
    """What the leak audit found. ``passed`` is True when nothing separates where it must not."""

    findings: list[Finding]
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    exempt: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    n_orders: int = 0
    n_brushing: int = 0
    patterns: tuple[str, ...] = ()
    n_probes: int = 0
    seconds: float = 0.0
    #: Lines stating the sample the audit ran on (:mod:`brushbench.audit.sampling`); empty
    #: when it read every order.
    sample_lines: list[str] = field(default_factory=list)
    #: The sample as data (``rate``, ``orders``, ``orders_kept``, per pattern), or None.
    sample: dict[str, Any] | None = None

    @property
    def leaks(self) -> list[Finding]:
        """Findings above their threshold, the largest excess first."""
        return sorted((f for f in self.findings if not f.passed), key=lambda f: -f.excess)

    @property
    def passed(self) -> bool:
        return not self.leaks and all(c.passed for c in self.checks)

    def worst_first(self) -> list[Finding]:
        """Every finding, leaks first, then by how close the AP comes to its threshold."""
        return sorted(self.findings, key=lambda f: (f.passed, -f.excess, f.name, f.pattern))

    def to_dict(self) -> dict[str, Any]:
        def clean(d: dict[str, Any]) -> dict[str, Any]:
            return {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                    for k, v in d.items()}

        return {
            "passed": self.passed,
            "n_orders": self.n_orders,
            "n_brushing": self.n_brushing,
            "patterns": list(self.patterns),
            "n_findings": len(self.findings),
            "n_leaks": len(self.leaks),
            "params": dict(self.params),
            "checks": [asdict(c) for c in self.checks],
            "notes": list(self.notes),
            "exempt": list(self.exempt),
            "findings": [clean({**asdict(f), "name": f.name, "excess": f.excess})
                         for f in self.worst_first()],
            "sample": self.sample,
            "seconds": round(self.seconds, 3),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def summary(self) -> str:
        """``N probes, M leaks`` (and failed checks, if any)."""
        line = f"{len(self.findings)} probes, {len(self.leaks)} leaks"
        failed = sum(not c.passed for c in self.checks)
        if failed:
            line += f", {failed} failed checks"
        return line

    def render(self, top: int | None = 10) -> str:
        """A readable table: every leak, then the ``top`` closest passing findings (None = all)."""
        p = self.params
        head = [f"leak audit: {self.n_orders:,} orders, {self.n_brushing:,} brushing"
                + (f" ({', '.join(self.patterns)})" if self.patterns else ""),
                f"leak when AP > max(base rate, null mean) + max({p.get('min_margin')}, "
                f"{p.get('sigmas')} x null std, {p.get('top_hits')} / positives); null from "
                f"{p.get('permutations')} label permutations, seed {p.get('seed')}",
                *self.sample_lines]
        lines = [*head, ""]
        rows = self.worst_first()
        leaks = [f for f in rows if not f.passed]
        passing = [f for f in rows if f.passed]
        shown = leaks + (passing if top is None else passing[:top])
        if shown:
            width = max(len(f"{f.name} ({f.direction})") for f in shown)
            pw = max(max(len(f.pattern) for f in shown), 7)
            lines.append(f"{'':<6}{'probe':<{width}}  {'pattern':<{pw}}  {'AP':>6}  {'base':>6}"
                         f"  {'thresh':>6}  {'excess':>7}  {'positive/units':>16}  unit")
            for f in shown:
                lines.append(
                    f"{'LEAK' if not f.passed else 'ok':<6}"
                    f"{f.name + ' (' + f.direction + ')':<{width}}  {f.pattern:<{pw}}  "
                    f"{f.ap:6.3f}  {f.base_rate:6.3f}  {f.threshold:6.3f}  {f.excess:+7.3f}  "
                    f"{f'{f.n_positive:,}/{f.n_units:,}':>16}  {f.unit}")
            hidden = len(rows) - len(shown)
            if hidden:
                lines.append(f"      ... {hidden} more passing (--all lists them)")
            lines.append("")
        for c in self.checks:
            lines.append(f"{'ok' if c.passed else 'FAIL':<6}check: {c.name}"
                         + ("" if c.passed else f": {c.detail}"))
        for note in self.notes:
            lines.append(f"note: {note}")
        for ex in self.exempt:
            lines.append(f"exempt: {ex}")
        lines.append(self.summary() + (" (pass)" if self.passed else " (FAIL)"))
        return "\n".join(lines)
