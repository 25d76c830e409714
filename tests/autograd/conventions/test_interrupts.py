"""Ctrl-C while a command line is still importing (its first half second): one line, status 130 (issue 24).

The signal is sent once the process has loaded numpy's core (seen in /proc/PID/maps), that is in the
middle of its imports, long before the command's own code runs. A loaded machine may run the test so late that
the command is past its imports when the signal lands (it has printed something): that try says nothing, and is
made again, three times at most.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
COMMANDS = [["nn", "train", "moons", "--steps", "5", "--quiet", "--no-plots"], ["viz", "explain", "four-neuron"],
            ["examples.single_neuron"], ["bench.engine", "--repeats", "1"], ["viz", "playground", "--no-browser"]]


def _numpy_loaded(pid: int) -> bool:
    try:
        return "_multiarray_umath" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def _interrupted_while_importing(argv: list[str], cwd: Path) -> tuple[subprocess.Popen, str, str]:
    """The command, sent SIGINT as soon as numpy's core is loaded; its output."""
    process = subprocess.Popen([sys.executable, "-m", *argv], cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 30
        while not _numpy_loaded(process.pid) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.001)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    return process, out, err


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc/PID/maps")
@pytest.mark.parametrize("argv", COMMANDS, ids=lambda argv: " ".join(argv[:2]))
def test_ctrl_c_while_importing_is_one_line_and_status_130(argv, tmp_path):
    for _ in range(3):  # output means the imports were over before the signal (a loaded machine ran this test late)
        process, out, err = _interrupted_while_importing(argv, tmp_path)
        if not out:
            break
    assert process.returncode == 130, err[-2000:]
    assert err == f"python -m {argv[0]}: interrupted\n"
    assert out == ""


def test_importing_the_packages_elsewhere_leaves_ctrl_c_to_python():
    script = ("import signal, nn, viz, autograd, examples, bench;"
              "print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout == "True\n", result.stderr
