"""The generated replay: a plan's source printed once (``replay_emit``), compiled once, called per step.

The groups are cut into chunks of ``CHUNK``, each a forward and a backward function (a 100,000-group
chain compiles in bounded memory). A chunk's forward returns what its backward reads (``saved``); the
first chunk also copies the parameters with slots into ``V`` and adds their gradients to ``dP``. The
variants (with ``check`` lines under ``detect_anomaly``; a backward without the inputs' gradients for
training) are compiled when first asked for.
"""
from __future__ import annotations

import numpy as np

from .modes import AnomalyError
from .replay_emit import Emitter
from .replay_products import ProductGroup
from .replay_source import identifier, plain_name

CHUNK = 1000  # groups per generated function


def step(a: np.ndarray) -> np.ndarray:
    """1.0 where ``a > 0``, else 0.0: the ``m.step`` of the ops table's rules over arrays."""
    return (a > 0).astype(float)


def check(array: np.ndarray, op_name: str, size: int, direction: str) -> None:
    """What a checked program runs after each line (``detect_anomaly``): stop at the first NaN or inf."""
    if not np.isfinite(array).all():
        raise AnomalyError(f"compiled {direction} of op '{op_name}' ({size} nodes) produced NaN or inf")


class Program:
    """The plan as generated numpy functions, and what the generator asks: names, who fills which slots."""

    def __init__(self, plan) -> None:
        self.plan, self.groups, self.titles = plan, plan.groups, plan.titles
        self.taken: dict[str, int] = {}  # every name given in the program (see replay_source.identifier)
        self.heads = [title.split(" · ")[0].split(" = ")[0] for title in plan.titles]  # each group's name as read
        self.names = [identifier(head, "z" if isinstance(group, ProductGroup) else group.op.name, self.taken)
                      for group, head in zip(plan.groups, self.heads, strict=True)]
        self._leaf_names: dict[tuple[int, bool], str | None] = {}
        self.by_range = {(g.start, g.stop): number for number, g in enumerate(plan.groups)}
        feeding = [number for number, g in enumerate(plan.groups) if isinstance(g, ProductGroup) and g.inputs_only]
        self.feed_index = {number: k for k, number in enumerate(feeding)}
        self.feed_rows = [plan.groups[number].x_rows for number in feeding]
        self.constants: dict = {}  # the arrays and scatters the text names, shared by every chunk and variant
        self.x_names: dict[int, str] = {}  # each matrix product's columns as its forward names them
        count = len(plan.groups)
        self._chunks = [(first, min(first + CHUNK, count)) for first in range(0, count, CHUNK)] or [(0, 0)]
        self.read_in_v = np.zeros(plan.slots, dtype=bool)  # slots some line (or the caller: outputs) reads in V
        self.read_in_v[list(plan.outputs)] = True
        self.read_slots: list[np.ndarray] = [np.asarray(plan.outputs)]  # what each line reads (the caller: outputs)
        self.operands: dict = {}  # each plain group's operands, as its forward read them (for its backward)
        self._forward_lines, self._saved, self._leaves = [], [], []
        for first, stop in self._chunks:
            emitter = Emitter(self, first, stop, checked=True)  # its check lines are dropped from the unchecked text
            lines = [(number, emitter.forward(number, plan.groups[number])) for number in range(first, stop)]
            self._forward_lines.append(lines)
            self._leaves.append(emitter.leaves)
            self._saved.append([f"F{k}" for k in range(len(feeding))] + list(emitter.leaves) + _defined(lines))
        self.reads = np.bincount(np.concatenate(self.read_slots), minlength=plan.slots)  # how often each slot is read
        self._functions: dict[tuple, list] = {}

    def leaf_name(self, slot: int, varying: bool) -> str | None:
        """The name a labelled leaf's row is read by (``w1 = V[4:5]``; ``w1_2 = V[4:5, :1]``, its first column),
        None for an unlabelled leaf or a computed slot."""
        key = (slot, varying)
        if key not in self._leaf_names:
            labels = self.plan.leaf_labels
            label = labels[slot] if slot < len(labels) else ""
            self._leaf_names[key] = identifier(label, "", self.taken) if plain_name(label) else None
        return self._leaf_names[key]

    def _parameter_rows(self, chunk: int) -> list[tuple[str, str, int, int]]:
        """(rows of V, gradient from G, first and last position in P) of the parameters with slots (first chunk)."""
        i, every, buffered = len(self.plan.inputs), self.plan.broadcast, self.plan.buffered
        runs = [(f"V[{i}:{i + every}]", f"G[{i}:{i + every}].sum(axis=1)", 0, every),
                (f"V[{i + every}:{i + buffered}, :1]", f"G[{i + every}:{i + buffered}, 0]", every, buffered)]
        return [run for run in runs if run[3] > run[2] and chunk == 0]

    def _forward_groups(self, chunk: int, checked: bool) -> list[tuple[int, list[str]]]:
        """Each group of ``chunk`` with its forward lines."""
        return [(number, [self._written(line, number) for line in lines if checked or not line.startswith("check(")])
                for number, lines in self._forward_lines[chunk]]

    def _written(self, line: str, number: int) -> str:
        """The group's result line, also writing V when a later line or the caller reads it there."""
        group = self.groups[number]
        if not line.startswith(f"{self.names[number]} = ") or not self.read_in_v[group.start:group.stop].any():
            return line
        return f"V[{group.start}:{group.stop}{'' if group.every_row else ', :1'}] = {line}"

    def _backward_groups(self, chunk: int, checked: bool, input_grads: bool) -> list[tuple[int, list[str]]]:
        """Each group of ``chunk``, last first, with its backward lines."""
        first, stop = self._chunks[chunk]
        emitter = Emitter(self, first, stop, checked, input_grads)
        return [(number, emitter.backward(number, self.groups[number])) for number in range(stop - 1, first - 1, -1)]

    def _text(self, backward: bool, chunk: int, checked: bool, input_grads: bool, name: str) -> str:
        """One chunk's forward or backward function as source, named ``name``."""
        saved, runs = _tuple(self._saved[chunk]), self._parameter_rows(chunk)
        if backward:
            head, first = "V, G, dP, saved", [f"{saved} = saved"] if saved else []
            groups = self._backward_groups(chunk, checked, input_grads)
            last = [f"dP[{a}:{b}] += {total}" for _, total, a, b in runs]
        else:
            feeds = _tuple([f"F{k}" for k in range(len(self.feed_rows))])
            head, first = "V, P, F", ([f"{feeds} = F"] if feeds else []) + [f"{v_rows} = P[{a}:{b}, None]"
                                                                           for v_rows, _, a, b in runs]
            first += [f"{leaf} = {row}" for leaf, row in self._leaves[chunk].items()]
            groups, last = self._forward_groups(chunk, checked), [f"return ({saved})"]
        body = first + [line for _, lines in groups for line in lines] + last
        return f"def {name}({head}):\n" + "".join(f"    {line}\n" for line in body or ["pass"])

    def functions(self, backward: bool, checked: bool, input_grads: bool = True) -> list:
        """The forward (or backward) function of each chunk, compiled the first time it is asked for."""
        key = (backward, checked, input_grads and backward)
        if key not in self._functions:
            functions = []
            for chunk in range(len(self._chunks)):
                source = self._text(backward, chunk, checked, input_grads, "run")
                namespace = {"np": np, "step": step, "check": check, **dict(self.constants.values())}
                exec(compile(source, f"<replay chunk {chunk}>", "exec"), namespace)  # our own text, no user's
                functions.append(namespace["run"])
            self._functions[key] = functions
        return self._functions[key]

    def group_lines(self, input_grads: bool = True) -> list[tuple[list[str], list[str]]]:
        """Each group's lines of ``source(input_grads)``, as printed there: (forward lines, backward lines)."""
        lines: list[tuple[list[str], list[str]]] = [([], []) for _ in self.groups]
        for chunk in range(len(self._chunks)):
            for number, forward in self._forward_groups(chunk, False):
                lines[number][0].extend(forward)
            for number, backward in self._backward_groups(chunk, False, input_grads):
                lines[number][1].extend(backward)
        return lines

    def source(self, input_grads: bool = True) -> str:
        """The generated program as Python text: each chunk's forward, then its backward."""
        suffix = [""] if len(self._chunks) == 1 else [f"_{chunk}" for chunk in range(len(self._chunks))]
        return "\n\n".join(self._text(backward, chunk, False, input_grads, f"{name}{suffix[chunk]}")
                             for chunk in range(len(self._chunks))
                             for backward, name in ((False, "forward"), (True, "backward")))


def _defined(lines: list) -> list[str]:
    """The names a chunk's forward binds, which its backward may read: results, matrices, blocks."""
    saved = []
    for _, group_lines in lines:
        for line in group_lines:
            head = line.split(" = ", 1)[0]
            if " = " in line and head.isidentifier():
                saved.append(head)
    return list(dict.fromkeys(saved))


def _tuple(names: list[str]) -> str:
    """``names`` as a tuple's source (``a, b``; ``a,`` for one)."""
    return ", ".join(names) + ("," if len(names) == 1 else "")
