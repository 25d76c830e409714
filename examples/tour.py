"""The tour: 3Blue1Brown's four-neuron chain drawn, explained and explorable; micrograd's moons trained;
how to start the playground.

Writes into --out: four-neuron.svg (values and gradients), explorer.html (the step-by-step page),
moons-loss.png and moons-boundary.png (micrograd's demo), moons-model.json (the trained model).
"""
from __future__ import annotations

import sys
from pathlib import Path

import autograd
import nn
import viz
from autograd.conventions.command_line import Parser, run
from autograd.conventions.files import writable_folder, writable_target
from examples import moons_demo
from nn.plots import decision_boundary, loss_curve
from viz.explorer import explore

PROG = "python -m examples.tour"
PLAYGROUND = ("\n5. Train live in the browser, pause, click a point and step through its backward pass:\n"
              "   python -m viz playground        (a local page on 127.0.0.1; Ctrl-C stops it)\n"
              "\n6. Draw a digit for 3Blue1Brown's 784-16-16-10 network and see its backprop, then train it live:\n"
              "   python -m viz digits            (MNIST after `python -m nn download mnist`, else the 8x8 digits)")
OUTPUTS = ("four-neuron.svg", "explorer.html", "moons-loss.png", "moons-boundary.png", "moons-model.json")


def four_neuron_tour(out: Path) -> None:
    """Draw the lesson's network with values and gradients, print its chain rule, write the explorer."""
    net = viz.four_neuron()
    cost = net.output
    cost.backward()
    print("1. 3Blue1Brown's four-neuron chain:", viz.render(viz.draw(cost), out / "four-neuron.svg"))
    print("\n2. The chain rule, factor by factor (each number is a local derivative from the ops table):\n")
    for name in ["w⁽³⁾", "b⁽³⁾", "w⁽¹⁾"]:
        explanation = autograd.explain(cost, net.nodes[name])
        print(explanation)
        print(f"   backward() gives {net.nodes[name].grad:.4f}\n")
    page = explore(cost, out / "explorer.html", parameters=net.parameters, learning_rate=0.5,
                   title="3Blue1Brown's four-neuron chain")
    print(f"3. The step-by-step explorer: {page} (open it in a browser; arrow keys step)")


def moons_tour(out: Path) -> None:
    """micrograd's demo: a 2-16-16-1 ReLU network separates two moons in 100 steps."""
    print("\n4. micrograd's moons demo: MLP(2, [16, 16, 1]), hinge loss + 1e-4 L2, 100 steps")
    model, history, X, signs = moons_demo.train(progress=True)
    print(f"   final loss {history.loss[-1]:.4f}, acc {100 * nn.evaluate(model, (X, signs)):.1f}%")
    print("   loss curve:", loss_curve(history, out / "moons-loss.png", title="micrograd's moons demo"))
    print("   decision boundary:", decision_boundary(model, X, signs, out / "moons-boundary.png"))
    model.save(out / "moons-model.json")
    print(f"   model: {out / 'moons-model.json'} (try: python -m viz draw {out / 'moons-model.json'}"
          " --input 0.5,0.2 --collapsed -o net.svg)")


def main(argv: list[str] | None = None) -> int:
    """Run the tour; mistakes, a missing Graphviz and Ctrl-C exit with 2, 3 and 130 (``command_line``'s convention)."""
    return run(PROG, lambda: _tour(argv))


def _tour(argv: list[str] | None) -> int:
    parser = Parser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="tour", help="folder for the pictures and pages (default %(default)s)")
    out = Path(parser.parse_args(argv).out)
    writable_folder(out, "--out")
    out.mkdir(parents=True, exist_ok=True)
    for name in OUTPUTS:
        writable_target(out / name)  # every file the tour writes, before any work
    four_neuron_tour(out)  # without Graphviz: one line saying how to install it, exit status 3
    moons_tour(out)
    print(PLAYGROUND)
    return 0


if __name__ == "__main__":
    sys.exit(main())
