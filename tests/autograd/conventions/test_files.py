"""Writes never replace anything but a regular file nor leave temporaries; model files are read with bounds."""
from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import nn
import viz
from autograd.conventions import files
from nn.__main__ import main as nn_main
from nn.plots import loss_curve
from viz.__main__ import main as viz_main
from viz.explorer import explore

ROOT = Path(__file__).resolve().parents[3]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def special_files(folder: Path) -> dict[str, Path]:
    """A FIFO, a socket, a directory and (as root) a character device like /dev/null, by kind."""
    made = {"FIFO": folder / "fifo.json", "socket": folder / "socket.json", "directory": folder / "folder.json"}
    os.mkfifo(made["FIFO"])
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(made["socket"]))
    listener.close()  # the socket file stays
    made["directory"].mkdir()
    if IS_ROOT:
        made["character device"] = folder / "null.json"
        os.mknod(made["character device"], 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return made


def kinds(paths: dict[str, Path]) -> dict[str, int]:
    return {name: stat.S_IFMT(os.lstat(path).st_mode) for name, path in paths.items()}


def test_every_writer_refuses_a_target_that_is_not_a_regular_file_and_leaves_it_as_it_was(tmp_path):
    targets = special_files(tmp_path)
    before = kinds(targets)
    net = viz.four_neuron()
    net.output.backward()
    writers = {".json": lambda path: nn.MLP(2, [1]).save(path),
               ".svg": lambda path: viz.render(viz.draw(net.output), path),
               ".html": lambda path: explore(net.output, path),
               ".png": lambda path: loss_curve([1.0, 0.5], path)}
    for name, path in targets.items():
        for suffix, writer in writers.items():
            link = tmp_path / f"{path.stem}-link{suffix}"  # each writer gets the file under its own suffix
            os.symlink(path, link)
            with pytest.raises(files.NotARegularFileError, match=f"it is a {name}"):
                writer(path if suffix == ".json" else link)
    assert kinds(targets) == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("ending", ["/", "/."])
def test_every_writer_refuses_a_path_that_names_a_folder_by_its_form(tmp_path, ending):
    net = viz.four_neuron()
    net.output.backward()
    model = nn.MLP(2, [1], seed=0)
    writers = {"model.json": model.save, "model.onnx": lambda path: nn.export(model, path),
               "chain.svg": lambda path: viz.render(viz.draw(net.output), path),
               "page.html": lambda path: explore(net.output, path),
               "inline.html": lambda path: explore(net.output).save(path),
               "loss.png": lambda path: loss_curve([1.0, 0.5], path)}
    for name, writer in writers.items():
        with pytest.raises(ValueError, match=r"must be a file's path \(one ending in / names a folder"):
            writer(str(tmp_path / name) + ending)  # Path(...) would drop the "/" and write the file `name`
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [["python -m viz", "explore", "four-neuron", "-o"],
                                     ["python -m viz", "draw", "four-neuron", "-o"]])
