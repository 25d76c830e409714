"""python -m nn: training writes the model and pictures, predict prints outputs, mistakes are one line."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nn
from nn.__main__ import main
from nn.__main__ import main as nn_main
from nn.recipes import RECIPES

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"
NUMPY_ACTIVATIONS = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh,
                     "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "linear": lambda z: z}


def numpy_forward(document: dict, x: list[float]) -> np.ndarray:
    """The saved network evaluated from its JSON with numpy, independently of nn."""
    architecture, a = document["architecture"], np.array(x)
    for number, layer in enumerate(document["layers"]):
        last = number == len(document["layers"]) - 1
        z = np.array(layer["weights"]) @ a + (np.array(layer["biases"]) if architecture["bias"] else 0)
        a = NUMPY_ACTIVATIONS[architecture["output_activation" if last else "activation"]](z)
    return a


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_train_writes_model_and_loss_curve_and_reports_accuracy(tmp_path, capsys):
    code, out, err = run(capsys, "train", "xor-table", "--steps", "30", "--quiet", "--out", str(tmp_path))
    assert code == 0
    assert err == ""
    assert "acc" in out
    assert "step 30: loss" in out
    model = nn.load(tmp_path / "model.json")
    assert (model.nin, model.nouts, model.activation) == (3, [4, 1], "sigmoid")
    assert (tmp_path / "loss.png").read_bytes().startswith(PNG)
    assert not (tmp_path / "boundary.png").exists()  # three inputs: no 2-D picture


def test_two_dimensional_datasets_also_get_the_decision_boundary(tmp_path, capsys):
    code, out, _ = run(capsys, "train", "moons", "--samples", "20", "--hidden", "4", "--steps", "3", "--quiet",
                       "--out", str(tmp_path))
    assert code == 0
    assert "acc" in out
    assert (tmp_path / "boundary.png").read_bytes().startswith(PNG)
    assert nn.load(tmp_path / "model.json").nouts == [4, 1]


def test_options_reach_the_model_and_the_optimiser(tmp_path, capsys):
    code, _out, _ = run(capsys, "train", "circles", "--samples", "12", "--hidden", "3,2", "--activation", "tanh",
                       "--loss", "bce", "--optimizer", "adam", "--lr", "0.01", "--steps", "2", "--quiet",
                       "--no-plots", "--out", str(tmp_path))
    assert code == 0
    model = nn.load(tmp_path / "model.json")
    assert (model.nouts, model.activation, model.output_activation) == ([3, 2, 1], "tanh", "sigmoid")
    assert not (tmp_path / "loss.png").exists()


def test_predict_prints_the_saved_networks_output(tmp_path, capsys):
    model = nn.MLP(2, [3, 2], activation="tanh", seed=5)
    model.save(tmp_path / "m.json")
    code, out, _ = run(capsys, "predict", str(tmp_path / "m.json"), "0.1", "-0.2")
    assert code == 0
    expected = numpy_forward(json.loads((tmp_path / "m.json").read_text()), [0.1, -0.2])
    assert [float(v) for v in out.split()] == pytest.approx(expected.tolist(), rel=1e-5)


@pytest.mark.parametrize("inputs", [["-1e-3", "2"], ["-.5", "-1E3"], ["-0.1", "-0.2"], ["-0.1,-0.2"], ["0.1 -0.2"]])
def test_predict_reads_negative_numbers_and_lists_written_as_viz_input_takes_them(tmp_path, capsys, inputs):
    model = nn.MLP(2, [3, 2], activation="tanh", seed=5)
    model.save(tmp_path / "m.json")
    code, out, err = run(capsys, "predict", str(tmp_path / "m.json"), *inputs)  # -1e-3 was "unrecognized arguments"
    assert (code, err) == (0, "")
    numbers = [float(x) for x in " ".join(inputs).replace(",", " ").split()]  # viz --input's 0.5,-1 works too
    expected = numpy_forward(json.loads((tmp_path / "m.json").read_text()), numbers)
    assert [float(v) for v in out.split()] == pytest.approx(expected.tolist(), rel=1e-5)


def test_predict_refuses_to_read_a_class_off_an_output_that_overflowed(tmp_path, capsys):
    model = nn.MLP(2, [2, 1], seed=1)  # relu: one neuron's 2·x1 + x2 overflows to inf, the other's -inf is cut to 0
    model.set_weights([([[2.0, 1.0], [-2.0, -1.0]], [0.0, 0.0]), ([[1.0, -1.0]], [0.0])])
    model.save(tmp_path / "m.json")
    for inputs, output in ((["1e308", "1e308"], "inf"), (["-1e308", "-1e308"], "-inf")):  # in one neuron, the other
        with np.errstate(over="ignore"):
            computed = numpy_forward(json.loads((tmp_path / "m.json").read_text()), [float(x) for x in inputs])
        assert computed.tolist() == [float(output)]
        code, out, err = run(capsys, "predict", str(tmp_path / "m.json"), *inputs)
        assert (code, out) == (2, "")  # it printed "1 (output inf)": a class read off an overflow
        assert err.count("\n") == 1
        shown = " ".join(f"{float(x):g}" for x in inputs)
        assert (f"computes {output} for the inputs {shown}: numbers this large overflow its arithmetic; give "
                f"inputs of the size it was trained on") in err


def test_resume_continues_training_where_it_stopped(tmp_path, capsys):
    common = ["--quiet", "--no-plots"]
    run(capsys, "train", "xor-table", "--steps", "20", "--out", str(tmp_path / "straight"), *common)
    run(capsys, "train", "xor-table", "--steps", "10", "--out", str(tmp_path / "half"), *common)
    code, _, _ = run(capsys, "train", "xor-table", "--steps", "10", "--resume", str(tmp_path / "half" / "model.json"),
                     "--out", str(tmp_path / "resumed"), *common)
    assert code == 0
    straight, resumed = nn.load(tmp_path / "straight" / "model.json"), nn.load(tmp_path / "resumed" / "model.json")
    assert [p.data for p in resumed.parameters()] == [p.data for p in straight.parameters()]


def test_default_moons_recipe_is_micrograds_demo():
    recipe = RECIPES["moons"]
    assert (recipe.hidden, recipe.activation, recipe.loss, recipe.l2) == ((16, 16), "relu", "hinge", 1e-4)
    assert (recipe.optimizer, recipe.lr, recipe.lr_end, recipe.steps, recipe.batch_size, recipe.samples) == \
        ("sgd", 1.0, 0.1, 100, None, 100)


@pytest.mark.parametrize(("argv", "message"), [
    (["predict", "{tmp}/missing.json", "1"], "no such file: {tmp}/missing.json"),
    (["predict", "{tmp}/model.json", "1", "2", "3"], "takes 2 inputs, got 3"),
    (["predict", "{tmp}/broken.json", "1", "2"], "not valid JSON"),
    (["train", "xor-table", "--resume", "{tmp}/model.json", "--steps", "1"],
     "inputs = 2, but xor-table with --loss sse needs 3"),
    (["train", "moons", "--resume", "{tmp}/model.json", "--hidden", "8", "--steps", "1"],
     "hidden layers = [3], but moons with --loss hinge needs [8]"),
    (["train", "moons", "--loss", "bce", "--output-activation", "linear"], "use --output-activation sigmoid"),
    (["train", "moons", "--optimizer", "adam", "--momentum", "0.9"], "--momentum applies to --optimizer sgd"),
    (["train", "moons", "--lr", "-1", "--steps", "1"], "argument --lr: expected a number >= 0, got '-1'"),
    (["train", "moons", "--seed", "-1", "--steps", "1"], "argument --seed: expected a whole number >= 0, got '-1'"),
    (["train", "moons", "--samples", "1"], "--samples 1: moons needs a point per class, at least 2"),
    (["train", "blobs", "--samples", "2"], "--samples 2: blobs needs a point per class, at least 3"),
    (["train", "xor-table", "--samples", "40"], "--samples applies to a generated dataset (xor, moons, "),
    (["train", "digits", "--noise", "0.3"], "--noise applies to a generated dataset (xor, moons, "),
    (["train", "moons", "--noise", "1e300"], "argument --noise: expected a noise level from 0 to 1 "),
    (["train", "circles", "--noise", "1.01"], "argument --noise: expected a noise level from 0 to 1 "),
    (["train", "moons", "--seed", "²", "--steps", "1"], "argument --seed: expected a whole number >= 0, got '²'"),
])
def test_user_mistakes_are_one_line_and_exit_2(tmp_path, capsys, argv, message):
    nn.MLP(2, [3, 1], seed=0).save(tmp_path / "model.json")
    (tmp_path / "broken.json").write_text('{"format": "chainrule.mlp", "vers')
    argv = [a.format(tmp=tmp_path) for a in argv] + ["--out", str(tmp_path / "out")] * (argv[0] == "train")
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("python -m nn: error:")
    assert message.format(tmp=tmp_path) in err


@pytest.mark.parametrize("argv", [["train", "moons", "--steps", "0"],
                                  ["train", "moons", "--lr", "x"],
                                  ["train", "moons", "--hidden", "16,a"], ["predict", "m.json", "nan"],
                                  ["train", "moons", "--steps", "3", "--epochs", "1"], []])
def test_usage_errors_exit_2_with_one_line_and_no_usage(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("python -m nn: error:")
    assert "usage:" not in err


def test_as_a_real_process_mistakes_never_show_a_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "nn", "predict", str(tmp_path / "nope.json"), "0.5"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == f"python -m nn: error: no such file: {tmp_path / 'nope.json'}"


def test_train_refuses_huge_layers_and_a_batch_too_big_to_replay_naming_the_limits(capsys):
    assert nn_main(["train", "moons", "--hidden", "100000,100000", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "nn.MAX_PARAMETERS" in err
    assert err.count("\n") == 1
    assert nn_main(["train", "moons", "--samples", "1000000", "--quiet"]) == 2
    captured = capsys.readouterr()
    assert "nn.compiled.MAX_REPLAY_BYTES" in captured.err
    assert "batch size of at most" in captured.err
    assert "step" not in captured.out  # refused before the first step
    assert nn_main(["train", "moons", "--samples", "1000001", "--quiet"]) == 2
    assert "nn.datasets.MAX_SAMPLES" in capsys.readouterr().err


def test_train_that_diverges_says_so_in_one_line_and_saves_nothing(tmp_path, capsys):
    assert nn_main(["train", "moons", "--lr", "1e300", "--quiet", "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "diverged at step" in err
    assert "smaller --lr than 1e+300" in err
    assert not (tmp_path / "run").exists()


def test_a_run_diverged_by_its_l2_names_l2_beside_lr(tmp_path, capsys):
    # lr · l2 = 10^6: the penalty alone throws the weights further out at every step, whatever the data
    assert nn_main(["train", "moons", "--l2", "1e6", "--quiet", "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert "diverged at step" in err
    assert "try a smaller --lr than 1, or a smaller --l2 than 1e+06" in err
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize(("length", "says"), [
    (["--epochs", "99999999999"], "--epochs 99999999999 is 99,999,999,999 steps, more than a run's limit of "
                                  "1,000,000 (nn.commands.train_options.MAX_STEPS"),
    (["--epochs", "99999999999"], "give at most --epochs 1000000, and --resume"),  # full batch: a step an epoch
    (["--epochs", "100001", "--batch-size", "10"], "give at most --epochs 100000,"),  # ceil(100 / 10) steps an epoch
    (["--epochs", "150001", "--batch-size", "15"], "--epochs 150001 is 1,050,007 steps"),  # ceil(100 / 15) = 7
    (["--epochs", "150001", "--batch-size", "15"], "give at most --epochs 142857,"),  # 1,000,000 // 7
    (["--steps", "1000001"], "--steps 1000001 is more than a run's limit of 1,000,000"),
])
def test_a_run_too_long_to_record_is_refused_before_any_step_naming_what_fits(tmp_path, capsys, length, says):
    assert nn_main(["train", "moons", *length, "--quiet", "--out", str(tmp_path / "run")]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1
    assert says in captured.err
    assert captured.out == ""  # refused before the data line and the first step
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("name", ["mine.json", "curve.PNG"])
def test_an_out_that_looks_like_a_file_name_is_refused_before_training(tmp_path, capsys, name):
    code, out, err = run(capsys, "train", "moons", "--steps", "1", "--quiet", "--out", str(tmp_path / name))
    assert code == 2  # it made a folder mine.json holding model.json
    assert "step 1" not in out
    assert err == (f"python -m nn: error: --out {tmp_path / name} looks like a file's name, but --out is the folder a "
                   f"run writes model.json, loss.png, boundary.png, confusion.png into; give a folder such as --out "
                   f"{tmp_path / Path(name).stem}\n")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / name).mkdir()  # a folder of that name that is there is a folder: it is used
    assert run(capsys, "train", "moons", "--steps", "1", "--quiet", "--no-plots", "--out", str(tmp_path / name))[0] == 0
    assert nn.load(tmp_path / name / "model.json").nouts == [16, 16, 1]


@pytest.mark.parametrize("name", ["weights.safetensors", "back.onnx", "back"])
def test_import_writes_only_a_json_model_file_and_never_over_the_weights_it_reads(tmp_path, capsys, name):
    nn.export(nn.MLP(2, [3, 1], seed=0), tmp_path / "weights.safetensors")
    weights = (tmp_path / "weights.safetensors").read_bytes()
    assert nn_main(["import", str(tmp_path / "weights.safetensors"), "-o", str(tmp_path / name)]) == 2
    err = capsys.readouterr().err  # -o weights.safetensors replaced the weights with JSON; back.onnx held JSON
    assert err == (f"python -m nn: error: import writes a model file, MODEL.json: the file name must end in .json, "
                   f"got {str(tmp_path / name)!r}\n")
    assert (tmp_path / "weights.safetensors").read_bytes() == weights
    assert sorted(path.name for path in tmp_path.iterdir()) == ["weights.safetensors"]
    assert nn_main(["import", str(tmp_path / "weights.safetensors"), "-o", str(tmp_path / "back.JSON")]) == 0
    assert nn.load(tmp_path / "back.JSON").nouts == [3, 1]
