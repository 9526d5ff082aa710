"""Where a command's output goes: standard output, or a regular file replaced atomically.

``-o -`` and no ``-o`` write to standard output (so ``obligraph export ws -f graphml | gzip`` works).
``-o PATH`` writes a temporary file beside the target and renames it over the target only once the
whole output is written, so a reader never sees half a file and a failed export leaves the old one.
That only makes sense for a regular file (or a new path): a directory, a device such as
``/dev/stdout``, a FIFO or a socket is refused with a message saying what to do instead (renaming
over them would replace the device node or never reach the reader of the pipe). A symbolic link is
followed: the file it points to is replaced and the link stays; a link to anything but a regular
file is refused the same way. SIGTERM and SIGINT during the write remove the temporary file.
"""

from __future__ import annotations

import os
import signal
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import IO

from obligraph.graph.errors import ChainError

STDOUT = "-"


class OutputRefused(ChainError):
    """The ``-o`` path is not something an export can be written to."""


def is_stdout(output: str | Path | None) -> bool:
    return output is None or str(output) == STDOUT


def output_target(output: str | Path) -> Path:
    """The regular file (existing or new) that ``output`` names, links followed; refuses anything else."""
    path = Path(output)
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return _new_file(path)
    if stat.S_ISLNK(mode):
        target = Path(os.path.realpath(path))
        try:
            mode = target.stat().st_mode
        except FileNotFoundError:
            return _new_file(target)
        if not stat.S_ISREG(mode):
            raise OutputRefused(f"{path} is a link to {_kind(mode)} ({target}); {_advice(mode)}")
        return target
    if not stat.S_ISREG(mode):
        raise OutputRefused(f"{path} is {_kind(mode)}; {_advice(mode)}")
    return path


@contextmanager
def opened_output(output: str | Path | None) -> Iterator[IO[bytes]]:
    """A binary file to write the output to; on a clean exit a file target is complete and in place."""
    if output is None or is_stdout(output):
        stream = sys.stdout.buffer
        yield stream
        stream.flush()
        return
    target = output_target(output)
    # Closed by the ``with`` below; delete=False because it is renamed, not deleted, on success.
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
        dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
    )
    partial = Path(handle.name)
    try:
        with _removed_on_signals(partial), handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _copy_mode(target, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _new_file(path: Path) -> Path:
    parent = path.parent
    if not parent.is_dir():
        raise OutputRefused(f"{path}: the directory {parent} does not exist; create it first or choose another path")
    return path


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _advice(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "name a file inside it (-o DIR/chain.graphml)"
    return "exports replace regular files only; write to standard output with -o - and redirect it"


def _copy_mode(target: Path, partial: Path) -> None:
    """The new file gets the old file's permissions, or a new file's usual ones (the umask applied)."""
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(partial, mode)


class _Stopped(SystemExit):
    pass


@contextmanager
def _removed_on_signals(partial: Path) -> Iterator[None]:
    """SIGTERM and SIGINT end the write by an exception, so the ``finally`` that removes ``partial`` runs.

    The process then exits with 128 + the signal number, as a shell reports a process killed by it.
    Handlers can only be set from the main thread; elsewhere the caller's handling stands.
    """
    if sys.modules.get("threading") is not None:
        import threading

        if threading.current_thread() is not threading.main_thread():
            yield
            return

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise _Stopped(128 + signum)

    previous = {number: signal.signal(number, stop) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
