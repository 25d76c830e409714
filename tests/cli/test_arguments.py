"""The argparse types both command lines share: what they accept and how they refuse."""
from __future__ import annotations

import argparse
import importlib
import re

import pytest

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


def test_number_list_splits_on_commas():
    assert number_list("0.1,-2, 3") == [0.1, -2.0, 3.0]


@pytest.mark.parametrize("text", ["abc", "1,,2", "1,nan", "inf"])
def test_number_list_names_the_whole_list_it_refuses(text):
    with pytest.raises(argparse.ArgumentTypeError, match=f"{text!r} is not a comma-separated list of finite numbers"):
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
