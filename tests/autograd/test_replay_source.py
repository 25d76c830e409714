"""The compiled replay's generated program: readable (golden files a reviewer can read), the same
program whatever the labels say (no label text ever runs), and printed by ``python -m viz program``
and ``nn.Trainer.program()``."""
from __future__ import annotations

import builtins
import io
import keyword
import math
import re
import tokenize
from pathlib import Path

import numpy as np
import pytest

import autograd
import nn
from autograd import Value
from examples import eleven_lines
from tests.support.eager_reference import eager_rows
from tests.support.graphs import micrograd_readme_program
from viz.__main__ import main as viz_main

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
REWRITE = "python -m viz program four-neuron > tests/golden/four_neuron_program.txt (and see eleven_lines_step())"


def eleven_lines_step() -> str:
    """The 3-4-1 network of "a neural network in 11 lines" trained on XOR with nn: its step's program."""
    X, y = nn.datasets.xor_table()
    model = eleven_lines.build()
    return nn.Trainer(model, (X, y), loss="sse", optimizer=nn.SGD(model.parameters(), lr=1.0)).program()


def test_the_four_neuron_program_is_the_golden_file(capsys):
    assert viz_main(["program", "four-neuron"]) == 0
    printed = capsys.readouterr().out
    assert printed == (GOLDEN / "four_neuron_program.txt").read_text(encoding="utf-8"), REWRITE
    assert "d_z3 = a3 * (1.0 - a3) * d_a3" in printed  # σ'(z) · upstream, with the lesson's names
    assert "c0 = np.power(sub, 2.0)" in printed  # C₀ = (a⁽³⁾ − y)², its exponent a number
    assert "d_sub = 2.0 * sub * U" in printed  # ∂C₀/∂a⁽³⁾ = 2(a⁽³⁾ − y), as the lesson writes it


def test_the_three_four_one_training_step_is_the_golden_file():
    program = eleven_lines_step()
    assert program + "\n" == (GOLDEN / "eleven_lines_step.txt").read_text(encoding="utf-8"), REWRITE
    for line in ("a1 = 1.0 / (1.0 + np.exp(-z1))",  # l1 = sigmoid(X · syn0)
                 "d_z1 = a1 * (1.0 - a1) * d_a1",  # l1_delta = (l2_delta · syn1ᵀ) · l1 · (1 − l1)
                 "np.matmul(d_z1, F0.T, out=dW)"):  # syn0 += Xᵀ · l1_delta
        assert line in program


HOSTILE = ['x\nimport builtins; builtins.PWNED = True\n', "'''", '"""', "# comment", "\"'\\",
           "\r\x0b\x0c\x1c\x85\u2028", "__import__('builtins').PWNED = 1", "z1 = 5  # z", "V[0:1] = 9", "d_z1", "np",
           "step", "a\u2029b"]


def graph(labels: list[str]) -> tuple[Value, list[Value], list[Value]]:
    """A small network whose every node takes the next of ``labels`` (cycled)."""
    label = iter(labels * 20)
    inputs = [Value(0.0, next(label)) for _ in range(2)]
    weights = [Value(w, next(label)) for w in (0.3, -0.8, 0.5, 0.9, -0.2, 0.4, 1.1)]
    hidden = []
    for k in range(2):
        terms = [weights[2 * k] * inputs[0], weights[2 * k + 1] * inputs[1], weights[4 + k]]
        z = autograd.sum(terms, label=next(label))
        hidden.append(z.tanh())
        hidden[-1].label = next(label)
    output = (hidden[0] * weights[6] + hidden[1]).sigmoid()
    output.label = next(label)
    return output, inputs, weights


def code_tokens(source: str) -> list[tuple[int, str]]:
    """The program without its comments, every token that Python runs, and its local names numbered
    in order of appearance (a group may be named after a plain label: ``np`` becomes ``np_``)."""
    numbered: dict[str, str] = {}
    tokens = [(tokenize.OP, "")]
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.NL):
            continue
        text = token.string
        local = token.type == tokenize.NAME and tokens[-1][1] != "." and not keyword.iskeyword(text)
        if local and text not in GLOBALS:
            text = numbered.setdefault(text, f"name{len(numbered)}")
        tokens.append((token.type, text))
    return tokens


