"""The argparse types both command lines share: what they accept and how they refuse."""
from __future__ import annotations

import argparse
import importlib
import json
import re

import pytest

import nn
from autograd.conventions.command_line import (
    finite_number,
    layer_sizes,
    number_list,
    positive_int,
    positive_number,
    whole_number,
)
from autograd.conventions.errors import UserError
from nn.__main__ import main as nn_main
from viz.__main__ import main as viz_main
from viz.live.config import dataset_name


@pytest.mark.parametrize(("text", "expected"), [("1", 1), ("16", 16), ("007", 7)])
def test_positive_int_accepts_whole_numbers_from_one(text, expected):
    assert positive_int(text) == expected


@pytest.mark.parametrize("text", ["0", "-3", "2.5", "ten", "", "1e3"])
def test_positive_int_refuses_and_says_what_is_valid(text):
    with pytest.raises(argparse.ArgumentTypeError, match=f"expected a positive whole number, got {text!r}"):
        positive_int(text)


@pytest.mark.parametrize(("text", "expected"), [("0", 0), ("42", 42), (" 7 ", 7)])
def test_whole_number_accepts_zero_and_up(text, expected):
    assert whole_number(text) == expected


@pytest.mark.parametrize("text", ["-1", "2.0", "abc", "", "²", "３", "1" * 41])
def test_whole_number_refuses_negatives_words_and_other_digits(text):
    with pytest.raises(argparse.ArgumentTypeError, match="expected a whole number >= 0, got"):
        whole_number(text)


@pytest.mark.parametrize(("text", "expected"), [("0.5", 0.5), ("-2", -2.0), ("1e-3", 0.001)])
def test_finite_number_accepts_finite_numbers(text, expected):
    assert finite_number(text) == expected


@pytest.mark.parametrize(("text", "says"), [("abc", "expected a number"), ("nan", "expected a finite number"),
                                        ("-inf", "expected a finite number")])
def test_finite_number_refuses_words_nan_and_infinity(text, says):
    with pytest.raises(argparse.ArgumentTypeError, match=f"{says}, got {text!r}"):
        finite_number(text)


@pytest.mark.parametrize(("text", "says"), [("0", "expected a number > 0"), ("-5", "expected a number > 0"),
                                        ("1e400", "expected a finite number"), ("abc", "expected a number")])
def test_positive_number_refuses_zero_negatives_and_infinity(text, says):
    with pytest.raises(argparse.ArgumentTypeError, match=f"{says}, got {text!r}"):
        positive_number(text)
    assert positive_number("2e4") == 20_000.0


@pytest.mark.parametrize(("module", "option"), [("bench.scaling", "--max-nodes"), ("bench.playground", "--seconds"),
                                                ("bench.digits_lab", "--seconds"),
                                                ("bench.mnist_memory", "--lab-seconds")])
def test_the_benchmarks_refuse_an_infinite_or_negative_size_before_measuring(capsys, module, option):
    main = importlib.import_module(module).main
    for text, says in (("1e400", "expected a finite number"), ("-1", "expected a number > 0")):
        with pytest.raises(UserError, match=re.escape(f"argument {option}: {says}, got {text!r}")):
            main([option, text, "--unknown"])  # were the value accepted: refused at once all the same, unmeasured
    assert capsys.readouterr().out == ""  # nothing measured


@pytest.mark.parametrize("module", ["bench.demo_step", "bench.mnist_step"])
def test_a_benchmarks_least_sample_time_may_be_zero_but_not_negative_or_infinite(module):
    main = importlib.import_module(module).main
    for text, says in (("1e400", "expected a finite number"), ("-1", "expected a number >= 0")):
        with pytest.raises(UserError, match=re.escape(f"argument --sample-seconds: {says}, got {text!r}")):
            main(["--sample-seconds", text, "--unknown"])


def test_number_list_splits_on_commas_or_else_on_spaces():
    assert number_list("0.1,-2, 3") == [0.1, -2.0, 3.0]
    assert number_list(" 0.1  -2 3") == [0.1, -2.0, 3.0]  # as nn predict takes them


@pytest.mark.parametrize("text", ["abc", "1,,2", "1,nan", "inf", "", "1 2,3 4"])
def test_number_list_names_the_whole_list_it_refuses(text):
    with pytest.raises(argparse.ArgumentTypeError, match=re.escape(
            f"expected finite numbers separated by commas (0.5,-1) or spaces, got {text!r}")):
        number_list(text)


