"""How ``autograd.explain`` grows with the graph: ``python -m bench.explain``.

A chain of ``tanh`` nodes has one path of one factor per node, so a linear explain spends the same
time per node at every length (it was quadratic: 45,000 nodes took 4.8 s, 150,000 took 36 s). The
second table explains every parameter of an MLP with ``explain_each`` (one walk of the graph) against
one ``explain`` per parameter (one walk each), for the parameters whose paths fit ``max_paths``.
"""
from __future__ import annotations

import functools
import sys

import autograd
import nn
from autograd import Value
from autograd.conventions.command_line import Parser, positive_int, run

from .common import format_duration, interleaved_medians, markdown_table


def chain(length: int) -> tuple[Value, Value]:
    x = Value(0.3, "x")
    y = x
    for _ in range(length):
        y = y.tanh()
    return x, y


def _explained(output: Value, wrt: Value) -> str:
    """The explanation as printed: its text is part of what is timed."""
    return str(autograd.explain(output, wrt))


def chain_rows(lengths: list[int], repeats: int) -> list[list[str]]:
    rows = []
    for length in lengths:
        x, y = chain(length)
        seconds = interleaved_medians({"explain": functools.partial(_explained, y, x)}, repeats=repeats,
                                      label=f"a chain of {length:,} nodes")["explain"]
        rows.append([f"{length:,}", format_duration(seconds), format_duration(seconds / length)])
    return rows


def mlp_row(sizes: list[int], repeats: int) -> list[str]:
    model = nn.MLP(2, sizes, seed=0)
    output = model([0.5, -0.5])
    wanted = model.layers[-1].parameters()  # one path each
    together, apart = autograd.explain_each(output, wanted), [autograd.explain(output, p) for p in wanted]
    if [str(e) for e in together] != [str(e) for e in apart]:
        raise AssertionError("explain_each and explain disagree")
    medians = interleaved_medians({
        "explain_each": lambda: autograd.explain_each(output, wanted),
        "explain per parameter": lambda: [autograd.explain(output, p) for p in wanted]}, repeats=repeats,
        label=f"MLP {sizes}")
    each, one_by_one = medians["explain_each"], medians["explain per parameter"]
    return ["-".join(map(str, [2, *sizes])), str(len(wanted)), format_duration(each), format_duration(one_by_one),
            f"{one_by_one / each:.1f}x"]


def main(argv: list[str] | None = None) -> None:
    parser = Parser(prog="python -m bench.explain", description=__doc__.splitlines()[0])
    parser.add_argument("--max-length", type=positive_int, default=160_000,
                        help="the longest chain (default %(default)s)")
    parser.add_argument("--repeats", type=positive_int, default=5,
                        help="interleaved samples per median (default %(default)s)")
    parser.add_argument("--mlp-width", type=positive_int, default=64,
                        help="the hidden width of the larger MLP (default %(default)s)")
    args = parser.parse_args(argv)
    lengths = [n for n in (10_000, 40_000, 160_000) if n <= args.max_length]
    print(f"explain on a tanh chain; medians of {args.repeats}")
    print(markdown_table(["nodes", "explain + str", "per node"], chain_rows(lengths, args.repeats)))
    print("\nthe last layer's parameters of an MLP (one path each)")
    print(markdown_table(["MLP", "parameters", "explain_each", "explain per parameter", "ratio"],
                         [mlp_row(sizes, args.repeats) for sizes in ([16, 16, 1], [args.mlp_width] * 3 + [1])]))


if __name__ == "__main__":
    sys.exit(run("python -m bench.explain", main))
