"""The tour: the engine end to end (grows into the four-neuron tour)."""
from __future__ import annotations

import argparse

import autograd
from autograd import Value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="tour", help="folder for the pictures and pages")
    parser.parse_args(argv)
    a, b = Value(-4.0, "a"), Value(2.0, "b")
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    print(f"micrograd's example: g = {g.data:.4f}, dg/da = {a.grad:.4f}, dg/db = {b.grad:.4f}")
    x = Value(2.0, "x")
    y = x * x + x
    y.label = "y"
    print(autograd.explain(y, x))


if __name__ == "__main__":
    main()