GLOBALS = {"np", "step", "abs", "V", "G", "P", "dP", "F", "U", "saved"}  # what the generator itself names


def test_labels_reach_the_program_only_as_escaped_comments_and_change_nothing_it_runs():
    plain_output, plain_inputs, _plain_weights = graph([""])
    plain = autograd.compile(plain_output, inputs=plain_inputs)
    output, inputs, weights = graph(HOSTILE)
    tape = autograd.compile(output, inputs=inputs)
    source = tape.source(heading=HOSTILE)
    assert code_tokens(source) == code_tokens(plain.source())  # the same code, whatever the labels
    assert source.splitlines() == source.rstrip("\n").split("\n")  # no line break hides inside a line
    for line in source.split("\n"):
        code = line.split("#", 1)[0]
        assert "PWNED" not in code
        assert "import" not in code
        assert "'" not in code
        assert '"' not in code
    rows = np.random.default_rng(0).normal(size=(5, 2))
    np.testing.assert_allclose(tape.forward(rows), plain.forward(rows), rtol=0, atol=0)
    np.testing.assert_allclose(tape.backward(), plain.backward(), rtol=0, atol=0)
    expected, _expected_inputs, _ = eager_rows(lambda x: _rebuilt(x, weights), rows, weights)
    np.testing.assert_allclose(tape.forward(rows), expected, rtol=1e-12)  # and both are the graph's values
    assert not hasattr(builtins, "PWNED")


def _rebuilt(x: list[Value], weights: list[Value]) -> Value:
    hidden = [autograd.sum([weights[2 * k] * x[0], weights[2 * k + 1] * x[1], weights[4 + k]]).tanh() for k in range(2)]
    return (hidden[0] * weights[6] + hidden[1]).sigmoid()


def test_a_label_that_is_a_plain_name_names_its_group_and_others_fall_back_to_the_op():
    x = Value(0.0, "x")
    z = (x * Value(2.0, "w")).tanh()
    z.label = "hidden"
    out = z * z
    out.label = "no good: spaces"
    source = autograd.compile(out, inputs=[x]).source()
    assert "    hidden = np.tanh(mul)" in source
    assert "mul_2 = hidden * hidden" in source
    assert "# no good: spaces" in source


