"""A set of files written as one unit: a run's outputs are all old or all new, never a mix.

``staged(folder, names)`` gives a fresh hidden folder inside ``folder``
(``.chainrule-run-PID-XXXX.tmp``) to write into. When the block ends, every file written there
replaces its namesake in ``folder`` in one quick series of renames, with Ctrl-C held off until they
are done, and the files of ``names`` that this run did not write are removed (an old picture does not
stay beside a new model). An error or Ctrl-C inside the block leaves ``folder`` as it was (a folder
made for it is removed again); a staging folder left by a killed process is removed by the next run
into the same folder.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from autograd.conventions.files import TEMPORARY_SUFFIX, folder_made, process_running, writable_target

STAGE_PREFIX = ".chainrule-run-"


@contextlib.contextmanager
def staged(folder: Path, names: tuple[str, ...]) -> Iterator[Path]:
    """A fresh folder whose files replace ``folder``'s as one unit once the block ends (see the module)."""
    with folder_made(folder) as folder:
        _remove_stale_stages(folder)
        stage = Path(tempfile.mkdtemp(prefix=f"{STAGE_PREFIX}{os.getpid()}-", suffix=TEMPORARY_SUFFIX, dir=folder))
        try:
            yield stage
            written = sorted(path.name for path in stage.iterdir())
            targets = {name: writable_target(folder / name) for name in (*written, *names)}
            with _interrupts_held():
                for name in written:
                    _replace(stage / name, targets[name])
                for name in set(names) - set(written):
                    if stat.S_ISREG(_mode(targets[name])):
                        os.unlink(targets[name])
        finally:
            shutil.rmtree(stage, ignore_errors=True)


def _replace(new: Path, target: Path) -> None:
    """``new`` in place of ``target`` (a symlink's file), keeping the permissions of the file it replaces."""
    mode = _mode(target)
    if mode:
        os.chmod(new, stat.S_IMODE(mode))
    os.replace(new, target)


def _mode(path: Path) -> int:
    try:
        return os.stat(path).st_mode
    except FileNotFoundError:
        return 0


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Ctrl-C arrives only after the block (at once if it was pressed during it); main thread only."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _remove_stale_stages(folder: Path) -> None:
    """Delete the staging folders that runs killed before their end left in ``folder``."""
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if not (entry.name.startswith(STAGE_PREFIX) and entry.name.endswith(TEMPORARY_SUFFIX)):
                continue
            pid = entry.name[len(STAGE_PREFIX):].split("-", 1)[0]
            if pid.isdigit() and not process_running(int(pid)) and entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
