"""Every public function checks its arguments first (issue 24): a wrong-typed value for any parameter
of any name autograd, nn and viz export is a TypeError or ValueError whose message names that parameter.

The parameters are read from the signatures; a table below gives one valid call of each function,
and hypothesis replaces one parameter at a time with values of a kind that parameter does not take
(read from its annotation: a str where a number goes, a float where a count goes, a number where a
flag or a Value goes, and objects no parameter takes).
"""
from __future__ import annotations

import inspect
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd
import nn
import viz
from autograd import Value
from autograd.conventions import files

FOLDER = Path(tempfile.mkdtemp(prefix="chainrule-arguments-"))


def _graph():
    x, w = Value(2.0, "x"), Value(-0.5, "w")
    out = (w * x).tanh()
    out.label = "out"
    return out, x, w


def _model():
    return nn.MLP(2, [3, 1], seed=0)


def _data():
    return [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [1.0, 1.0]], [0, 1, 1, 0]


def _trained_history():
    return nn.fit(_model(), _data(), steps=2, progress=False)


# one valid call of each public function: its required (and some optional) arguments by name
VALID = {
    autograd.Value: lambda: {"data": 1.0, "label": "x"},
    autograd.as_value: lambda: {"operand": 1.0},
    autograd.sum: lambda: {"values": [Value(1.0), 2.0], "label": "s"},
    autograd.topological_order: lambda: {"root": _graph()[0]},
    autograd.constant_leaves: lambda: {"order": autograd.topological_order(_graph()[0])},
    autograd.backward: lambda: {"output": _graph()[0]},
    autograd.grad: lambda: {"output": (g := _graph())[0], "inputs": [g[1]], "create_graph": False},
    autograd.gradcheck: lambda: {"fn": lambda a: a * a, "inputs": [1.5], "eps": 1e-6, "atol": 1e-5, "rtol": 1e-3},
    autograd.numerical_gradient: lambda: {"fn": lambda a: a * a, "inputs": [Value(1.5)], "eps": 1e-6},
    autograd.central_differences: lambda: {"function": lambda p: p[0] ** 2, "point": [1.0], "eps": 1e-6,
                                           "indices": [0]},
    autograd.gradients_agree: lambda: {"analytic": 1.0, "numerical": 1.0, "atol": 1e-5, "rtol": 1e-3},
    autograd.explain: lambda: {"output": (g := _graph())[0], "wrt": g[2], "max_paths": 100, "names": None},
    autograd.explain_each: lambda: {"output": (g := _graph())[0], "wrts": [g[2]], "max_paths": 100, "names": None},
    autograd.backward_steps: lambda: {"output": _graph()[0], "names": None},
    autograd.Names: lambda: {"output": _graph()[0], "order": None},
    autograd.name_of: lambda: {"node": _graph()[0]},
    autograd.local_derivative: lambda: {"node": _graph()[0], "index": 0},
    autograd.superscript: lambda: {"number": 3},
    autograd.subscript: lambda: {"number": 3},
    autograd.plain_digits: lambda: {"text": "w⁽³⁾"},
    autograd.compile: lambda: {"output": (g := _graph())[0], "inputs": [g[1]]},
    nn.Neuron: lambda: {"nin": 2, "activation": "relu", "bias": True, "layer": 1, "index": 0, "bound": 1.0},
    nn.Layer: lambda: {"nin": 2, "nout": 3, "activation": "relu", "bias": True, "layer": 1, "init": "uniform"},
    nn.MLP: lambda: {"nin": 2, "nouts": [3, 1], "activation": "relu", "seed": 0, "output_activation": "linear",
                     "bias": True, "init": "uniform"},
    nn.mse: lambda: {"predictions": [Value(0.5)], "targets": [1.0]},
    nn.sse: lambda: {"predictions": [Value(0.5)], "targets": [1.0]},
    nn.hinge: lambda: {"scores": [Value(0.5)], "labels": [1]},
    nn.binary_cross_entropy: lambda: {"probabilities": [Value(0.5)], "targets": [1.0]},
    nn.cross_entropy: lambda: {"logits": [[Value(0.5), Value(-0.5)]], "labels": [1]},
    nn.softmax: lambda: {"logits": [Value(0.5), 1.0]},
    nn.SGD: lambda: {"params": _model().parameters(), "lr": 0.1, "momentum": 0.5, "dampening": 0.0, "weight_decay": 0.0,
                     "nesterov": False},
    nn.Adam: lambda: {"params": _model().parameters(), "lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-8,
                      "weight_decay": 0.0},
    nn.fit: lambda: {"model": _model(), "data": _data(), "loss": "mse", "optimizer": None, "steps": 1, "batch_size": 2,
                     "seed": 0, "l2": 0.0, "lr_schedule": None, "progress": False, "compiled": True, "l1": 0.0,
                     "start_step": 0},
    nn.Trainer: lambda: {"model": _model(), "data": _data(), "loss": "mse", "optimizer": None, "batch_size": 2,
                         "seed": 0, "l2": 0.0, "lr_schedule": None, "compiled": True, "start_step": 0, "l1": 0.0,
                         "validation": None},
    nn.evaluate: lambda: {"model": _model(), "data": _data()},
    nn.accuracy: lambda: {"outputs": [0.2, 0.9], "targets": [0, 1], "threshold": 0.5},
    nn.confusion_matrix: lambda: {"model": _model(), "data": _data(), "classes": 2},
    nn.per_class_accuracy: lambda: {"matrix": [[1, 0], [0, 1]]},
    nn.linear_decay: lambda: {"start": 1.0, "steps": 10, "end_fraction": 0.1},
    nn.loss_and_grads: lambda: {"model": _model(), "loss": nn.mse, "inputs": _data()[0], "targets": _data()[1],
                                "l1": 0.0, "l2": 0.0},
    nn.save: lambda: {"model": _model(), "path": FOLDER / "model.json"},
    nn.load: lambda: {"path": _saved()},
    nn.Signature: lambda: {"inputs": ("x", "y"), "features": None, "classes": None},
    nn.CompiledModel: lambda: {"model": _model()},
    nn.state_dict: lambda: {"model": _model()},
    nn.datasets.moons: lambda: {"n": 10, "noise": 0.1, "seed": 0},
    nn.datasets.circles: lambda: {"n": 10, "noise": 0.1, "seed": 0, "factor": 0.5},
    nn.datasets.spiral: lambda: {"n": 10, "noise": 0.1, "seed": 0, "turns": 1.5, "classes": 2},
    nn.datasets.spiral3: lambda: {"n": 10, "noise": 0.1, "seed": 0},
    nn.datasets.gauss: lambda: {"n": 10, "noise": 0.1, "seed": 0},
    nn.datasets.blobs: lambda: {"n": 10, "noise": 0.1, "seed": 0, "classes": 3},
    nn.datasets.xor: lambda: {"n": 10, "noise": 0.1, "seed": 0},
    nn.datasets.split: lambda: {"X": _data()[0], "y": _data()[1], "test_fraction": 0.5, "seed": 0},
    nn.datasets.stratified_split: lambda: {"X": _data()[0], "y": _data()[1], "fraction": 0.5, "seed": 0},
    nn.datasets.one_hot: lambda: {"labels": [0, 1], "classes": 2},
    nn.datasets.load_csv: lambda: {"path": _csv()},
    nn.features.check: lambda: {"names": ["x1", "x2"]},
    nn.features.parse: lambda: {"text": "x1,x2"},
    nn.features.transform: lambda: {"X": [[0.0, 1.0]], "names": ["x1", "x2"]},
    files.write_file: lambda: {"path": FOLDER / "written.txt", "data": "text"},
    files.read_file: lambda: {"path": _saved(), "max_bytes": 1_000_000},
    nn.schedules.Constant: lambda: {"lr": 0.1, "warmup": 0},
    nn.schedules.Linear: lambda: {"lr": 0.1, "steps": 10, "end_fraction": 0.1, "warmup": 0},
    nn.schedules.Cosine: lambda: {"lr": 0.1, "steps": 10, "end_fraction": 0.0, "warmup": 0},
    nn.schedules.Step: lambda: {"lr": 0.1, "every": 3, "factor": 0.1, "warmup": 0},
    nn.schedules.build: lambda: {"name": "linear", "lr": 0.1, "steps": 10, "warmup": 0, "end_fraction": None,
                                 "every": None, "factor": 0.1},
    viz.draw: lambda: {"output": _graph()[0], "show_grad": True, "rankdir": "TB", "highlight": (),
                       "gradient_flow": False, "max_nodes": 100, "gradients": None, "max_edges": None},
    viz.explore: lambda: {"output": (g := _graph())[0], "path": None, "parameters": [g[2]], "learning_rate": 0.1,
                          "title": "t", "max_nodes": 100, "max_edges": None},
    viz.draw_model: lambda: {"model": _model(), "inputs": [0.5, 0.5], "target": [1.0], "rankdir": "LR",
                             "max_nodes": 100, "max_edges": None},
    viz.node_ids: lambda: {"output": _graph()[0]},
    viz.render: lambda: {"digraph": viz.draw(_graph()[0]), "path": FOLDER / "graph.svg", "timeout": 60},
    viz.four_neuron: lambda: {"a0": 0.5, "y": 1.0, "w": (1.5, -2.0, 2.5), "b": (0.5, 1.0, -0.5)},
    viz.resolve: lambda: {"name_or_path": "four-neuron", "inputs": None, "target": None, "check_model": None},
    viz.loss_curve: lambda: {"history_or_losses": [1.0, 0.5], "path": FOLDER / "loss.png", "title": "t",
                             "first_step": 0},
    viz.decision_boundary: lambda: {"model": _model(), "X": _data()[0], "y": _data()[1], "path": FOLDER / "b.png",
                                    "resolution": 10, "threshold": None},
    viz.sigmoid_and_derivative: lambda: {"path": FOLDER / "s.png", "span": 6.0},
    viz.chain.layer_label: lambda: {"letter": "w", "layer": 3},
    viz.chain.ascii_alias: lambda: {"label": "w⁽³⁾"},
    viz.chain.find_node: lambda: {"nodes": list(viz.four_neuron().nodes.values()), "name": "w3"},
}
# exported names that are not functions a user calls with arguments of their own: records the library
# returns (built by it, not checked again), exceptions, the ops table's row type, the ``playground``
# and ``digits`` servers (their arguments are tested without starting them: tests/viz/live/lab/test_routes.py)
NOT_CALLED = {autograd.Op, autograd.Tape, autograd.Explanation, autograd.Factor, autograd.Step, autograd.no_grad,
              autograd.enable_grad, autograd.detect_anomaly, autograd.apply, nn.Module, nn.Optimizer,
              nn.TrainingDiverged, nn.StepRecord, nn.EpochRecord, nn.History, nn.export, nn.import_weights,
              nn.schedules.Schedule, viz.Explorer, viz.Source, viz.playground, viz.digits,
              viz.chain.Network}