def test_viz_program_on_a_saved_model_and_errors(tmp_path, capsys):
    model = nn.MLP(2, [3, 1], seed=0)
    path = tmp_path / "model.json"
    nn.save(model, path)
    assert viz_main(["program", str(path), "--input", "0.5,-1"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("# model.json: MLP")
    assert "def backward(V, G, dP, saved):" in printed
    assert viz_main(["program", "no-such-source"]) == 2
    assert "unknown source" in capsys.readouterr().err


def test_viz_program_of_a_model_needs_no_input_numbers(tmp_path, capsys):
    """The program reads the inputs as a batch: without ``--input`` it is the one printed with numbers;
    the commands that show numbers still ask for them."""
    path = tmp_path / "model.json"
    nn.save(nn.MLP(2, [3, 1], seed=0), path)
    assert viz_main(["program", str(path), "--input", "0.5,-1"]) == 0
    with_numbers = capsys.readouterr().out
    assert viz_main(["program", str(path)]) == 0
    assert capsys.readouterr().out == with_numbers
    assert viz_main(["explain", str(path)]) == 2
    assert "is a model with 2 inputs: give them as an input, e.g. --input 0.5,0.5" in capsys.readouterr().err


@pytest.mark.parametrize("loss", ["hinge", "cross_entropy"])
def test_trainer_program_names_the_optimiser_rule_and_a_custom_loss(loss):
    X, y = nn.datasets.xor_table()
    labels = [1 if t else -1 for t in y] if loss == "hinge" else [int(t) for t in y]
    outputs = 1 if loss == "hinge" else 2
    trainer = nn.Trainer(nn.MLP(3, [4, outputs], seed=1), (X, labels), loss=loss,
                         optimizer=nn.Adam(nn.MLP(3, [4, outputs], seed=1).parameters()))
    assert "# Adam.update(P, dP)" in trainer.program().replace("#   ", "# ")
    custom = nn.Trainer(nn.MLP(3, [4, 1], seed=1), (X, y), loss=lambda o, t: nn.sse(o, t) * 0.5)
    assert "is not built in" in custom.program()


POINTS = (-1.5, -0.0, 0.0, 0.5, 2.0, 3.0)


@pytest.mark.parametrize("name", sorted(autograd.OPS))
def test_every_rule_printed_as_numpy_computes_what_the_rule_computes_on_floats(name):
    """The generated program runs each rule as printed source over arrays: at every point (zeros and the
    edge cases included) it gives what the same rule gives on floats, NaN where it is NaN."""
    from autograd.graph import FLOATS
    from autograd.ops import SCALARS
    from autograd.replay_program import step
    from autograd.replay_source import SOURCE, Expr, Operands, as_expr

    op = autograd.OPS[name]
    arity = op.arity or 3
    symbols = Operands([Expr(f"x{i}") for i in range(arity)])
    forward = as_expr(op.forward(symbols, SOURCE)).text
    grads = [None if d is None else as_expr(d).text for d in op.local_grads(symbols, Expr("out"), SOURCE)]
    grid = np.array(np.meshgrid(*[POINTS] * arity)).reshape(arity, -1)
    namespace = {"np": np, "step": step, **{f"x{i}": grid[i] for i in range(arity)}}
    with np.errstate(all="ignore"):
        namespace["out"] = np.asarray(eval(forward, namespace), dtype=float) + np.zeros(grid.shape[1])
        printed = [None if text is None else np.asarray(eval(text, namespace), dtype=float) + 0 * grid[0]
                   for text in grads]
    for column, point in enumerate(grid.T.tolist()):
        try:
            out = op.forward(point, SCALARS)
            local = op.local_grads(point, out, FLOATS)
        except (ValueError, ZeroDivisionError, OverflowError):
            continue  # outside the op's domain: the eager engine raises, the replay gives NaN or inf
        assert namespace["out"][column] == pytest.approx(out, nan_ok=True), (name, point)
        for position, derivative in enumerate(local):
            if derivative is not None:
                assert printed[position][column] == pytest.approx(derivative, nan_ok=True), (name, position, point)


@pytest.mark.parametrize("chunk", [1, 2, 5])
def test_a_program_cut_into_chunks_replays_like_eager(chunk, monkeypatch):
    """A long graph is printed as one function pair per chunk of groups: values cross chunks through V."""
    monkeypatch.setattr("autograd.replay_program.CHUNK", chunk)
    model = nn.MLP(2, [3, 3, 1], activation="tanh", seed=4)
    parameters = model.parameters()

    def output_of(x):
        return model(x) * 0.5 + autograd.sum([p * p for p in parameters]) * 1e-2

    rows = np.random.default_rng(6).normal(size=(4, 2))
    x = [Value(0.0, "x0"), Value(0.0, "x1")]
    tape = autograd.compile(output_of(x), inputs=x)
    assert "def forward_1(V, P, F):" in tape.source()
    expected, expected_inputs, expected_parameters = eager_rows(output_of, rows, parameters)
    np.testing.assert_allclose(tape.forward(rows), expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(tape.backward(), expected_inputs, rtol=1e-9, atol=1e-12)
    totals = {p: p.grad for p in tape.parameters}
    np.testing.assert_allclose([totals[p] for p in parameters], expected_parameters, rtol=1e-9, atol=1e-12)


def test_printing_the_program_between_replays_changes_nothing_they_compute():
    output, inputs, weights = graph([""])
    tape = autograd.compile(output, inputs=inputs)
    rows = np.random.default_rng(2).normal(size=(3, 2))
    values, input_grads = tape.forward(rows), tape.backward()
    first = [w.grad for w in weights]
    assert "def backward(V, G, dP, saved):" in tape.source(input_grads=True) + tape.source(input_grads=False)
    for w in weights:
        w.grad = 0.0
    np.testing.assert_array_equal(tape.forward(rows), values)
    np.testing.assert_array_equal(tape.backward(), input_grads)
    np.testing.assert_array_equal([w.grad for w in weights], first)


def test_the_program_is_the_same_text_at_every_printing_and_its_namespace_stops_growing():
    """Index arrays and scatters are named by their contents: printing again gives the same names."""
    x, p = [Value(0.0, "x0"), Value(0.0, "x1")], [Value(0.5), Value(-0.3)]
    output = autograd.sum([(x[0] * p[0]).tanh(), (x[1] * p[0]).tanh(), x[0] * x[0], (x[1] * p[1]).tanh()])
    tape = autograd.compile(output, inputs=x)
    first = tape.source(), tape.source(input_grads=False), tape.lines()
    assert re.search(r"\b[IS]\d+\b", first[0])  # the graph needs a named index array or scatter
    namespace = len(tape._program.constants)
    assert (tape.source(), tape.source(input_grads=False), tape.lines()) == first
    assert len(tape._program.constants) == namespace


@pytest.mark.parametrize("exponents", [(2.0, 2.0), (1.0, 1.0), (2.0, 3.0), (2.0, math.inf), (0.0, -1.0)])
def test_constant_exponents_are_printed_as_numbers_and_replay_as_eager(exponents):
    """Equal constants read as one literal, folded where the rule does arithmetic on them alone (k − 1 = 1.0);
    different or non-finite ones as one array; values and gradients equal the eager engine's."""
    x = [Value(1.0, "x0"), Value(1.0, "x1")]
    w = [Value(0.7, "w0"), Value(-1.3, "w1")]
    output = autograd.sum([(xi * wi) ** k for xi, wi, k in zip(x, w, exponents, strict=True)])
    tape = autograd.compile(output, inputs=x)
    source = tape.source()
    if exponents == (2.0, 2.0):
        assert "np.power(mul, 2.0)" in source
        assert "2.0 * mul * " in source  # k·aᵏ⁻¹ with k = 2: a¹ is printed as a
    elif exponents == (1.0, 1.0):
        assert "pow_ = mul  #" in source  # a¹ is a
    else:
        assert re.search(r"np\.power\(mul, K\d+\)", source)
    rows = np.array([[0.5, -0.25], [1.5, 2.0]])

    def weighted(inputs):
        return autograd.sum([(xi * wi) ** k for xi, wi, k in zip(inputs, w, exponents, strict=True)])
    expected, expected_inputs, expected_parameters = eager_rows(weighted, rows, w)
    np.testing.assert_allclose(tape.forward(rows), expected, rtol=1e-12)
    np.testing.assert_allclose(tape.backward(), expected_inputs, rtol=1e-12)
    np.testing.assert_allclose([p.grad for p in w], expected_parameters, rtol=1e-12)


def test_a_graph_without_inputs_reads_as_one_row_and_gives_micrographs_published_numbers():
    """micrograd's README expression has no inputs: one row, so its program reads whole rows (no ``, :1``
    first-column reads, no sums over rows) and names a second ``sum`` group ``sum_2``; forward and
    backward give the numbers micrograd's README prints (g = 24.7041, dg/da = 138.8338, dg/db = 645.5773)."""
    a, b, g = micrograd_readme_program(Value)
    tape = autograd.compile(g)
    source = tape.source()
    assert ", :1]" not in source
    assert "keepdims" not in source
    assert "sum_2 = " in source
    assert "sum__" not in source
    assert tape.forward() == pytest.approx(24.7041, abs=5e-5)
    tape.backward()
    assert (a.grad, b.grad) == pytest.approx((138.8338, 645.5773), abs=5e-5)
