"""What ``explain`` returns: ∂output/∂wrt as a sum of terms, each a product of factors, and how it prints."""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

from .names import Names
from .value import Value


def _has_top_level_sum(text: str) -> bool:
    """True for ``1 − tanh(n)²``, False for ``2(a − y)``: a + or − outside any parentheses."""
    depth = 0
    for position, ch in enumerate(text):
        depth += (ch in "([") - (ch in ")]")
        if depth == 0 and ch in "+−" and text[position - 1:position] == " ":
            return True
    return False


def product_text(texts: list[str]) -> str:
    """Factors joined with ``·``, a factor that is a sum or difference in parentheses."""
    if len(texts) == 1:
        return texts[0]
    return " · ".join(f"({t})" if _has_top_level_sum(t) else t for t in texts)



@dataclass(frozen=True)
class Factor:
    """One factor of a chain-rule term: ∂upper/∂lower, spanning one or more graph edges."""

    upper: Value
    lower: Value
    edges: tuple[tuple[Value, int], ...]  # (node, input index), from lower to upper
    value: float
    text: str  # the right-hand side, e.g. "a⁽²⁾ · σ'(z⁽³⁾)"
    partial: str  # the left-hand side in the graph's names, e.g. "∂z⁽³⁾/∂w⁽³⁾"
    sends_nothing: bool = False  # a selecting op's 0 on it (relu left of 0): its term adds 0, as backward does

    @property
    def edge(self) -> tuple[Value, Value]:
        return self.lower, self.upper

    @property
    def formula(self) -> str:
        return f"{self.partial} = {self.text}"


@dataclass(frozen=True)
class Explanation:
    """∂output/∂wrt as a sum of terms, each a product of factors (``str()`` prints it with numbers)."""

    output: Value
    wrt: Value
    terms: tuple[tuple[Factor, ...], ...]
    head: str  # ∂output/∂wrt in the graph's names
    names: Names = field(repr=False, compare=False)

    @property
    def total(self) -> float:
        products = [0.0 if any(f.sends_nothing for f in term) else math.prod(f.value for f in term)
                    for term in self.terms]  # 0, not 0·∞, where a relu sends nothing (ops.sends_nothing)
        try:
            return math.fsum(products)
        except (OverflowError, ValueError):  # a sum past the float range, or inf − inf: what + gives
            return sum(products)

    def rows(self) -> list[str]:
        """The right-hand sides, one per line: partials, formulas, numbers, the total.

        The partials row is left out when every term is one factor (it would repeat the head), and
        the numbers row when there is one number in all (the total says it).
        """
        if not self.terms:
            return [f"0  ({self.names[self.output]} does not depend on {self.names[self.wrt]})"]
        lines = []
        if any(len(term) > 1 for term in self.terms):
            lines.append([" · ".join(f.partial for f in term) for term in self.terms])
        lines.append([product_text([f.text for f in term]) for term in self.terms])
        if len(self.terms) > 1 or len(self.terms[0]) > 1:
            lines.append([" · ".join(_four_decimals(f.value) for f in term) for term in self.terms])
        rows = [" + ".join(_group(term, len(self.terms)) for term in line) for line in lines]
        return [*rows, _decimals(self.total)]

    def __str__(self) -> str:
        first, *rest = self.rows()
        pad = " " * len(self.head)
        return "\n".join([f"{self.head} = {first}"] + [f"{pad} = {row}" for row in rest])

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        """IPython's plain-text display: the chain as ``print`` shows it."""
        printer.text(str(self))

    def _repr_html_(self) -> str:
        """The chain as a table of aligned rows, shown by Jupyter, VS Code and Colab."""
        lefts = [self.head] + [""] * (len(self.rows()) - 1)
        cells = "".join(f'<tr><td style="text-align: right">{html.escape(left)}</td><td>=</td>'
                        f'<td style="text-align: left">{html.escape(right)}</td></tr>'
                        for left, right in zip(lefts, self.rows(), strict=True))
        return (f'<table class="chainrule-explanation" style="font-family: ui-monospace, monospace; '
                f'border-collapse: collapse">{cells}</table>')


def _group(text: str, term_count: int) -> str:
    return f"({text})" if term_count > 1 and " · " in text else (text or "1")


def _four_decimals(value: float) -> str:
    """A factor's value as the explanation prints it: ``_decimals``, in parentheses when negative."""
    return f"({_decimals(value)})" if value < 0 else _decimals(value)


def _decimals(value: float) -> str:
    """Four decimals; from a million on, three and an exponent (four decimals of 1e300 are 305 characters)."""
    return f"{value:.3e}" if math.isfinite(value) and abs(value) >= 1e6 else f"{value:.4f}"