@pytest.mark.parametrize(("text", "expected"), [("16,16", [16, 16]), (" 4, 2 ", [4, 2]), ("none", []), ("", [])])
def test_layer_sizes_read_a_list_or_none(text, expected):
    assert layer_sizes(text) == expected


@pytest.mark.parametrize("command", [["nn", "train", "moons"], ["viz", "playground"], ["viz", "digits"]])
def test_every_hidden_option_reads_layer_sizes_the_same_way(command):
    from nn.__main__ import build_parser as nn_parser
    from viz.__main__ import _parser as viz_parser

    parser = {"nn": nn_parser, "viz": viz_parser}[command[0]]()
    assert parser.parse_args([*command[1:], "--hidden", "none"]).hidden == []  # the playground took only ""
    assert parser.parse_args([*command[1:], "--hidden", "8, 4"]).hidden == [8, 4]


def test_the_digit_lab_refuses_both_image_sources_at_once(capsys):
    from viz.__main__ import main as viz_main

    assert viz_main(["digits", "--no-browser", "--eight-by-eight", "--mnist-dir", "mnist"]) == 2
    assert capsys.readouterr().err == ("python -m viz: error: argument --mnist-dir: not allowed with argument "
                                       "--eight-by-eight (see python -m viz digits --help)\n")  # was: --mnist-dir read


@pytest.mark.parametrize("argv", [["train", "moons", "--steps", "1", "--out", ""], ["download", "mnist", "--dir", ""],
                                  ["predict", "", "1"], ["train", "mnist", "--mnist-dir", " "],
                                  ["export", "m.json", "-o", ""]])
def test_an_empty_path_an_unset_variable_gives_is_refused_not_read_as_here(tmp_path, monkeypatch, capsys, argv):
    monkeypatch.chdir(tmp_path)  # `--out ""` used to write model.json and the pictures here
    assert nn_main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "expected a path, got '" in err
    assert list(tmp_path.iterdir()) == []


def test_the_digit_lab_refuses_an_empty_mnist_dir_rather_than_reading_here(capsys):
    assert viz_main(["digits", "--mnist-dir", "", "--no-browser", "--port", "0"]) == 2
    assert "argument --mnist-dir: expected a path, got ''" in capsys.readouterr().err


