"""Ctrl-C while a command line is still starting: one line and status 130, never a traceback.

``python -m nn``, ``python -m viz``, ``python -m examples.X`` and ``python -m bench.X`` spend their first
half second importing numpy and the packages, before the one-line convention (``command_line.run``)
catches anything. Each of those packages imports ``autograd`` first, and this module first of all:
when the process is one of those command lines being started, SIGINT prints ``python -m NAME:
interrupted`` and exits 130 until ``run`` puts Python's own handler back (it looks for ``until_run``).
Imported by anything else (a program, a notebook, pytest), it changes nothing.
"""
from __future__ import annotations

import os
import signal
import sys
import threading

COMMAND_PACKAGES = ("nn", "viz", "examples", "bench")


def starting_command() -> str | None:
    """``python -m NAME`` while ``python -m`` is importing NAME, one of ours, to run it; else None."""
    if sys.argv[:1] != ["-m"]:  # Python's own mark while it finds the module -m names
        return None
    arguments = list(getattr(sys, "orig_argv", ()))[1:]
    for position, argument in enumerate(arguments):
        if argument.startswith("-m"):
            module = argument[2:] or (arguments[position + 1] if position + 1 < len(arguments) else "")
            return f"python -m {module}" if module.split(".")[0] in COMMAND_PACKAGES else None
    return None


class _QuitQuietly:
    """SIGINT's handler while ``prog`` starts: one line and status 130; ``run`` knows it by ``until_run``."""

    until_run = True

    def __init__(self, prog: str) -> None:
        self.prog = prog

    def __call__(self, signum, frame) -> None:
        os.write(2, f"{self.prog}: interrupted\n".encode("utf-8", "replace"))
        os._exit(130)


def install() -> None:
    """Make an early Ctrl-C one line and status 130, if this process is one of our command lines starting."""
    prog = starting_command()
    if prog and threading.current_thread() is threading.main_thread() \
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _QuitQuietly(prog))


install()