def _saved() -> Path:
    path = FOLDER / "saved.json"
    if not path.exists():
        _model().save(path)
    return path


def _csv() -> Path:
    path = FOLDER / "data.csv"
    path.write_text("a,b,label\n0,1,0\n1,0,1\n0.5,0.5,1\n1,1,0\n")
    return path


def _public_callables():
    for module in (autograd, nn, viz, nn.datasets, nn.features, files, nn.schedules, viz.chain):
        names = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
        for name in names:
            item = getattr(module, name)
            if inspect.isclass(item) and issubclass(item, BaseException):
                continue
            if (inspect.isfunction(item) or inspect.isclass(item)) and item.__module__.startswith(module.__name__):
                yield f"{module.__name__}.{name}", item


def test_every_public_function_is_in_the_table():
    exempt = ("autograd.conventions.files.", "nn.datasets.")
    missing = {name for name, item in _public_callables()
               if item not in VALID and item not in NOT_CALLED and not name.startswith(exempt)}
    assert not missing, f"add a valid call of these to VALID (or say why not in NOT_CALLED): {sorted(missing)}"


class Stranger:
    """An object no parameter takes: not a number, a str, a sequence, a path, a Value or a function."""

    def __repr__(self) -> str:
        return "Stranger()"


def _wrong_values(annotation: str, default: object) -> st.SearchStrategy:
    """Values of kinds the annotation does not take (and objects nothing takes)."""
    kinds = [st.builds(Stranger), st.complex_numbers(allow_nan=False).filter(lambda z: z.imag != 0),
             st.binary(min_size=1, max_size=4).map(lambda b: {b})]
    text = annotation.replace(" ", "")
    takes_numbers = any(word in text for word in ("float", "int", "Value", "object"))
    takes_text = "str" in text or "Path" in text
    if not takes_text:
        kinds.append(st.text(min_size=1, max_size=5))
    if "bool" in text and not takes_numbers:
        kinds.append(st.sampled_from([0, 1, 2.5, "no", "True"]))
    if text in ("int", "int|None") or (text.startswith("int") and "float" not in text):
        kinds.append(st.sampled_from([0.5, 2.5, math.nan, True, False]))
    if text in ("float", "float|None"):
        kinds.append(st.sampled_from([True, False, 10**400]))  # NaN and inf are floats: wrong values, tested apart
    if "Value" in text and "float" not in text and "object" not in text:
        kinds.append(st.sampled_from([1.0, 3]))
    if default is inspect.Parameter.empty and "None" not in text and "|None" not in text:
        kinds.append(st.none())
    return st.one_of(kinds)


CASES = [(name, item, parameter) for name, item in _public_callables() if item in VALID
         for parameter in inspect.signature(item).parameters.values()
         if parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
         and parameter.name in VALID[item]()]


@pytest.mark.parametrize(("name", "function", "parameter"), CASES, ids=[f"{n}:{p.name}" for n, _, p in CASES])
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data())
def test_a_wrong_value_is_refused_naming_its_parameter(name, function, parameter, data):
    arguments = VALID[function]()
    annotation = parameter.annotation if isinstance(parameter.annotation, str) else str(parameter.annotation)
    wrong = data.draw(_wrong_values(annotation, parameter.default), label=parameter.name)
    arguments[parameter.name] = wrong
    with pytest.raises((TypeError, ValueError)) as caught:
        function(**arguments)
    assert parameter.name in str(caught.value), f"{name}({parameter.name}={wrong!r}): {caught.value!r}"


@pytest.mark.parametrize("function", list(VALID), ids=lambda f: f.__qualname__)
def test_the_valid_calls_are_valid(function):
    function(**VALID[function]())
