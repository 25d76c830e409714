"""The chain rule made visible: paths of local derivatives, and the backward pass step by step."""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

from .graph import FLOATS, propagate, topological_order
from .names import Names
from .value import Value, operand_data, require_value


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


def local_derivative(node: Value, index: int) -> float:
    """The ops table's local derivative ∂node/∂(its input ``index``), as a float."""
    return node.op.local_grads(operand_data(node.parents), node.data, FLOATS)[index]


@dataclass(frozen=True)
class Factor:
    """One factor of a chain-rule term: ∂upper/∂lower, spanning one or more graph edges."""

    upper: Value
    lower: Value
    edges: tuple[tuple[Value, int], ...]  # (node, input index), from lower to upper
    value: float
    text: str  # the right-hand side, e.g. "a⁽²⁾ · σ'(z⁽³⁾)"
    partial: str  # the left-hand side in the graph's names, e.g. "∂z⁽³⁾/∂w⁽³⁾"

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
        products = [math.prod(f.value for f in term) for term in self.terms]
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
        return rows + [f"{self.total:.4f}"]

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
                        for left, right in zip(lefts, self.rows()))
        return (f'<table class="chainrule-explanation" style="font-family: ui-monospace, monospace; '
                f'border-collapse: collapse">{cells}</table>')


def _group(text: str, term_count: int) -> str:
    return f"({text})" if term_count > 1 and " · " in text else (text or "1")


def _four_decimals(value: float) -> str:
    """A factor's value as the explanation prints it: four decimals, in parentheses when negative."""
    return f"({value:.4f})" if value < 0 else f"{value:.4f}"


def _consumers(order: list[Value]) -> dict:
    """For every node in ``order``: the (node, input index) edges that use it."""
    consumers: dict = {}
    for node in order:
        constant = node.op.constant_inputs if node.op else ()
        for index, parent in enumerate(node.parents):
            if index not in constant:
                consumers.setdefault(parent, []).append((node, index))
    return consumers


def _path_counts(order: list[Value], consumers: dict) -> dict:
    """How many paths lead from each node up to the output (the last node of ``order``)."""
    counts = {order[-1]: 1}
    for node in reversed(order[:-1]):
        counts[node] = sum(counts[user] for user, _ in consumers.get(node, ()))
    return counts


class _LocalRules(dict):
    """node -> (local derivatives, their texts), each node worked out once per explanation."""

    def __init__(self, names: Names) -> None:
        super().__init__()
        self.names = names

    def __missing__(self, node: Value) -> tuple[tuple, tuple]:
        entry = (node.op.local_grads(operand_data(node.parents), node.data, FLOATS), self.names.texts(node))
        self[node] = entry
        return entry

    def is_identity(self, node: Value, index: int) -> bool:
        return self[node][1][index] == "1"


def _is_activation(node: Value) -> bool:
    """An op with one differentiable input (tanh, σ, exp, a power): its result is worth a factor."""
    return len(node.parents) - len(node.op.constant_inputs) == 1


def _breaks(path: list[tuple[Value, int]], rules: _LocalRules) -> list[int]:
    """The positions on ``path`` where a factor ends: at labelled nodes, at the output, and between
    two local derivatives that are not 1 (one factor per op, a sum's 1 joining a neighbour).

    Between two such derivatives the factor ends after an activation, else as late as possible,
    so ``w·x + b`` reads as one factor ∂z/∂w = x and ``tanh(z)`` as its own, as in 3Blue1Brown's lesson.
    """
    breaks, pending = [], None  # pending: the last edge that is not 1, since the last break
    for position, (node, index) in enumerate(path):
        if not rules.is_identity(node, index):
            if pending is not None:
                breaks.append(pending if _is_activation(path[pending][0]) else position - 1)
            pending = position
        if node.label or position == len(path) - 1:
            breaks.append(position)
            pending = None
    return breaks


def _factors(path: list[tuple[Value, int]], wrt: Value, rules: _LocalRules) -> tuple[Factor, ...]:
    """Group a path's edges into factors that end at the positions :func:`_breaks` gives."""
    factors, start, lower = [], 0, wrt
    for end in _breaks(path, rules):
        node = path[end][0]
        edges = tuple(path[start:end + 1])
        shown = [rules[n][1][i] for n, i in edges if rules[n][1][i] != "1"]
        value = math.prod(rules[n][0][i] for n, i in edges)
        factors.append(Factor(node, lower, edges, value, product_text(shown) if shown else "1",
                              rules.names.partial(node, lower)))
        start, lower = end + 1, node
    return tuple(factors)


