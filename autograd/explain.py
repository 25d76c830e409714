"""The chain rule made visible: paths of local derivatives, and the backward pass step by step."""
from __future__ import annotations

import math
from dataclasses import dataclass

from .graph import FLOATS, propagate, topological_order
from .value import Value, operand_data

MAX_NAME_DEPTH = 2
MAX_SHOWN_OPERANDS = 4


def name_of(node: Value, depth: int = MAX_NAME_DEPTH) -> str:
    """How a node reads in a formula: its label, its number, or the expression that made it."""
    if node.label:
        return node.label
    if node.is_leaf:
        return f"{node.data:.4g}"
    if depth == 0 or len(node.parents) > MAX_SHOWN_OPERANDS:
        return f"{node.op.symbol}(…)"
    return node.op.show([name_of(p, depth - 1) for p in node.parents])


def _as_denominator(name: str) -> str:
    return name if " " not in name and "*" not in name else f"({name})"


def _has_top_level_sum(text: str) -> bool:
    """True for ``1 − tanh(n)²``, False for ``2(a − y)``: a + or − outside any parentheses."""
    depth = 0
    for position, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
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


def local_texts(node: Value) -> tuple[str, ...]:
    """The right-hand side of ∂node/∂input for each input, in the operands' own names (``a⁽²⁾``)."""
    return node.op.texts([name_of(p) for p in node.parents])


def partial(upper: Value, lower: Value) -> str:
    """``∂upper/∂lower`` in the nodes' names."""
    return f"∂{_as_denominator(name_of(upper))}/∂{_as_denominator(name_of(lower))}"


@dataclass(frozen=True)
class Factor:
    """One factor of a chain-rule term: ∂upper/∂lower, spanning one or more graph edges."""

    upper: Value
    lower: Value
    edges: tuple[tuple[Value, int], ...]  # (node, input index), from lower to upper
    value: float
    text: str  # the right-hand side, e.g. "a⁽²⁾ · σ'(z⁽³⁾)"

    @property
    def edge(self) -> tuple[Value, Value]:
        return self.lower, self.upper

    @property
    def formula(self) -> str:
        return f"{partial(self.upper, self.lower)} = {self.text}"


@dataclass(frozen=True)
class Explanation:
    """∂output/∂wrt as a sum of terms, each a product of factors (``str()`` prints it with numbers)."""

    output: Value
    wrt: Value
    terms: tuple[tuple[Factor, ...], ...]

    @property
    def total(self) -> float:
        return math.fsum(math.prod(f.value for f in term) for term in self.terms)

    def __str__(self) -> str:
        head = partial(self.output, self.wrt)
        if not self.terms:
            return f"{head} = 0  ({name_of(self.output)} does not depend on {name_of(self.wrt)})"
        pad = " " * len(head)
        lines = [
            " · ".join(partial(f.upper, f.lower) for f in term) for term in self.terms
        ], [
            product_text([f.text for f in term]) for term in self.terms
        ], [
            " · ".join(_four_decimals(f.value) for f in term) for term in self.terms
        ]
        rows = [" + ".join(_group(term, len(self.terms)) for term in row) for row in lines]
        body = [f"{head} = {rows[0]}"] + [f"{pad} = {row}" for row in rows[1:]]
        return "\n".join(body + [f"{pad} = {self.total:.4f}"])


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

    def __missing__(self, node: Value) -> tuple[tuple, tuple]:
        entry = (node.op.local_grads(operand_data(node.parents), node.data, FLOATS), local_texts(node))
        self[node] = entry
        return entry

    def is_identity(self, node: Value, index: int) -> bool:
        return self[node][1][index] == "1"


def _factors(path: list[tuple[Value, int]], wrt: Value, rules: _LocalRules) -> tuple[Factor, ...]:
    """Group a path's edges into factors that break at labelled nodes.

    An unlabelled node is passed through when an edge beside it is an identity (a sum's 1),
    so ``w·a + b`` reads as one factor ∂z/∂w = a, as in 3Blue1Brown's lesson.
    """
    factors, start, lower = [], 0, wrt
    for position, (node, index) in enumerate(path):
        last = position == len(path) - 1
        if not last:
            following = path[position + 1]
            through = not node.label and (rules.is_identity(node, index) or rules.is_identity(*following))
            if through:
                continue
        edges = tuple(path[start:position + 1])
        shown = [rules[n][1][i] for n, i in edges if rules[n][1][i] != "1"]
        value = math.prod(rules[n][0][i] for n, i in edges)
        factors.append(Factor(node, lower, edges, value, product_text(shown) if shown else "1"))
        start, lower = position + 1, node
    return tuple(factors)


def explain(output: Value, wrt: Value, max_paths: int = 10_000) -> Explanation:
    """The gradient of ``output`` with respect to ``wrt`` as a sum over paths of products.

    Raises ValueError naming ``max_paths`` when the graph has more paths than that.
    """
    order = topological_order(output)
    consumers = _consumers(order)
    counts = _path_counts(order, consumers)
    paths = counts.get(wrt, 0)
    if paths > max_paths:
        raise ValueError(f"explain: {paths} paths lead from {name_of(wrt)} to {name_of(output)}, "
                         f"more than max_paths={max_paths}; raise max_paths or explain a smaller graph")
    terms: list[tuple[Factor, ...]] = []
    rules = _LocalRules()
    stack: list[tuple[Value, list]] = [(wrt, [])]
    while stack:
        node, path = stack.pop()
        if node is output:
            terms.append(_factors(path, wrt, rules))
            continue
        for user, index in reversed(consumers.get(node, [])):
            if counts.get(user):
                stack.append((user, path + [(user, index)]))
    return Explanation(output, wrt, tuple(terms))


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


def backward_steps(output: Value) -> list[Step]:
    """The backward pass as records, in the order the engine visits nodes (``.grad`` untouched)."""
    steps: list[Step] = []

    def record(node, upstream, local, before):
        running = dict(zip(node.parents, before))  # a reused operand receives twice: +=
        rules, texts = node.op.formulas, local_texts(node)  # names worked out once per node
        contributions = []
        for index, (parent, derivative) in enumerate(zip(node.parents, local)):
            if derivative is None:
                continue
            added = derivative * upstream
            previous, running[parent] = running[parent], running[parent] + added
            contributions.append(Contribution(
                parent, index, rules[min(index, len(rules) - 1)],
                f"{partial(node, parent)} = {texts[index]}",
                derivative, added, previous, running[parent]))
        steps.append(Step(node, upstream, tuple(contributions)))

    propagate(output, on_step=record)
    return steps