@pytest.mark.parametrize("ending", ["/", "/."])
@pytest.mark.parametrize(("main", "argv", "name"), [
    (nn_main, ["export", "{tmp}/model.json", "-o"], "model.onnx"),
    (nn_main, ["export", "{tmp}/model.json", "-o"], "model.safetensors"),
    (nn_main, ["import", "{tmp}/weights.safetensors", "-o"], "back.json"),
    (viz_main, ["draw", "four-neuron", "-o"], "chain.svg"),
    (viz_main, ["explore", "four-neuron", "-o"], "page.html"),
])
def test_every_command_that_writes_a_file_refuses_a_path_ending_in_a_separator(tmp_path, capsys, main, argv, name,
                                                                                ending):
    model = nn.MLP(2, [3, 1], seed=0)
    model.save(tmp_path / "model.json")
    nn.export(model, tmp_path / "weights.safetensors")
    before = sorted(tmp_path.iterdir())
    # `-o x.onnx/` means a folder: it used to write the file x.onnx
    assert main([a.format(tmp=tmp_path) for a in argv] + [f"{tmp_path / name}{ending}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "argument -o/--output: expected a file's path (one ending in / names a folder: put a file name after " \
           "it, or leave the / out), got '" in err
    assert sorted(tmp_path.iterdir()) == before


def test_a_built_in_dataset_is_named_in_any_case(tmp_path, capsys):
    def trained(name: str) -> dict:
        out = tmp_path / name
        assert nn_main(["train", name, "--steps", "2", "--quiet", "--no-plots", "--out", str(out)]) == 0
        return json.loads((out / "model.json").read_text())
    assert trained("Moons") == trained("moons")  # the same data, recipe and seed
    assert trained("XOR-Table") == trained("xor-table")
    assert trained("Circle") == trained("circles")  # an alias, in any case


@pytest.mark.parametrize("name", ["Four-Neuron", "NEURON", "Micrograd-Example"])
def test_a_built_in_source_is_named_in_any_case(capsys, name):
    printed = []
    for spelling in (name, name.lower()):
        assert viz_main(["explain", spelling]) == 0
        printed.append(capsys.readouterr().out)
    assert printed[0] == printed[1]
    assert "∂" in printed[0]


def test_the_download_and_the_playground_read_their_names_in_any_case():
    from nn.__main__ import build_parser

    assert build_parser().parse_args(["download", "MNIST"]).dataset == "mnist"
    assert dataset_name("Spiral") == "spiral"
    assert dataset_name("BLOBS3") == "blobs"


@pytest.mark.parametrize(("main", "argv", "near"), [
    (nn_main, ["train", "moon"], "got 'moon'; did you mean moons?"),
    (nn_main, ["train", "spirals"], "got 'spirals'; did you mean spiral?"),
    (nn_main, ["train", "xor table"], "got 'xor table'; did you mean xor-table?"),
    (viz_main, ["draw", "four_neuron", "-o", "x.svg"], "unknown source 'four_neuron'; use one of four-neuron, neuron, "
                                                        "micrograd-example or the path of a MODEL.json saved by nn; "
                                                        "did you mean four-neuron?"),
    (viz_main, ["playground", "--dataset", "spirals"], "got 'spirals'; did you mean spiral?"),
])
def test_a_near_miss_of_a_name_is_refused_with_the_name_meant(tmp_path, monkeypatch, capsys, main, argv, near):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert near in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["zzz", "cifar10"])
def test_a_name_far_from_every_name_gets_the_list_and_no_guess(capsys, name):
    assert nn_main(["train", name]) == 2
    err = capsys.readouterr().err
    assert "expected a .csv file or one of moons, circles, xor, spiral" in err
    assert "did you mean" not in err


@pytest.mark.parametrize(("option", "given", "read"), [
    ("--optimizer", "Adam", "adam"), ("--activation", "TANH", "tanh"), ("--loss", "Cross_Entropy", "cross_entropy"),
    ("--schedule", "Cosine", "cosine"), ("--init", "He", "he"), ("--output-activation", "Sigmoid", "sigmoid"),
])
def test_every_named_option_is_read_in_any_case(option, given, read):
    from nn.__main__ import build_parser

    args = build_parser().parse_args(["train", "moons", option, given])
    assert getattr(args, option[2:].replace("-", "_")) == read


def test_a_huge_count_is_refused_naming_the_digits_allowed():
    with pytest.raises(argparse.ArgumentTypeError, match="expected a positive whole number of at most 18 digits, "
                                                         "got '9999999999999999999'"):
        positive_int("9" * 19)  # a positive whole number: "expected a positive whole number" was no help
    assert positive_int("0" * 30 + "7") == 7


@pytest.mark.parametrize("command", ["playground", "digits"])
@pytest.mark.parametrize("host", ["", " "])
def test_an_empty_host_is_refused_not_read_as_every_interface(capsys, command, host):
    assert viz_main([command, "--host", host, "--port", "0", "--no-browser"]) == 2  # it listened on 0.0.0.0
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "argument --host: host must be a host name or address such as 127.0.0.1 (0.0.0.0 for every interface)" \
           in err


def test_the_python_servers_refuse_an_empty_host_too():
    import viz

    for start in (viz.playground, viz.digits):
        with pytest.raises(ValueError, match="empty, it would listen on every interface"):
            start(host="", port=0)


def test_a_first_input_below_zero_is_read_as_a_number_not_an_option(tmp_path, capsys):
    nn.MLP(2, [3, 1], seed=0).save(tmp_path / "model.json")
    printed = []
    for given in (["--input", "-1e-3,-2"], ["--input=-1e-3,-2"]):  # the first was "--input: expected one argument"
        assert viz_main(["explain", str(tmp_path / "model.json"), *given, "--wrt", "b2_0"]) == 0
        printed.append(capsys.readouterr().out)
    assert printed[0] == printed[1]
    assert "(backward() gives 1)" in printed[0]  # ∂output/∂b of the linear output is 1


@pytest.mark.parametrize(("command", "hidden", "valid"), [
    ("playground", "9", "0 to 6 layer sizes, each 1 to 8"), ("playground", "1,1,1,1,1,1,1", "0 to 6 layer sizes"),
    ("digits", "100000", "1 to 3 layer sizes, each 1 to 64"), ("digits", "none", "1 to 3 layer sizes"),
])
def test_a_server_setup_refused_names_the_option_that_gave_it(capsys, command, hidden, valid):
    assert viz_main([command, "--hidden", hidden, "--port", "0", "--no-browser", "--host", "127.0.0.1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"python -m viz: error: argument --hidden: must be a list of {valid}" in err  # was "error: hidden: …"