def _paths(wrt: Value, output: Value, consumers: dict, counts: dict):
    """Every path from ``wrt`` up to ``output`` as a list of (node, input index) edges, depth-first in
    operand order; one shared path grows and shrinks, so the walk is linear in what it yields."""
    if wrt is output:
        yield []
        return
    path, pending = [], [iter(consumers.get(wrt, ()))]
    while pending:
        for user, index in pending[-1]:
            if not counts.get(user):
                continue
            path.append((user, index))
            if user is output:
                yield list(path)
                path.pop()
                continue
            pending.append(iter(consumers.get(user, ())))
            break
        else:
            pending.pop()
            if path:
                path.pop()


def explain(output: Value, wrt: Value, max_paths: int = 10_000, names: Names | None = None) -> Explanation:
    """The gradient of ``output`` with respect to ``wrt`` as a sum over paths of products.

    ``names`` (``autograd.Names(output)``, made here when not given) names the nodes; pass one to
    explain several parameters of one graph. Raises ValueError naming ``max_paths`` when the graph
    has more paths than that.
    """
    require_value(output, "explain(output, wrt)'s output")
    require_value(wrt, "explain(output, wrt)'s wrt")
    return explain_each(output, [wrt], max_paths, names)[0]


def explain_each(output: Value, wrts, max_paths: int = 10_000, names: Names | None = None) -> list[Explanation]:
    """``explain(output, wrt)`` for every node of ``wrts``, walking the graph once for all of them.

    The work is linear in the graph's size plus the terms written out; ``max_paths`` bounds the paths
    of all of them together and is checked (ValueError naming it) before any term is built.
    """
    require_value(output, "explain_each(output, wrts)'s output")
    wrts = [require_value(wrt, "explain_each(output, wrts)'s wrts") for wrt in wrts]
    order = topological_order(output)
    names = Names(output, order) if names is None else names
    consumers = _consumers(order)
    counts = _path_counts(order, consumers)
    paths = sum(counts.get(wrt, 0) for wrt in wrts)
    if paths > max_paths:
        source = names[wrts[0]] if len(wrts) == 1 else f"the {len(wrts)} nodes asked for"
        raise ValueError(f"explain: {paths} paths lead from {source} to {names[output]}, "
                         f"more than max_paths={max_paths}; raise max_paths, or explain fewer nodes or a smaller graph")
    rules = _LocalRules(names)
    explanations = []
    for wrt in wrts:
        terms = tuple(_factors(path, wrt, rules) for path in _paths(wrt, output, consumers, counts))
        explanations.append(Explanation(output, wrt, terms, names.partial(output, wrt), names))
    return explanations


@dataclass(frozen=True)
class Contribution:
    """What one backward step adds to one operand: local derivative × upstream gradient."""

    parent: Value
    index: int
    rule: str  # the ops table's formula, e.g. "∂(a·b)/∂a = b"
    formula: str  # in the nodes' names, e.g. "∂z⁽³⁾/∂w⁽³⁾ = a⁽²⁾"
    local: float
    added: float
    before: float  # the operand's gradient before this step (non-zero: a reused node, +=)
    after: float


@dataclass(frozen=True)
class Step:
    """One node visited by the backward pass, with what it sends to each operand."""

    node: Value
    upstream: float
    contributions: tuple[Contribution, ...]


def backward_steps(output: Value, names: Names | None = None) -> list[Step]:
    """The backward pass as records, in the order the engine visits nodes (``.grad`` untouched).

    Formulas use ``names`` (default ``autograd.Names(output)``), as explain and the drawing do.
    """
    require_value(output, "backward_steps")
    names = Names(output) if names is None else names
    steps: list[Step] = []

    def record(node, upstream, local, before):
        running = dict(zip(node.parents, before))  # a reused operand receives twice: +=
        rules, texts = node.op.formulas, names.texts(node)
        contributions = []
        for index, (parent, derivative) in enumerate(zip(node.parents, local)):
            if derivative is None:
                continue
            added = derivative * upstream
            previous, running[parent] = running[parent], running[parent] + added
            contributions.append(Contribution(
                parent, index, rules[min(index, len(rules) - 1)],
                f"{names.partial(node, parent)} = {texts[index]}",
                derivative, added, previous, running[parent]))
        steps.append(Step(node, upstream, tuple(contributions)))

    propagate(output, on_step=record)
    return steps