def test_the_viz_commands_refuse_a_fifo_or_device_as_output_in_one_line(tmp_path, capsys, command):
    for name, path in special_files(tmp_path).items():
        if name == "directory":
            continue
        shown = path.with_suffix(".svg" if command[1] == "draw" else ".html")
        os.symlink(path, shown)
        assert viz_main([*command[1:], str(shown)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert "not a regular file" in err
        assert not stat.S_ISREG(os.stat(path).st_mode)


def test_a_symlink_is_followed_the_file_it_names_is_replaced_and_the_link_stays(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "model.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    os.symlink(target, link)
    model = nn.MLP(2, [3, 1], seed=4)
    model.save(link)
    assert link.is_symlink()
    assert os.readlink(link) == str(target)
    assert json.loads(target.read_text())["architecture"]["nouts"] == [3, 1]
    assert sorted(os.listdir(tmp_path / "real")) == ["model.json"]


def test_a_symlink_to_a_device_or_fifo_is_refused(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    os.symlink(fifo, tmp_path / "link.json")
    with pytest.raises(files.NotARegularFileError, match="FIFO"):
        nn.save(nn.MLP(2, [1]), tmp_path / "link.json")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_an_existing_files_permissions_are_kept(tmp_path):
    path = tmp_path / "model.json"
    nn.MLP(2, [1]).save(path)
    os.chmod(path, 0o640)
    nn.MLP(2, [1]).save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


KILLED_MID_WRITE = """
import sys, time
from autograd.conventions.files import atomic_write
with atomic_write(sys.argv[1]) as file:
    file.write(b'{"half": ' * 1000)
    file.flush()
    print("writing", flush=True)
    time.sleep(60)
"""


def test_a_save_killed_mid_write_leaves_the_target_whole_and_the_next_save_removes_its_temporary(tmp_path):
    path = tmp_path / "model.json"
    model = nn.MLP(2, [4, 1], seed=1)
    model.save(path)
    before = path.read_bytes()
    writer = subprocess.Popen([sys.executable, "-c", KILLED_MID_WRITE, str(path)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline() == "writing\n"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    stale = [name for name in os.listdir(tmp_path) if name != "model.json"]
    assert len(stale) == 1
    assert stale[0].startswith(f".model.json.chainrule-{writer.pid}-")
    assert stale[0].endswith(".tmp")
    assert path.read_bytes() == before  # the target never saw the half-written text
    other = tmp_path / "other.json"
    nn.MLP(2, [1]).save(other)
    assert stale[0] in os.listdir(tmp_path)  # a save to another target leaves it alone
    nn.MLP(2, [4, 1], seed=2).save(path)
    assert sorted(os.listdir(tmp_path)) == ["model.json", "other.json"]
    assert nn.load(path).nouts == [4, 1]


def test_a_running_writers_temporary_is_not_taken_for_a_stale_one(tmp_path):
    path = tmp_path / "model.json"
    with files.atomic_write(path) as file:
        file.write(b"{}")
        assert files.remove_stale_temporaries(path) == []  # this process is still writing
        assert len(os.listdir(tmp_path)) == 1
    assert os.listdir(tmp_path) == ["model.json"]
    assert path.read_bytes() == b"{}"


def test_train_checks_out_before_training(tmp_path, capsys):
    (tmp_path / "model.json").write_text("a file where a folder is wanted")
    for out, message in [(tmp_path / "model.json", "is a file"), (tmp_path / "model.json" / "deeper", "is a file")]:
        assert nn_main(["train", "moons", "--quiet", "--out", str(out)]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""  # nothing trained, not even the data loaded
        assert captured.err.count("\n") == 1
        assert message in captured.err
        assert "--out" in captured.err
    (tmp_path / "run" / "model.json").mkdir(parents=True)
    assert nn_main(["train", "moons", "--quiet", "--out", str(tmp_path / "run")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "it is a directory" in captured.err


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="needs Linux's read-only /sys")
def test_train_refuses_a_folder_it_cannot_write_before_training(capsys):
    # /sys takes no new files, for root too (os.access says yes to root; the check creates a file for real)
    assert nn_main(["train", "moons", "--quiet", "--out", "/sys/chainrule-run"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "cannot create files in /sys" in captured.err


def test_a_fifo_as_model_file_is_refused_at_once_by_every_command(tmp_path):
    fifo = tmp_path / "f.json"
    os.mkfifo(fifo)
    for command in (["nn", "predict", str(fifo), "1", "2"], ["viz", "draw", str(fifo), "--input", "1", "-o", "x.svg"],
                    ["nn", "train", "xor-table", "--resume", str(fifo), "--out", str(tmp_path)]):
        finished = subprocess.run([sys.executable, "-m", *command], cwd=tmp_path, capture_output=True, text=True,
                                  timeout=60)  # a blocking open would hang here until the timeout fails the test
        assert finished.returncode != 0, finished.stderr
        assert finished.stderr.count("\n") == 1, finished.stderr
        assert "FIFO" in finished.stderr
        assert "not a regular file" in finished.stderr


def test_a_device_an_oversized_file_and_deep_nesting_are_refused_in_one_line(tmp_path, capsys):
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as file:
        file.truncate(nn.io.MAX_MODEL_BYTES + 1)  # sparse: no disk used
    deep = tmp_path / "deep.json"
    deep.write_text('["' * 100_000)
    deeper = tmp_path / "deeper.json"
    deeper.write_text("[" * 100_000 + "]" * 100_000)
    zero = tmp_path / "zero.json"
    os.symlink("/dev/zero", zero)  # reads forever
    cases = [(zero, "character device"), (huge, f"more than the limit of {nn.io.MAX_MODEL_BYTES:,} bytes"),
             (deep, "nested 50,000 levels deep"), (deeper, f"nested 100,000 levels deep, more than the "
                                                           f"{nn.io.MAX_NESTING}")]
    for path, message in cases:
        for command in (lambda p: nn_main(["predict", str(p), "1"]),
                        lambda p: nn_main(["train", "xor-table", "--resume", str(p), "--out", str(tmp_path)]),
                        lambda p: viz_main(["draw", str(p), "--input", "1", "-o", str(tmp_path / "x.svg")]),
                        lambda p: viz_main(["explain", str(p), "--input", "1"])):
            assert command(path) != 0
            err = capsys.readouterr().err
            assert err.count("\n") == 1, err
            assert message in err, err


def test_the_tour_checks_its_folder_and_every_file_it_writes_before_any_work(tmp_path, capsys):
    from examples import tour

    (tmp_path / "a-file").write_text("")
    (tmp_path / "tour" / "explorer.html").mkdir(parents=True)
    for out, message in [(tmp_path / "a-file", "is a file"), (tmp_path / "tour", "explorer.html: it is a directory")]:
        assert tour.main(["--out", str(out)]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.count("\n") == 1
        assert message in captured.err
    assert os.listdir(tmp_path / "tour") == ["explorer.html"]


def test_every_folder_option_refuses_a_file_or_a_link_to_nothing_before_any_work(tmp_path, capsys):
    from autograd.conventions.command_line import run
    from examples import loy_network, moons_demo, tour

    (tmp_path / "a-file").write_text("")
    os.symlink(tmp_path / "gone" / "runs", tmp_path / "dangling")  # mkdir would say only "File exists"
    commands = {"nn train --out": lambda out: nn_main(["train", "moons", "--quiet", "--out", out]),
                "nn download --dir": lambda out: nn_main(["download", "mnist", "--dir", out,
                                                         "--mirror", "http://127.0.0.1:9/"]),
                "the tour's --out": lambda out: tour.main(["--out", out]),
                "moons_demo --out": lambda out: run("moons_demo", lambda: moons_demo.main(["--out", out])),
                "loy_network --out": lambda out: run("loy", lambda: loy_network.main(["--out", out, "--steps", "5"]))}
    cases = [(tmp_path / "dangling", f"is a symbolic link to {tmp_path / 'gone' / 'runs'}, which does not exist"),
             (tmp_path / "dangling" / "deeper", "dangling is a symbolic link"),
             (tmp_path / "a-file" / "deeper", "a-file is a file, not a folder")]
    for name, command in commands.items():
        for out, message in cases:
            assert command(str(out)) == 2, name
            captured = capsys.readouterr()
            assert captured.out == "", name  # nothing trained, downloaded or drawn
            assert captured.err.count("\n") == 1, (name, captured.err)
            assert message in captured.err, (name, captured.err)
    assert sorted(os.listdir(tmp_path)) == ["a-file", "dangling"]
