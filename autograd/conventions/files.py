"""Files written and read safely: every write of the project, and bounded reads of model files.

A write goes to a temporary file in the target's folder, named ``.NAME.chainrule-PID-XXXX.tmp``,
and replaces the target only once fully written, so a crash leaves the old file. Only a regular
file is ever replaced: a directory, device, FIFO or socket at the path is refused. A symlink is
followed: the file it points to is replaced and the link stays a link. A temporary file is removed
on any exception (Ctrl-C included); one left by a killed process (its PID no longer running) is
removed by the next write to the same target.
"""
from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from . import argument_checks as check

TEMPORARY_MARK = ".chainrule-"
TEMPORARY_SUFFIX = ".tmp"
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"))


class NotARegularFileError(OSError):
    """The path names a directory, device, FIFO or socket where a regular file is wanted."""


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def writable_target(path: str | Path) -> Path:
    """The file a write to ``path`` replaces (a symlink's target), checked before any work is done.

    Raises NotARegularFileError for a directory, device, FIFO or socket, ValueError when the folder
    is missing or the path names a folder by its form (``x.onnx/``), PermissionError when no file can be
    created in it.
    """
    target = Path(os.path.realpath(check.file_path(path)))
    _refuse_all_but_a_regular_file(target, path)
    check_folder(target.parent, path)
    return target


def check_folder(folder: str | Path, path: str | Path) -> None:
    """ValueError unless ``folder`` is a folder, PermissionError unless a file can be created in it
    (tried for real: ``os.access`` says yes to root on a read-only mount); ``path`` names the write in errors."""
    if not os.path.isdir(folder):
        raise ValueError(f"cannot write {path}: the folder {folder} does not exist")
    try:
        handle, probe = tempfile.mkstemp(dir=folder, prefix=f".chainrule-probe-{os.getpid()}-",
                                         suffix=TEMPORARY_SUFFIX)
    except OSError as error:
        raise PermissionError(f"cannot write {path}: cannot create files in {folder} ({error.strerror})") from None
    os.close(handle)
    os.unlink(probe)


def writable_folder(folder: str | Path, name: str) -> Path:
    """``folder``, checked before any work as a place to write files into: a folder where files can be
    created, or a missing one under such a folder (the write creates it). A file or a symlink to nothing in
    the way is a ValueError naming it; ``name`` (``--out``) says which argument gave ``folder``."""
    folder = Path(check.path(folder, name))
    existing = folder
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    if not os.path.exists(existing):
        raise ValueError(f"{name} {folder}: {existing} is a symbolic link to {os.readlink(existing)}, which does "
                         f"not exist; give a folder to write into")
    if not os.path.isdir(existing):
        kind = "a file" if os.path.isfile(existing) else _kind(os.stat(existing).st_mode)
        raise ValueError(f"{name} {folder}: {existing} is {kind}, not a folder; give a folder to write into")
    check_folder(existing, folder)
    return folder


@contextlib.contextmanager
def folder_made(folder: str | Path) -> Iterator[Path]:
    """``folder``, created with its missing parents for the block; if the block fails (Ctrl-C included),
    the folders it created are removed again, innermost first, as long as they are empty."""
    folder = Path(folder)
    created = [path for path in (folder, *folder.parents) if not os.path.lexists(path)]
    folder.mkdir(parents=True, exist_ok=True)
    try:
        yield folder
    except BaseException:
        for path in created:
            try:
                os.rmdir(path)
            except OSError:
                break
        raise


def _refuse_all_but_a_regular_file(target: Path, path: str | Path) -> None:
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise NotARegularFileError(f"cannot write {path}: it is {_kind(mode)}, not a regular file; "
                                   f"give the path of a file to create or replace")


def _temporary_file(target: Path) -> tuple[int, str]:
    """A new file ``.NAME.chainrule-PID-XXXX.tmp`` beside ``target``: (its descriptor, its path)."""
    return tempfile.mkstemp(dir=target.parent, prefix=f"{_temporary_prefix(target)}{os.getpid()}-",
                            suffix=TEMPORARY_SUFFIX)


def _temporary_prefix(target: Path) -> str:
    return f".{target.name}{TEMPORARY_MARK}"


def process_running(pid: int) -> bool:
    """Whether process ``pid`` may still be running (when in doubt, yes: its files are left alone)."""
    if os.name != "posix":
        return True  # os.kill(pid, 0) would signal the process there, not ask about it: keep the file
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # someone else's process, or not a pid we can ask about: leave its file alone
    return True


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Delete the temporary files that writes to ``target`` left behind when their process was killed."""
    prefix, removed = _temporary_prefix(target), []
    with contextlib.suppress(OSError), os.scandir(target.parent) as entries:
        for entry in entries:
            name = entry.name
            if not (name.startswith(prefix) and name.endswith(TEMPORARY_SUFFIX)):
                continue
            pid = name[len(prefix):].split("-", 1)[0]
            if pid.isdigit() and not process_running(int(pid)) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def atomic_write(path: str | Path) -> Iterator[IO[bytes]]:
    """A binary file that replaces ``path`` (a regular file, or nothing yet) only once fully written."""
    target = writable_target(path)
    remove_stale_temporaries(target)
    temporary = None
    try:
        handle, temporary = _temporary_file(target)
        with os.fdopen(handle, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, _mode_for(target))  # mkstemp makes 0600; a saved file reads like any other
        _refuse_all_but_a_regular_file(target, path)  # still so just before it is replaced
        os.replace(temporary, target)
    except BaseException:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise


def write_file(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` (text is written as UTF-8) to ``path`` atomically; return ``path``."""
    check.instance(data, "data", (bytes, bytearray, str), "bytes or a str")
    with atomic_write(path) as file:
        file.write(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)


def _mode_for(target: Path) -> int:
    """The permissions of the file being replaced, or the usual ones (0666 less the umask) for a new one."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


@contextlib.contextmanager
def open_regular(path: str | Path) -> Iterator[tuple[IO[bytes], int]]:
    """``(file, size)`` of the regular file ``path``, opened for reading: a FIFO or device is refused
    without blocking (NotARegularFileError), a missing file is FileNotFoundError as is."""
    mode = os.stat(check.path(path)).st_mode
    if not stat.S_ISREG(mode):
        raise NotARegularFileError(f"cannot read {path}: it is {_kind(mode)}, not a regular file")
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # never waits on a swapped-in FIFO
    with os.fdopen(descriptor, "rb") as file:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise NotARegularFileError(f"cannot read {path}: it is {_kind(info.st_mode)}, not a regular file")
        yield file, info.st_size


def read_file(path: str | Path, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path`` (``open_regular``'s checks): a file over ``max_bytes`` is
    refused before it is read (ValueError naming the limit)."""
    check.count(max_bytes, "max_bytes", at_least=0)
    with open_regular(path) as (file, size):
        data = file.read(size + 1) if size <= max_bytes else b""  # never a buffer of max_bytes
        if len(data) > size:  # it grew since it was opened: read on, up to the limit
            data += file.read(max_bytes + 1 - len(data))
    if size > max_bytes or len(data) > max_bytes:
        raise ValueError(f"{path} is {max(size, len(data)):,} bytes, more than the limit of "
                         f"{max_bytes:,} bytes for this kind of file")
    return data
